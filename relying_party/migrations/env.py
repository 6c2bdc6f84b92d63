"""Alembic environment of the fake Sferum's schema (run through gosuslugi_sandbox.shared.migrations
only)."""

from gosuslugi_sandbox.shared.migrations import run_env

run_env()
