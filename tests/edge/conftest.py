"""Apps for the hostile-browser tests: both apps on tmp instance dirs, made on demand."""

from __future__ import annotations

import pytest

from gosuslugi_sandbox.idp import create_app as create_idp
from gosuslugi_sandbox.relying_party import create_app as create_rp

FAST_HASH = "pbkdf2:sha256:1000"


@pytest.fixture
def make_idp(tmp_path, keys_dir):
    """make_idp(**config) -> an IdP app on its own instance directory."""
    apps = []

    def make(**config):
        app = create_idp(
            {
                "INSTANCE_PATH": str(tmp_path / f"idp{len(apps)}"),
                "KEYS_DIR": str(keys_dir),
                "PASSWORD_HASH_METHOD": FAST_HASH,
                "SECRET_KEY": "edge-tests",
                **config,
            }
        )
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["idp"].db.dispose()


@pytest.fixture
def make_rp(tmp_path):
    """make_rp(**config) -> a fake Sferum app on its own instance directory."""
    apps = []

    def make(**config):
        app = create_rp(
            {
                "INSTANCE_PATH": str(tmp_path / f"rp{len(apps)}"),
                "PASSWORD_HASH_METHOD": FAST_HASH,
                "SECRET_KEY": "edge-tests",
                **config,
            }
        )
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["database"].dispose()


@pytest.fixture(scope="module")
def plain_apps(tmp_path_factory, keys_dir):
    """One default IdP and one fake Sferum for a module's read-only checks."""
    root = tmp_path_factory.mktemp("plain")
    idp = create_idp(
        {
            "INSTANCE_PATH": str(root / "idp"),
            "KEYS_DIR": str(keys_dir),
            "PASSWORD_HASH_METHOD": FAST_HASH,
            "SECRET_KEY": "edge-tests",
        }
    )
    rp = create_rp(
        {"INSTANCE_PATH": str(root / "rp"), "PASSWORD_HASH_METHOD": FAST_HASH, "SECRET_KEY": "e"}
    )
    yield {"idp": (idp, "/_control/sms"), "rp": (rp, "/_control/outbox")}
    idp.extensions["idp"].db.dispose()
    rp.extensions["database"].dispose()


@pytest.fixture(params=["idp", "rp"])
def plain_app(request, plain_apps):
    """(app, a control path that reads data) of each app, shared by the module."""
    return plain_apps[request.param]


@pytest.fixture(params=["idp", "rp"])
def either_app(request, make_idp, make_rp):
    """(app, a control path that reads data, its app name) for each of the two apps."""
    if request.param == "idp":
        return make_idp, "/_control/sms", "idp"
    return make_rp, "/_control/outbox", "rp"
