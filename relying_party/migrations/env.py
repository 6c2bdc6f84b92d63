"""Alembic environment of the fake Sferum's schema (run through shared.migrations only)."""

from shared.migrations import run_env

run_env()
