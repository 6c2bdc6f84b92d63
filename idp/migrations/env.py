"""Alembic environment of the IdP's schema (run through gosuslugi_sandbox.shared.migrations, never
alembic.ini)."""

from gosuslugi_sandbox.shared.migrations import run_env

run_env()
