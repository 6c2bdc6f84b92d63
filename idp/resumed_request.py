"""An authorization request resumed from its interaction, for either dialect's server.

Both dialects check a request when it arrives, keep its parameters in the Interaction and
send the person through the login pages; back at the resume endpoint the grant gets this
rebuilt request: the parameters checked then (all of them, or the ones a dialect names) and
the interaction itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from authlib.oauth2.rfc6749 import OAuth2Request
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload

from gosuslugi_sandbox.idp.models import Interaction


class ResumedRequest(OAuth2Request):
    """A GET authorization request rebuilt from an Interaction's stored parameters."""

    def __init__(self, uri: str, inter: Interaction, params: Mapping[str, str] | None = None):
        super().__init__("GET", uri, headers={})
        self._params = dict((inter.params or {}) if params is None else params)
        self.payload = BasicOAuth2Payload(dict(self._params))
        self.interaction = inter

    @property
    def args(self) -> dict[str, str]:
        return self._params

    @property
    def form(self) -> dict[str, str]:
        return {}
