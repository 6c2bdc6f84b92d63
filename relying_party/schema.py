"""The fake Sferum's whole schema and how Alembic finds its scripts."""

from __future__ import annotations

from gosuslugi_sandbox.relying_party.models import Base
from gosuslugi_sandbox.shared.migrations import Schema

SCHEMA = Schema(
    metadata=Base.metadata,
    script_location="gosuslugi_sandbox.relying_party:migrations",
    version_table="sferum_alembic_version",
    baseline="0001",
    head="0003",
)
