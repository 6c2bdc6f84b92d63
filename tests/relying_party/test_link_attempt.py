"""LinkAttempt's rules in one place: single-use state, this browser, its owner, expiry, one end."""

from __future__ import annotations

import pytest
from flask import g

from gosuslugi_sandbox.relying_party import create_app
from gosuslugi_sandbox.relying_party.gosuslugi.attempts import LinkAttempt
from gosuslugi_sandbox.relying_party.gosuslugi.errors import GosuslugiError
from gosuslugi_sandbox.relying_party.gosuslugi.identity import Identity
from gosuslugi_sandbox.relying_party.models import FlowAttempt, User
from gosuslugi_sandbox.relying_party.web import db

ROSHCHINA = Identity(oid="1000000001", last_name="Рощина", trusted=True)


@pytest.fixture
def app(tmp_path):
    app = create_app(
        {"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "IDP_URL": "http://127.0.0.1:9"}
    )
    with app.app_context():
        yield app


def refused(code: str):
    return pytest.raises(GosuslugiError, match=f"^{code}")


def consumed(state: str, user_id: int = 123456) -> LinkAttempt:
    LinkAttempt.start("link", user_id, state)
    return LinkAttempt.consume(state, state)


def test_a_state_is_consumed_once(app):
    assert consumed("s1").state == "s1"
    with refused("state_unknown"):
        LinkAttempt.consume("s1", "s1")


def test_another_browsers_state_is_refused_and_left_usable(app):
    LinkAttempt.start("link", 123456, "s2")
    for browser_state in (None, "", "other"):
        with refused("state_unknown"):
            LinkAttempt.consume("s2", browser_state)
    assert LinkAttempt.consume("s2", "s2").purpose == "link"


def test_an_expired_attempt_is_refused(app):
    app.config["FLOW_TTL_SECONDS"] = -1
    LinkAttempt.start("login", None, "s3")
    with refused("state_expired"):
        LinkAttempt.consume("s3", "s3")


def test_only_its_owner_continues_a_verified_fresh_attempt(app):
    owner, other = db().get(User, 123456), db().get(User, 123457)
    attempt = consumed("s4")
    assert LinkAttempt.pending("s4", owner) is None, "not verified yet"
    with refused("state_unknown"):
        attempt.verified(other, ROSHCHINA)
    attempt.verified(owner, ROSHCHINA)
    assert LinkAttempt.pending("s4", owner).identity == ROSHCHINA
    assert LinkAttempt.pending("s4", other) is None
    assert LinkAttempt.pending("s4", None) is None
    assert LinkAttempt.pending("s4", owner, password_confirmed=True) is None
    attempt.confirm_password()
    assert LinkAttempt.pending("s4", owner, password_confirmed=True) is not None
    app.config["FLOW_TTL_SECONDS"] = -1
    g.pop("rp_settings")  # settings are read once per request: as if a next request came
    assert LinkAttempt.pending("s4", owner) is None, "expired"


def test_an_unconfirmed_identity_is_not_kept(app):
    attempt = consumed("s5")
    with refused("not_trusted"):
        attempt.verified(db().get(User, 123456), Identity(oid="1000000001", trusted=False))
    assert db().get(FlowAttempt, "s5").identity is None


def test_an_attempt_ends_once(app):
    owner = db().get(User, 123456)
    attempt = consumed("s6")
    attempt.verified(owner, ROSHCHINA)
    attempt.cancel(owner)
    assert LinkAttempt.pending("s6", owner) is None
    with refused("flow_lost"):
        LinkAttempt(db().get(FlowAttempt, "s6")).link(owner, sync=False)
    assert owner.link is None
