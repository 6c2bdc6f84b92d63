"""The IdP's settings: one place for defaults and types, read from app.config per request."""

from __future__ import annotations

import re
from dataclasses import fields

import pytest

from gosuslugi_sandbox.idp import create_app
from gosuslugi_sandbox.idp.config import DEFAULTS, Settings, settings
from tests.paths import lines_matching


def test_defaults_are_the_settings_defaults():
    assert Settings.from_config(DEFAULTS) == Settings()
    # the dialect's and the faults' knobs are the IdP's settings too
    assert {"ESIA_CODE_TTL", "FAULT_MAX_DELAY", "KEY_ROTATION_GRACE"} <= DEFAULTS.keys()


def test_environment_text_is_read_into_types(idp_config, monkeypatch):
    monkeypatch.setenv("IDP_SMS_CODE_LENGTH", "4")  # JSON: a number
    monkeypatch.setenv("IDP_ESIA_CODE_TTL", '"120"')  # JSON: a string
    monkeypatch.setenv("IDP_FAULT_MAX_DELAY", "2.5")
    monkeypatch.setenv("IDP_ISSUER", "")
    monkeypatch.setenv("IDP_DEV", "off")  # not JSON: a switch's word
    app = create_app(idp_config)
    with app.app_context():
        read = settings()
        assert read.sms_code_length == 4 and read.esia_code_ttl == 120
        assert read.fault_max_delay == 2.5 and read.issuer is None
        assert read.dev is False
    app.extensions["idp"].db.dispose()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SMS_CODE_LENGTH", "six"),
        ("KEY_ROTATION_GRACE", "soon"),
        ("PERSONS_FILES", 7),
        ("DEV", "maybe"),
    ],
)
def test_a_value_that_cannot_be_read_stops_the_start(idp_config, name, value):
    with pytest.raises(ValueError, match=f"IDP_{name}="):
        create_app({**idp_config, name: value})


def test_a_change_to_app_config_is_read_by_the_next_request(idp_app):
    with idp_app.app_context():
        assert settings().sms_code_length == 6
    idp_app.config["SMS_CODE_LENGTH"] = 4
    with idp_app.app_context():
        assert settings().sms_code_length == 4


def test_request_code_reads_settings_not_app_config():
    keys = "|".join(f.name.upper() for f in fields(Settings))
    direct = re.compile(rf"current_app\.config(\.get\(|\[)\"({keys})\"|\bconfig\(\"")
    assert lines_matching("idp", direct) == [], "read settings() instead"
