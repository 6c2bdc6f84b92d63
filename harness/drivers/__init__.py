"""Drivers that act on the apps' pages as a person would: over HTTP, or in a real browser."""
