"""ESIA error codes as exceptions, rendered as `ESIA-0070xx: <English text>` descriptions.

Codes and meanings: docs/esia-gost.md ("ESIA error codes the sandbox sends"). Texts are
English and ASCII, as real ESIA sends them and as OAuth requires for `error_description`.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from authlib.oauth2.rfc6749.errors import OAuth2Error


def callback_uri(redirect_uri: str, params: Iterable[tuple[str, str | None]]) -> str:
    """The client's registered redirect URI with params (None left out) added to its query.

    Appended as is, unlike Authlib's `add_params_to_uri`, which re-encodes the registered query.
    """
    query = urlencode([(name, value) for name, value in params if value is not None])
    return f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}"


class EsiaError(OAuth2Error):
    """An ESIA protocol error: an OAuth `error` plus an `ESIA-0070xx` description.

    The body is `{"error", "error_description", "state"}`, state whenever the request had one
    (even empty, as the token endpoint always answered). With a (trusted) `redirect_uri` the
    same parameters go to the client's callback instead.
    """

    code = "ESIA-007007"
    error = "server_error"
    text = "Unexpected error"
    status_code = 400

    def __init__(
        self, detail: str | None = None, state: str | None = None, redirect_uri: str | None = None
    ) -> None:
        # Authlib refuses (ValueError, a 500) a description with a quote or a backslash; the
        # detail may echo client input, so the description is set after, made ASCII below.
        super().__init__(state=state, redirect_uri=redirect_uri)
        self.detail = detail
        self.description = self._describe()
        self.args = (self.description,)

    def _describe(self) -> str:
        """The `error_description`: code, text and the detail in brackets when given."""
        base = f"{self.code}: {self.text}"
        if self.detail:
            base += f" [{self.detail}]"
        # Details may echo client input; OAuth allows ASCII only (RFC 6749 section 4.1.2.1).
        return base.encode("ascii", "replace").decode("ascii")

    def get_body(self) -> list[tuple[str, str]]:
        body = [("error", self.error), ("error_description", self.description)]
        if self.state is not None:
            body.append(("state", self.state))
        return body

    def __call__(self, uri=None):
        if self.redirect_uri:
            return 302, "", [("Location", callback_uri(self.redirect_uri, self.get_body()))]
        return super().__call__(uri=uri)


class CertificateMismatch(EsiaError):
    """ESIA-007002: the certificate does not match the client mnemonic (docs/esia-gost.md)."""

    code = "ESIA-007002"
    error = "invalid_request"
    text = "The client certificate does not match the client system mnemonic"


class InvalidParameter(EsiaError):
    """ESIA-007003: a parameter is missing, invalid or repeated (docs/esia-gost.md)."""

    code = "ESIA-007003"
    error = "invalid_request"
    text = "The request contains an invalid or repeated parameter"


class AccessDenied(EsiaError):
    """ESIA-007004: the user or the server refused access (docs/esia-gost.md)."""

    code = "ESIA-007004"
    error = "access_denied"
    text = "The resource owner or authorization server denied the request"


class UnauthorizedClient(EsiaError):
    """ESIA-007005: the client is not allowed this method (RSA key, unusable certificate)."""

    code = "ESIA-007005"
    error = "unauthorized_client"
    # real ESIA's wording (docs/esia-gost.md)
    text = "The client is not authorized to request an access token using this method."


class InvalidScope(EsiaError):
    """ESIA-007006: the requested scope is invalid or unknown (docs/esia-gost.md)."""

    code = "ESIA-007006"
    error = "invalid_scope"
    text = "The requested scope is invalid, unknown, or malformed"


class ServerError(EsiaError):
    """ESIA-007007: an unexpected error (docs/esia-gost.md)."""

    code = "ESIA-007007"
    error = "server_error"
    text = "The authorization server encountered an unexpected condition"
    status_code = 500


class UnsupportedGrantType(EsiaError):
    """ESIA-007009: the grant type is not supported (docs/esia-gost.md)."""

    code = "ESIA-007009"
    error = "unsupported_grant_type"
    text = "The authorization grant type is not supported"


class InvalidGrant(EsiaError):
    """ESIA-007011: a code or refresh token invalid, expired or foreign (docs/esia-gost.md)."""

    code = "ESIA-007011"
    error = "invalid_grant"
    text = (
        "The provided authorization grant is invalid, expired, revoked "
        "or was issued to another client"
    )


class UnsupportedResponseType(EsiaError):
    """ESIA-007012: the response (code) type is not supported (docs/esia-gost.md)."""

    code = "ESIA-007012"
    error = "unsupported_response_type"
    text = (
        "The authorization server does not support obtaining "
        "an authorization code using this method"
    )


class MissingParameter(EsiaError):
    """ESIA-007014: a mandatory parameter is missing; the detail names it (docs/esia-gost.md)."""

    code = "ESIA-007014"
    error = "invalid_request"
    text = "The request doesn't contain the mandatory parameter"


class TimestampOutOfRange(EsiaError):
    """ESIA-007015: the request's timestamp is too far from the server time (docs/esia-gost.md)."""

    code = "ESIA-007015"
    error = "invalid_request"
    text = "The request time is out of the allowed range"


class RedirectUriNotRegistered(EsiaError):
    """ESIA-007023: the redirect_uri is not registered for the client (docs/esia-gost.md)."""

    code = "ESIA-007023"
    error = "invalid_request"
    text = "The redirect_uri is not registered for the client system"


class WrongClientSecret(EsiaError):
    """ESIA-007053: the client_secret (signature or certificate hash) is wrong.

    Real ESIA sends `error=access_denied` with `OAuthErrorEnum.clientSecretWrong`
    (docs/esia-gost.md); the bracketed detail is the sandbox's own.
    """

    code = "ESIA-007053"
    error = "access_denied"
    text = "OAuthErrorEnum.clientSecretWrong"


class UnconfirmedAccount(EsiaError):
    """ESIA-007055: the person's account is not confirmed (person_filter conf_acc)."""

    code = "ESIA-007055"
    error = "access_denied"
    text = "The user account is not confirmed"
