"""Главная, Настройки (profile form, locked fields enforced here) and public profiles."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from gosuslugi_sandbox.relying_party.gosuslugi.sync import LOCKED_FIELDS
from gosuslugi_sandbox.relying_party.models import User
from gosuslugi_sandbox.relying_party.web import (
    current_user,
    db,
    log_event,
    login_required,
    message_page,
)
from gosuslugi_sandbox.shared.formats import FormatError, format_phone, parse_date

bp = Blueprint("profile", __name__)

LOCKED_MESSAGE = (
    "Вы не можете редактировать данные. Для того, чтобы отредактировать их, отвяжите профиль "
    "от Госуслуг или обратитесь в техническую поддержку."
)


@bp.route("/")
@login_required
def home():
    """Главная: the school card and, until linked, the Gosuslugi banner."""
    user = current_user()
    membership = user.memberships[0] if user.memberships else None
    return render_template("home.html", membership=membership)


def _read_form(form, user: User) -> tuple[dict, dict[str, str]]:
    """The submitted values (missing fields keep the current ones) and a Russian error per field."""
    values: dict = {}
    errors: dict[str, str] = {}
    for field, label in (("last_name", "Фамилия"), ("first_name", "Имя")):
        value = form.get(field, getattr(user, field)).strip()
        if not value or len(value) > 100:
            errors[field] = f"Поле «{label}» должно содержать от 1 до 100 символов"
        values[field] = value
    values["middle_name"] = form.get("middle_name", user.middle_name).strip()[:100]
    gender = form.get("gender", user.gender or "")
    if gender not in ("M", "F", ""):
        errors["gender"] = "Укажите пол"
    values["gender"] = gender or None
    raw_birth = form.get("birth_date", user.birth_date.isoformat() if user.birth_date else "")
    try:
        values["birth_date"] = parse_date(raw_birth) if raw_birth.strip() else None
    except FormatError:
        errors["birth_date"] = "Дата рождения указана неверно: нужна дата вида 23.04.1990"
    raw_phone = form.get("contact_phone", user.contact_phone).strip()
    try:
        values["contact_phone"] = format_phone(raw_phone) if raw_phone else ""
    except FormatError:
        errors["contact_phone"] = (
            "Контактный номер телефона указан неверно: нужен российский номер, "
            "например +7 911 111-11-11"
        )
    values["availability"] = form.get("availability", user.availability).strip()
    if len(values["availability"]) > 300:
        errors["availability"] = "Время доступности — не больше 300 символов"
    return values, errors


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Настройки: the profile form; names, gender and birth date locked while linked."""
    user = current_user()
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, errors = _read_form(request.form, user)
        if not errors and user.verified:
            changed_locked = [f for f in LOCKED_FIELDS if values.get(f) != getattr(user, f)]
            if changed_locked:
                # A forged POST (the fields are read-only on the page): refuse the whole save.
                return message_page("Настройки", LOCKED_MESSAGE, 403, code="locked_fields")
        if not errors:
            changed = [k for k, v in values.items() if getattr(user, k) != v]
            for key, value in values.items():
                setattr(user, key, value)
            if changed:
                log_event(db(), "profile_update", user.id, fields=changed)
            db().commit()
            flash("Изменения сохранены")
            return redirect(url_for("profile.settings"))
    # a rejected form comes back as typed, each error next to its field
    typed = request.form if errors else {}
    return render_template(
        "settings.html", errors=errors, typed=typed, locked_message=LOCKED_MESSAGE
    )


@bp.route("/profile/<int:user_id>")
@login_required
def public_profile(user_id: int):
    """Another member's profile, with the mark when verified."""
    person = db().get(User, user_id)
    if person is None:
        abort(404)
    return render_template("profile.html", person=person)
