"""Start a private stand (fake Gosuslugi + fake Sferum) on free ports, in this process."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from gosuslugi_sandbox.harness.scenarios.context import Stand
from gosuslugi_sandbox.harness.servers import LiveServer, listening_socket
from gosuslugi_sandbox.shared.config import FIXTURES_DIR
from gosuslugi_sandbox.shared.tls import TlsFiles

# `harness run -j N` builds stands from N threads. The first build imports the apps' modules
# (and each new database loads Alembic's scripts), and CPython 3.11 can fail compiling an
# AST from several threads at once (pytest's assertion rewriting does that on import):
# SystemError "AST constructor recursion depth mismatch" (CPython gh-106905). So the apps
# are built one at a time; serving and the scenarios still run in parallel.
_BUILDING = threading.Lock()

# A stand's RP protocol names a fake Sferum: its PROTOCOL plus the settings that make it so.
# `esia-gost` is the ESIA dialect as real relying parties speak it today (a GOST key: /v2/ac,
# /v3/te, raw GOST signatures, GOST3410_2012_256 tokens); `esia` is the legacy RSA CMS one.
_FIXTURES = FIXTURES_DIR / "esia"
RP_PROFILES: dict[str, dict] = {
    "esia-gost": {
        "PROTOCOL": "esia",
        "ESIA_CLIENT_ID": "esia-gost",
        "ESIA_CERT_FILE": str(_FIXTURES / "gost-client.crt.pem"),
        "ESIA_KEY_FILE": str(_FIXTURES / "gost-client.key.pem"),  # TEST-ONLY key
        "ESIA_TOKEN_ALGS": ["GOST3410_2012_256"],
    },
}


class LocalStand:
    """An IdP and an RP speaking one protocol, each with its own temporary instance directory."""

    def __init__(
        self,
        protocol: str = "oidc",
        extra_rp_config: dict | None = None,
        tls: TlsFiles | None = None,
        database_url: str | None = None,
        keys_dir: str | None = None,
        extra_idp_config: dict | None = None,
        idp_middleware: Callable | None = None,
    ) -> None:
        self.protocol = protocol
        self.tls = tls  # serve both over HTTPS with this certificate (gosuslugi_sandbox.shared.tls)
        # both apps in this (empty) database instead of SQLite files in their instance dirs
        self._database = {"DATABASE_URL": database_url} if database_url else {}
        # the IdP's first signing keys from these files (made on first use), else new ones
        self._keys = {"KEYS_DIR": keys_dir} if keys_dir else {}
        self._stack = ExitStack()
        self._extra_rp_config = extra_rp_config or {}
        self._extra_idp_config = extra_idp_config or {}
        # wraps the IdP's WSGI app (a test's tap on what reaches it)
        self._idp_middleware = idp_middleware
        self.stand: Stand | None = None
        self.idp: LiveServer | None = None  # the servers, once started (their .app: the apps)
        self.rp: LiveServer | None = None

    def start(self) -> Stand:
        """Start both apps and return where they are (nothing is left behind if one fails)."""
        try:
            return self._start()
        except BaseException:
            self._stack.close()
            raise

    def _start(self) -> Stand:
        with _BUILDING:
            # here, under the lock (see _BUILDING); a run against given stands loads no app
            from gosuslugi_sandbox.idp import create_app as create_idp
            from gosuslugi_sandbox.relying_party import create_app as create_rp

            root = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="stand-")))
            # the ports are held from now on: each app is built knowing the other's URL
            idp_socket = self._stack.enter_context(listening_socket())
            rp_socket = self._stack.enter_context(listening_socket())
            idp_port, rp_port = idp_socket.getsockname()[1], rp_socket.getsockname()[1]
            scheme = "https" if self.tls else "http"
            idp_url = f"{scheme}://127.0.0.1:{idp_port}"
            rp_url = f"{scheme}://127.0.0.1:{rp_port}"
            idp_app = create_idp(
                {
                    "INSTANCE_PATH": str(root / "idp"),
                    "ISSUER": idp_url,
                    "SFERUM_URL": rp_url,
                    **self._database,
                    **self._keys,
                    **self._extra_idp_config,
                }
            )
            if self._idp_middleware:
                idp_app.wsgi_app = self._idp_middleware(idp_app.wsgi_app)
            idp = self.idp = LiveServer(idp_app, tls=self.tls, sock=idp_socket).start()
            # callbacks run last-in first-out: the server stops, then its database connections
            # close (a PostgreSQL pool left to the garbage collector warns)
            self._stack.callback(idp.app.extensions["idp"].db.dispose)
            self._stack.callback(idp.stop)
            rp = self.rp = LiveServer(
                create_rp(
                    {
                        "INSTANCE_PATH": str(root / "sferum"),
                        "IDP_URL": idp.url,
                        "PUBLIC_URL": rp_url,
                        "PROTOCOL": self.protocol,
                        "CA_BUNDLE": str(self.tls.ca_cert) if self.tls else None,
                        **RP_PROFILES.get(self.protocol, {}),
                        **self._database,
                        **self._extra_rp_config,
                    }
                ),
                tls=self.tls,
                sock=rp_socket,
            ).start()
            self._stack.callback(rp.app.extensions["database"].dispose)
            self._stack.callback(rp.stop)
        ca_bundle = str(self.tls.bundle) if self.tls else None
        self.stand = Stand(idp_url=idp.url, rp_urls={self.protocol: rp.url}, ca_bundle=ca_bundle)
        return self.stand

    def stop(self) -> None:
        """Stop both apps and remove their data."""
        self._stack.close()


class StandPool:
    """Private stands, one per worker thread and protocol, started on first use (over HTTPS
    with `tls`, a gosuslugi_sandbox.shared.tls.TlsFiles; each in a fresh database from
    `new_database`, a callable giving a SQLAlchemy URL, when given, else in SQLite files).

    The stands of a pool start with the same IdP signing keys (RSA-2048 takes up to 300 ms
    to generate, for each of a run's stands); each stand still rotates its own.
    """

    def __init__(self, tls=None, new_database=None) -> None:
        self.tls = tls
        self.new_database = new_database
        self._local = threading.local()
        self._all = []
        self._lock = threading.Lock()
        self._keys = tempfile.TemporaryDirectory(prefix="stand-keys-")

    def get(self, protocol: str) -> Stand:
        """This thread's stand for the protocol."""
        stands = getattr(self._local, "stands", None)
        if stands is None:
            stands = self._local.stands = {}
        if protocol not in stands:
            url = self.new_database() if self.new_database else None
            local = LocalStand(protocol, tls=self.tls, database_url=url, keys_dir=self._keys.name)
            stands[protocol] = local.start()
            with self._lock:
                self._all.append(local)
        return stands[protocol]

    def stop(self) -> None:
        """Stop every stand started."""
        for local in self._all:
            local.stop()
        self._keys.cleanup()
