"""RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): ends the IdP session."""

from __future__ import annotations

from authlib.common.urls import add_params_to_uri
from flask import redirect, render_template, request
from joserfc import jwt
from joserfc.errors import JoseError

from idp import sso
from idp.errors import PageError
from idp.oidc import bp
from idp.oidc.server import query_client
from idp.runtime import db_session, runtime

BAD_HINT = "Некорректный параметр id_token_hint."
BAD_TARGET = "Адрес возврата после выхода (post_logout_redirect_uri) не зарегистрирован."


def _hint_claims(hint: str) -> dict:
    """Claims of an ID token we issued (expired ones are fine for a logout hint)."""
    try:
        token = jwt.decode(hint, runtime().keys.key_set, algorithms=["RS256", "ES256"])
    except (JoseError, ValueError) as exc:
        raise PageError(BAD_HINT, "invalid_request") from exc
    return dict(token.claims)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """End the SSO session; go back to a registered post_logout_redirect_uri if asked."""
    values = request.values
    client_id = values.get("client_id")
    hint = values.get("id_token_hint")
    if hint:
        aud = _hint_claims(hint).get("aud")
        hint_client = aud[0] if isinstance(aud, list) and aud else aud
        if client_id and hint_client != client_id:
            raise PageError(BAD_HINT, "invalid_request")
        client_id = hint_client
    target = values.get("post_logout_redirect_uri")
    if target:
        client = query_client(client_id) if client_id else None
        if client is None or target not in client.post_logout_redirect_uris:
            raise PageError(BAD_TARGET, "invalid_request")
    sso.end_session()
    db_session().commit()
    if target:
        state = values.get("state")
        return redirect(add_params_to_uri(target, [("state", state)]) if state else target)
    return render_template("oidc/logged_out.html")
