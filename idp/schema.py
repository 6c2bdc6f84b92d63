"""The IdP's whole schema (every table module imported) and how Alembic finds its scripts."""

from __future__ import annotations

from gosuslugi_sandbox.idp import models
from gosuslugi_sandbox.idp.faults import models as _fault_models  # noqa: F401 - registers the fault tables
from gosuslugi_sandbox.idp.login import records as _login_records  # noqa: F401 - recovery codes, e-mail outbox
from gosuslugi_sandbox.idp.report import models as _report_models  # noqa: F401 - registers the report table
from gosuslugi_sandbox.shared.migrations import Schema

SCHEMA = Schema(
    metadata=models.Base.metadata,
    script_location="gosuslugi_sandbox.idp:migrations",
    version_table="idp_alembic_version",
    baseline="0001",
    head="0007",
)
