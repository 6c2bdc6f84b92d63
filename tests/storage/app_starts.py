"""Apps built in processes of their own, as gunicorn workers or a second host build them.

The processes fork from a server that imported both apps once (`STARTERS`): each is still a
new process for what is under test — no app, no engine, no connection, no cached key — only
without a second of imports apiece (what a worker forked by `gunicorn --preload` shares too).
"""

from __future__ import annotations

import multiprocessing

from gosuslugi_sandbox.idp import create_app as create_idp
from gosuslugi_sandbox.relying_party import create_app as create_rp

STARTERS = multiprocessing.get_context("forkserver")
# a module the server cannot import (it keeps the parent's working directory, not sys.path)
# is skipped by multiprocessing, and each process then imports it itself: slower, same result
STARTERS.set_forkserver_preload([__name__])


def start_app(app: str, config: dict) -> tuple[str, list]:
    """Build an app; return the secret and the key ids it serves (the IdP's)."""
    if app == "idp":
        built = create_idp(config)
        kids = sorted(k["kid"] for k in built.extensions["idp"].keys.public_jwks()["keys"])
        built.extensions["idp"].db.dispose()
        return built.config["SECRET_KEY"], kids
    built = create_rp(config)
    built.extensions["database"].dispose()
    return built.config["SECRET_KEY"], []
