"""The IdP's whole schema (every table module imported) and how Alembic finds its scripts."""

from __future__ import annotations

from idp import models
from idp.faults import models as _fault_models  # noqa: F401 - registers the fault tables
from idp.login import records as _login_records  # noqa: F401 - recovery codes, e-mail outbox
from idp.report import models as _report_models  # noqa: F401 - registers the report table
from shared.migrations import Schema

SCHEMA = Schema(
    metadata=models.Base.metadata,
    script_location="idp:migrations",
    version_table="idp_alembic_version",
    baseline="0001",
    head="0005",
)
