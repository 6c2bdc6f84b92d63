"""Every way a trip to Gosuslugi can be refused: a code, its Russian message, its status."""

from __future__ import annotations

# Russian messages for every way a trip to Gosuslugi can fail (shown on the refusal page).
MESSAGES = {
    "access_denied": (
        "Вы отказались передать данные Госуслуг. Профиль не связан с Госуслугами — "
        "вы можете попробовать снова в любой момент."
    ),
    "idp_error": "Госуслуги вернули ошибку. Профиль не связан. Попробуйте ещё раз.",
    "state_unknown": (
        "Ответ Госуслуг не относится к начатому входу или уже был использован. "
        "Начните заново со страницы «Настройки»."
    ),
    "state_expired": "Время на вход через Госуслуги истекло. Начните заново.",
    "idp_unavailable": "Госуслуги сейчас недоступны. Попробуйте позже.",
    "idp_timeout": "Госуслуги не ответили вовремя. Попробуйте позже.",
    "idp_garbage": "Госуслуги прислали некорректный ответ. Попробуйте позже.",
    "discovery_issuer": (
        "Адрес Госуслуг не совпадает с ожидаемым (issuer). Вход через Госуслуги невозможен."
    ),
    "token_error": "Госуслуги не выдали токен доступа. Начните заново.",
    "id_token_malformed": "Ответ Госуслуг повреждён: ID-токен не читается.",
    "id_token_alg": "Ответ Госуслуг подписан недопустимым алгоритмом.",
    "id_token_kid": "Ответ Госуслуг подписан неизвестным ключом.",
    "id_token_signature": "Подпись ответа Госуслуг неверна.",
    "id_token_iss": "Ответ выдан не Госуслугами (неверный издатель).",
    "id_token_aud": "Ответ Госуслуг предназначен не для «Сферума» (неверный получатель).",
    "id_token_azp": "Ответ Госуслуг выдан другому приложению (azp).",
    "id_token_exp": "Срок действия ответа Госуслуг истёк.",
    "id_token_iat": "Время выдачи ответа Госуслуг неверно.",
    "id_token_nonce": "Ответ Госуслуг не относится к этому входу (nonce).",
    "id_token_sub": "В ответе Госуслуг нет идентификатора пользователя.",
    "userinfo_sub": "Данные пользователя от Госуслуг относятся к другому человеку.",
    # The ESIA dialect: the access token is a signed JWT too, checked as strictly.
    "id_token_type": "Госуслуги прислали вместо ID-токена токен другого типа.",
    "access_token_malformed": "Ответ Госуслуг повреждён: токен доступа не читается.",
    "access_token_type": "Госуслуги прислали вместо токена доступа токен другого типа.",
    "access_token_alg": "Токен доступа Госуслуг подписан недопустимым алгоритмом.",
    "access_token_signature": "Подпись токена доступа Госуслуг неверна.",
    "access_token_iss": "Токен доступа выдан не Госуслугами (неверный издатель).",
    "access_token_client": "Токен доступа Госуслуг выдан другому приложению.",
    "access_token_exp": "Срок действия токена доступа Госуслуг истёк.",
    "access_token_iat": "Время выдачи токена доступа Госуслуг неверно.",
    "esia_certificate": (
        "Сертификат Госуслуг для проверки подписи недоступен или некорректен. Попробуйте позже."
    ),
    "esia_state": "Ответ Госуслуг на запрос токена не относится к этому входу (state).",
    "esia_subject": (
        "Токены Госуслуг относятся к разным людям: идентификатор пользователя не совпадает."
    ),
    "esia_trusted": "Госуслуги прислали противоречивые сведения о подтверждении учётной записи.",
    "esia_person": "Госуслуги не выдали данные пользователя. Попробуйте ещё раз.",
    # What the link itself refuses, whatever the dialect.
    "not_trusted": (
        "Ваша учётная запись на Госуслугах не подтверждена (упрощённая или стандартная). "
        "Связать профиль «Сферума» можно только с подтверждённой учётной записью. "
        "Подтвердите личность на Госуслугах — в центре обслуживания, через онлайн-банк или "
        "электронной подписью — и попробуйте снова."
    ),
    "already_linked": (
        "Эта учётная запись Госуслуг уже связана с другим профилем «Сферума». Одну учётную "
        "запись Госуслуг можно связать только с одним профилем. Отвяжите её от другого профиля "
        "или обратитесь в техническую поддержку."
    ),
    "profile_linked": "Ваш профиль уже связан с Госуслугами.",
    "not_linked": (
        "Эта учётная запись Госуслуг не связана ни с одним профилем «Сферума». Войдите по "
        "телефону или почте и свяжите профиль в разделе «Настройки» — «Перейти на Госуслуги»."
    ),
    "flow_lost": "Связывание с Госуслугами не найдено или устарело. Начните заново.",
}


GATEWAY_CODES = frozenset({"idp_unavailable", "idp_garbage"})
# Not an error of the request: the profile is simply linked already.
INFORMATIONAL_CODES = frozenset({"profile_linked"})


class GosuslugiError(Exception):
    """A refusal: `code` names it (shown as error-code), `message` is the Russian text."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail  # English, for logs only
        self.message = MESSAGES.get(code, MESSAGES["idp_error"])

    @property
    def status(self) -> int:
        """502 when the IdP could not be reached or answered garbage, wherever it is met."""
        if self.code in GATEWAY_CODES:
            return 502
        return 200 if self.code in INFORMATIONAL_CODES else 400
