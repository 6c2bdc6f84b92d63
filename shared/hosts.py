"""Which hosts are this machine's own: loopback addresses and localhost.

Kept free of heavy imports: the harness's HTTP client and the control-API guard both ask, and
the client must not pull the apps' libraries (SQLAlchemy, requests) into every process.
"""

from __future__ import annotations

import functools
import ipaddress
from urllib.parse import urlsplit


@functools.lru_cache(maxsize=256)  # asked for every request the harness sends
def is_loopback(name: str) -> bool:
    """127.0.0.0/8, ::1, localhost and *.localhost (which browsers never resolve elsewhere)."""
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    """Whether the URL's host is a loopback address (127.0.0.0/8, ::1) or localhost."""
    try:
        host = urlsplit(url).hostname  # lower case, IPv6 without brackets
    except ValueError:  # a malformed URL (e.g. an unclosed IPv6 bracket): not ours to judge
        return False
    return bool(host) and is_loopback(host)
