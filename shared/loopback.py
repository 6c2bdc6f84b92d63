"""HTTP to a loopback address never goes through a proxy, as in every browser.

requests sends a request through HTTP_PROXY / HTTPS_PROXY / ALL_PROXY for every host NO_PROXY
does not name, 127.0.0.1 included. With a proxy in the environment and no NO_PROXY (common on
office machines), `make run` sent its health checks to the proxy and gave up after two
minutes, and Sferum's calls to a local IdP failed. Chromium and Firefox never proxy loopback;
the sandbox's own clients (Sferum's calls to the IdP, the harness's browser over HTTP, its
control client, the start-up checks) now do the same. Other hosts keep the environment's
proxies, and its CA bundle (REQUESTS_CA_BUNDLE) still applies to every host.

Imported on first use by the apps: requests is kept out of their start.
"""

from __future__ import annotations

from typing import Any

import requests

from gosuslugi_sandbox.shared.hosts import is_loopback_url


class DirectToLoopback:
    """A requests.Session mixin: requests for loopback addresses bypass every proxy."""

    def merge_environment_settings(self, url, proxies, stream, verify, cert) -> dict[str, Any]:
        settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if is_loopback_url(url):
            settings["proxies"] = {}  # the environment's CA bundle in `verify` stays
        return settings

    def rebuild_proxies(self, prepared_request, proxies) -> dict[str, str]:
        # a redirect followed by requests itself is resolved again here
        if is_loopback_url(prepared_request.url):
            return {}
        return super().rebuild_proxies(prepared_request, proxies)


class Session(DirectToLoopback, requests.Session):
    """requests.Session that sends loopback requests directly."""


def get(url: str, **kwargs: Any) -> requests.Response:
    """requests.get through a Session that sends loopback requests directly."""
    with Session() as session:
        return session.get(url, **kwargs)
