"""One Authlib ResourceProtector for both dialects' resources: OIDC userinfo and ESIA /rs/prns.

A resource names its dialect (`protector.acquire_token(dialect="esia")`; userinfo, which
Authlib's UserInfoEndpoint calls without one, is "oidc"): an access token opens only the
resources of the dialect it was issued in.
"""

from __future__ import annotations

from authlib.integrations.flask_oauth2 import ResourceProtector
from authlib.oauth2.rfc6750 import BearerTokenValidator

from gosuslugi_sandbox.idp.models import Token
from gosuslugi_sandbox.idp.runtime import db_session
from gosuslugi_sandbox.idp.storage.consume import find_access_token

OIDC = ("oidc",)


class BearerValidator(BearerTokenValidator):
    """Access tokens looked up by digest within one dialect (expiry and revocation: Authlib)."""

    def authenticate_token(self, token_string: str, dialect: str = "oidc") -> Token | None:
        return find_access_token(db_session(), token_string.strip(), dialect)


class Protector(ResourceProtector):
    """Authlib's bearer check, with the dialect of the resource passed to the token lookup."""

    def validate_request(self, scopes, request, dialect=OIDC, **kwargs):
        # Authlib's own steps; only authenticate_token gets the dialect (acquire_token hands
        # a string keyword argument on as a one-element list).
        validator, token_string = self.parse_request_authorization(request)
        validator.validate_request(request)
        token = validator.authenticate_token(token_string, dialect[0])
        validator.validate_token(token, scopes, request, **kwargs)
        return token


protector = Protector()
protector.register_token_validator(BearerValidator())
