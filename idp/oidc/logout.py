"""RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): ends the IdP session.

Any web page can send the browser to /logout, so the session ends silently only when the
request carries an ID token we issued to the person of this browser's session
(`id_token_hint`); otherwise the person is asked, on a page whose form is CSRF-protected,
as the specification requires ("the OP MUST ask the End-User ... if an id_token_hint was not
provided or if the supplied ID Token does not belong to the current OP session").
"""

from __future__ import annotations

from dataclasses import dataclass

from authlib.common.urls import add_params_to_uri
from flask import redirect, render_template, request
from flask_wtf.csrf import CSRFError, validate_csrf
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey
from wtforms import ValidationError

from gosuslugi_sandbox.idp import sso
from gosuslugi_sandbox.idp.errors import PageError
from gosuslugi_sandbox.idp.oidc import bp
from gosuslugi_sandbox.idp.oidc.server import query_client
from gosuslugi_sandbox.idp.runtime import db_session, runtime

BAD_HINT = "Некорректный параметр id_token_hint."
BAD_TARGET = "Адрес возврата после выхода (post_logout_redirect_uri) не зарегистрирован."


@dataclass
class LogoutRequest:
    """A checked logout request: where to go afterwards and whose ID token came with it."""

    client_id: str | None
    target: str | None
    state: str | None
    hint_sub: str | None

    @property
    def client_name(self) -> str | None:
        """What the question calls the asking site: its registered name, else its id."""
        client = query_client(self.client_id) if self.client_id else None
        return client.client_name if client else self.client_id

    def finish(self):
        """Where the browser goes once the question is settled."""
        if self.target:
            state = self.state
            return redirect(
                add_params_to_uri(self.target, [("state", state)]) if state else self.target
            )
        return render_template("oidc/logged_out.html")


def _signer(token) -> RSAKey | ECKey:
    """The key that signed the hint: any this stand has signed with, retired ones too (a
    token from before a rotation, or signed by a worker that rotated since this one read)."""
    key = runtime().keyring.issued_key(db_session(), str(token.headers().get("kid") or ""))
    if key is None:
        raise ValueError("not signed by a key of this stand")
    return key


def _hint_claims(hint: str) -> dict:
    """Claims of an ID token we issued (expired ones are fine for a logout hint)."""
    try:
        token = jwt.decode(hint, _signer, algorithms=["RS256", "ES256"])
    except (JoseError, ValueError) as exc:
        raise PageError(BAD_HINT, "invalid_request") from exc
    return dict(token.claims)


def _checked(values) -> LogoutRequest:
    """The request's parameters, validated (a bad hint or an unregistered target: 400)."""
    client_id = values.get("client_id") or None
    hint = values.get("id_token_hint")
    sub = None
    if hint:
        claims = _hint_claims(hint)
        aud = claims.get("aud")
        hint_client = aud[0] if isinstance(aud, list) and aud else aud
        if client_id and hint_client != client_id:
            raise PageError(BAD_HINT, "invalid_request")
        client_id = hint_client
        sub = str(claims.get("sub"))
    target = values.get("post_logout_redirect_uri") or None
    if target:
        client = query_client(client_id) if isinstance(client_id, str) else None
        if client is None or target not in client.post_logout_redirect_uris:
            raise PageError(BAD_TARGET, "invalid_request")
    return LogoutRequest(client_id, target, values.get("state") or None, sub)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """End the SSO session when the hint proves who asks; otherwise ask the person first."""
    asked = _checked(request.values)
    row = sso.current_session()
    if row is None:
        return asked.finish()  # nobody is logged in here: nothing to confirm
    if asked.hint_sub is not None and asked.hint_sub == str(row.person_oid):
        sso.end_session()
        db_session().commit()
        return asked.finish()
    return render_template("oidc/logout_confirm.html", asked=asked)


@bp.route("/logout/confirm", methods=["POST"])
def confirm_logout():
    """The person's answer: «Выйти» ends the session, «Остаться» keeps it."""
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError as exc:
        # the blueprint is CSRF-exempt (token and userinfo are APIs): this form checks itself
        raise CSRFError(str(exc)) from exc
    asked = _checked(request.form)
    if request.form.get("decision") != "logout":
        return render_template("oidc/logout_kept.html", asked=asked)
    sso.end_session()
    db_session().commit()
    return asked.finish()
