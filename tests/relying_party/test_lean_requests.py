"""Start-up and per-page work the RP keeps small."""

from __future__ import annotations

from flask import g, session
from sqlalchemy import event

from tests.restarts import start_twice

START = """
import sys
from gosuslugi_sandbox.relying_party import create_app
create_app({"INSTANCE_PATH": sys.argv[1], "SECRET_KEY": "x", "IDP_URL": "http://127.0.0.1:9"})
LATER = ("requests", "authlib.integrations.requests_client", "joserfc", "cryptography")
loaded = sorted(m for m in LATER if m in sys.modules)
print(",".join(loaded) or "none")
"""


def test_the_oidc_client_is_imported_on_first_use_not_at_start(tmp_path):
    """Nor are joserfc and cryptography, which only check the ID token of a login."""
    for output in start_twice(START, tmp_path / "rp"):  # the second: a restart
        assert output.strip() == "none", output


def test_current_user_loads_what_every_page_shows_in_one_statement(rp):
    from gosuslugi_sandbox.relying_party import sessions
    from gosuslugi_sandbox.relying_party.web import current_user, db

    with rp.app.test_request_context("/"):
        sessions.start(123457)
        db().commit()
        cookie = dict(session)
    statements = []
    engine = rp.app.extensions["database"].engine

    def count(_conn, _cursor, sql, *_args):
        statements.append(sql)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with rp.app.test_request_context("/settings"):
            session.update(cookie)
            me = current_user()
            school = me.memberships[0].school.name
            verified = me.verified
            assert g.current_user is me
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert school == "ГОУ СОШ № 1029" and verified is False
    assert len(statements) == 1, statements
