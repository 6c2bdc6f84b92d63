"""Linking Sferum profiles to Gosuslugi and logging in through it."""
