"""A restart of the IdP (a gunicorn worker's cold start) leaves out what only some stands need."""

from __future__ import annotations

import json

from tests.restarts import start_twice

# a worker's start on a stand already set up, up to its first answer (as `make bench` times it)
RESTART = """
import json, sys
from gosuslugi_sandbox.idp import create_app
from gosuslugi_sandbox.shared import gost
app = create_app({"INSTANCE_PATH": sys.argv[1], "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
assert app.test_client().get("/_control/health").status_code == 200
# the PostgreSQL dialect only where it is the database; CMS only for signed client requests;
# Alembic only to migrate (a new database is created and stamped without it)
LATER = ("sqlalchemy.dialects.postgresql", "asn1crypto.cms", "alembic")
print(json.dumps({
    "modules": sorted(m for m in sys.modules if m.startswith(LATER)),
    "curves": sorted({c.name for c in gost.CURVES.values() if "ec" in vars(c)}),
    "signer": app.extensions["esia"].gost_signer.private_key.curve.name,
}))
"""


def test_a_restart_on_sqlite_imports_no_postgresql_nor_cms_and_builds_one_gost_curve(tmp_path):
    first, loaded = (json.loads(out) for out in start_twice(RESTART, tmp_path / "idp"))
    assert first["modules"] == [], "the first start, on a new database"
    assert loaded["modules"] == []
    assert loaded["curves"] == [loaded["signer"]]  # the stand's own ESIA key's curve only
