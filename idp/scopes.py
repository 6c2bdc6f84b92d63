"""What each scope means to a person (consent page) — shared by OIDC and the ESIA dialect."""

from __future__ import annotations

SCOPE_TITLES = {
    "openid": "Идентификатор учётной записи и её уровень",
    "profile": "Фамилия, имя, отчество, пол и дата рождения",
    "fullname": "Фамилия, имя и отчество",
    "birthdate": "Дата рождения",
    "gender": "Пол",
    "snils": "СНИЛС",
    "inn": "ИНН",
    "email": "Адрес электронной почты",
    "mobile": "Номер мобильного телефона",
    "phone": "Номер мобильного телефона",
    "contacts": "Контактные данные",
    "id_doc": "Данные документа, удостоверяющего личность",
    "birthplace": "Место рождения",
    "addresses": "Адреса регистрации и проживания",
    "usr_org": "Организации, в которых вы состоите",
    "citizenship": "Гражданство",
}


def scope_title(scope: str) -> str:
    """The Russian description of a scope (the scope itself when unknown)."""
    return SCOPE_TITLES.get(scope, scope)
