"""Where `make run` listens and how it is reached: BIND, TLS=1, and the warning for a stand
whose control API anyone on the network could use."""

from __future__ import annotations

import ipaddress
import os

from gosuslugi_sandbox.shared.config import switch
from gosuslugi_sandbox.shared.hosts import is_loopback
from gosuslugi_sandbox.shared.tls import TlsFiles, ensure_tls

WILDCARDS = ("0.0.0.0", "::", "")
APPS = (("IDP", "the fake Gosuslugi"), ("RP", "the fake Sferum"))
MARK = "!! WARNING:"  # how each warning begins (tests look for it)


def bind_address() -> str:
    """BIND: the address both apps listen on (127.0.0.1: this machine only)."""
    return os.environ.get("BIND", "127.0.0.1").strip()


def bind_argument(bind: str, port: int) -> str:
    """gunicorn's --bind value (an IPv6 address in brackets)."""
    try:
        if ipaddress.ip_address(bind or "0.0.0.0").version == 6:
            return f"[{bind}]:{port}"
    except ValueError:
        pass  # a host name
    return f"{bind or '0.0.0.0'}:{port}"


def url_host(bind: str) -> str:
    """The host in the printed URLs: loopback for a wildcard bind, else the bind address."""
    if bind in WILDCARDS:
        return "127.0.0.1"
    try:
        return f"[{bind}]" if ipaddress.ip_address(bind).version == 6 else bind
    except ValueError:
        return bind


def exposure_warnings(bind: str, env: dict[str, str]) -> list[str]:
    """A loud warning per app whose open control API listens beyond this machine."""
    if is_loopback(bind.strip("[]")):
        return []
    warnings = []
    for prefix, name in APPS:
        control_off = not switch(env.get(f"{prefix}_CONTROL"), default=True)
        if control_off or env.get(f"{prefix}_CONTROL_TOKEN"):
            continue
        line = "!" * 78
        warnings.append(
            f"{line}\n"
            f"{MARK} {name} listens on {bind or '0.0.0.0'} and its control API has no "
            f"token.\n"
            f"!! Anyone who can reach this machine can read SMS codes, add persons and reset "
            f"the stand.\n"
            f"!! Set {prefix}_CONTROL_TOKEN=<a long random string> (clients send it as "
            f"`Authorization: Bearer …`),\n"
            f"!! or {prefix}_CONTROL=off, or BIND=127.0.0.1.\n"
            f"{line}"
        )
    return warnings


def tls_files() -> TlsFiles | None:
    """With TLS=1: the test CA (made once, in TLS_DIR, default instance/tls) and a server
    certificate for loopback, the bind address and TLS_HOSTS (names separated by commas)."""
    if not switch(os.environ.get("TLS")):
        return None
    hosts = [h for h in os.environ.get("TLS_HOSTS", "").replace(",", " ").split() if h]
    bind = bind_address()
    if bind not in WILDCARDS:
        hosts.append(bind)
    return ensure_tls(os.path.abspath(os.environ.get("TLS_DIR") or "instance/tls"), hosts)
