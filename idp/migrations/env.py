"""Alembic environment of the IdP's schema (run through shared.migrations, never alembic.ini)."""

from shared.migrations import run_env

run_env()
