"""«Войти другим способом» → «Эл. подпись»: choose a certificate of the token, enter its PIN.

The sandbox's stand-in for a qualified signature login (idp/login/certificates.py): the PIN
must open the certificate's key, the certificate must be the test CA's, in date and not in its
CRL, and its SNILS must be a person's. Then the person is logged in with amr ["DS"] (ESIA:
urn:esia:amd "DS") and no SMS step.
"""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from sqlalchemy import select

from gosuslugi_sandbox.idp import interactions as ix
from gosuslugi_sandbox.idp import limits
from gosuslugi_sandbox.idp.fixtures import fixtures_dir
from gosuslugi_sandbox.idp.login import bp
from gosuslugi_sandbox.idp.login.certificates import Certificate, State, Token, load_token
from gosuslugi_sandbox.idp.login.views import finish_login
from gosuslugi_sandbox.idp.models import Person
from gosuslugi_sandbox.idp.runtime import db_session, now
from gosuslugi_sandbox.shared.formats import FormatError, normalize_snils, plural_ru

AMR = ["DS"]
STATE_LABELS = {
    State.VALID: "Действителен",
    State.EXPIRED: "Срок действия истёк",
    State.NOT_YET_VALID: "Ещё не действует",
    State.REVOKED: "Отозван",
    State.UNTRUSTED: "Выдан неизвестным удостоверяющим центром",
}
# What Gosuslugi says when the certificate itself is the problem.
STATE_ERRORS = {
    State.EXPIRED: "Срок действия сертификата истёк. Выберите действующий сертификат "
    "или войдите другим способом.",
    State.NOT_YET_VALID: "Сертификат ещё не вступил в действие. Выберите действующий "
    "сертификат или войдите другим способом.",
    State.REVOKED: "Сертификат отозван удостоверяющим центром. Выберите действующий "
    "сертификат или войдите другим способом.",
    State.UNTRUSTED: "Сертификат выдан удостоверяющим центром, которому Госуслуги не "
    "доверяют. Выберите другой сертификат.",
}


def _token() -> Token:
    return load_token(fixtures_dir(current_app.config))


def _person_of(certificate: Certificate) -> Person | None:
    try:
        snils = normalize_snils(certificate.snils)
    except FormatError:
        return None
    return db_session().scalar(select(Person).where(Person.snils == snils))


@bp.route("/login/signature", endpoint="signature")
def choose():
    """The certificates found on the (sandbox) token, each with its state."""
    inter = ix.load(request.args.get("interaction"))
    moment = now()
    rows = [(c, c.state(moment, _token())) for c in _token().certificates]
    return render_template(
        "login/signature.html", inter=inter, rows=rows, labels=STATE_LABELS, valid=State.VALID
    )


def _pin_page(inter, certificate: Certificate, error: str | None = None, status: int = 200):
    page = render_template(
        "login/signature_pin.html",
        inter=inter,
        certificate=certificate,
        state=certificate.state(now(), _token()),
        labels=STATE_LABELS,
        error=error,
    )
    return page, status


@bp.route("/login/signature/pin", methods=["GET", "POST"], endpoint="signature_pin")
def pin():
    """Enter the PIN of the chosen certificate; on success the person is logged in."""
    inter = ix.load(request.args.get("interaction"))
    certificate = _token().get(request.args.get("certificate"))
    if certificate is None:
        abort(404)
    if request.method == "GET":
        return _pin_page(inter, certificate)
    pins = limits.pin_limit()
    key = f"pin:{certificate.id}"
    if not limits.counters.take(key, pins):
        return _pin_page(inter, certificate, _blocked_message(pins.limit), 403)
    if not certificate.unlock(request.form.get("pin", "")):
        left = pins.limit - limits.counters.state(key, pins).count
        if left <= 0:
            return _pin_page(inter, certificate, _blocked_message(pins.limit), 403)
        return _pin_page(inter, certificate, f"Неверный PIN-код. Осталось попыток: {left}", 400)
    limits.counters.clear(key)
    ix.commit()
    state = certificate.state(now(), _token())
    if state is not State.VALID:
        return _pin_page(inter, certificate, STATE_ERRORS[state], 403)
    person = _person_of(certificate)
    if person is None:
        message = (
            "Учётная запись с СНИЛС из сертификата не найдена. Зарегистрируйтесь на "
            "Госуслугах или войдите по логину и паролю."
        )
        return _pin_page(inter, certificate, message, 403)
    if limits.counters.blocked(limits.password_key(person.oid, "")):
        message = "Вход в учётную запись временно заблокирован. Попробуйте позже."
        return _pin_page(inter, certificate, message, 403)
    return finish_login(inter, person, AMR)  # the signature is the only factor


def _blocked_message(limit: int) -> str:
    return (
        f"PIN-код заблокирован: он введён неверно {limit} {plural_ru(limit, 'раз', 'раза', 'раз')}"
        " подряд. Войдите по логину и паролю или выберите другой сертификат."
    )
