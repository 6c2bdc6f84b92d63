"""The fake Sferum's settings: one place for defaults and types, read from app.config."""

from __future__ import annotations

import re
from dataclasses import fields

import pytest

from gosuslugi_sandbox.relying_party import create_app
from gosuslugi_sandbox.relying_party.config import DEFAULTS, Settings, settings
from tests.paths import lines_matching

FAST_HASH = "pbkdf2:sha256:1000"


def make(tmp_path, **config):
    return create_app(
        {"INSTANCE_PATH": str(tmp_path), "PASSWORD_HASH_METHOD": FAST_HASH, "SECRET_KEY": "s",
         **config}
    )  # fmt: skip


def test_defaults_are_the_settings_defaults():
    assert Settings.from_config(DEFAULTS) == Settings()
    assert Settings().trusted_audiences == () and DEFAULTS["TRUSTED_AUDIENCES"] == ()


def test_environment_text_is_read_into_types(tmp_path, monkeypatch):
    monkeypatch.setenv("RP_LOCKOUT_ATTEMPTS", "3")  # JSON: a number
    monkeypatch.setenv("RP_FLOW_TTL_SECONDS", '"120"')  # JSON: a string
    monkeypatch.setenv("RP_ID_TOKEN_ALGS", "RS256, ES256")  # not JSON: text
    monkeypatch.setenv("RP_TRUSTED_AUDIENCES", '["portal"]')
    monkeypatch.setenv("RP_PROTOCOL", "OIDC")
    monkeypatch.setenv("RP_CA_BUNDLE", "")
    app = make(tmp_path)
    with app.app_context():
        read = settings()
        assert read.lockout_attempts == 3 and read.flow_ttl_seconds == 120.0
        assert read.id_token_algs == ("RS256", "ES256")
        assert read.trusted_audiences == ("portal",)
        assert read.protocol == "oidc" and read.ca_bundle is None
        assert read.idp_issuer == read.idp_url  # IDP_ISSUER unset: the IdP's URL
    app.extensions["database"].dispose()


@pytest.mark.parametrize(
    ("name", "value"),
    [("LOCKOUT_ATTEMPTS", "many"), ("HTTP_READ_TIMEOUT", "soon"), ("ID_TOKEN_ALGS", 256)],
)
def test_a_value_that_cannot_be_read_stops_the_start(tmp_path, name, value):
    with pytest.raises(ValueError, match=f"RP_{name}="):
        make(tmp_path, **{name: value})


def test_a_change_to_app_config_is_read_by_the_next_request(tmp_path):
    app = make(tmp_path)
    with app.app_context():
        assert settings().lockout_attempts == 5
    app.config["LOCKOUT_ATTEMPTS"] = 2
    with app.app_context():
        assert settings().lockout_attempts == 2
    app.extensions["database"].dispose()


def test_no_module_reads_a_setting_from_app_config_itself():
    keys = "|".join(f.name.upper() for f in fields(Settings))
    direct = re.compile(rf"config(\.get\(|\[)\"({keys})\"")
    assert lines_matching("relying_party", direct) == [], "read settings() instead"
