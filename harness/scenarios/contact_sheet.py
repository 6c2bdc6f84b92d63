"""The contact sheet: the seed's screens in the seed's order on one page, to compare at a glance.

Browser runs save the screens under stable names (`screenshot:` steps of the browser
scenarios); `write_contact_sheet` puts those found in a folder on contact-sheet.html next to
them, each with the seed's words for that screen.
"""

from __future__ import annotations

import html
from pathlib import Path

# (file stem, what the seed says about the screen), in the order the seed shows them.
SEED_SCREENS = [
    ("03-sferum-home-banner", "«Подключите Госуслуги» — «Перейти на Госуслуги» на главной"),
    ("04-settings", "…или в разделе «Настройки»"),
    ("05-transfer-data", "1. Нажмите «Продолжить»"),
    ("06-gosuslugi-login", "2. Авторизуйтесь через Госуслуги"),
    ("33-gosuslugi-recovery", "«Восстановить»: телефон, почта или СНИЛС"),
    ("34-gosuslugi-recovery-code", "«Восстановить»: код и новый пароль"),
    ("35-gosuslugi-password-changed", "«Восстановить»: пароль изменён"),
    ("29-gosuslugi-signature-certificates", "«Войти другим способом» → «Эл. подпись»"),
    ("30-gosuslugi-signature-pin", "«Эл. подпись»: PIN-код"),
    ("28-gosuslugi-help", "«Не удаётся войти?»"),
    ("07-gosuslugi-sms", "3. Подтвердите вход кодом из СМС"),
    ("08-gosuslugi-consent", "Согласие на передачу данных"),
    ("09-link-identity", "4. Нажмите «Связать»"),
    ("10-vkid-password", "Введите пароль от VK ID («Забыли пароль» — восстановить)"),
    ("11-sync-table", "Если данные не совпадают, синхронизируйте их"),
    ("12-verified-settings", "После верификации в настройках профиля появится значок"),
    ("13-locked-refused", "Вы не можете редактировать данные…"),
    ("14-public-profile-mark", "В профиле другого человека видно, подтверждён ли его аккаунт"),
    ("27-admin-request-verified", "Администратор видит, что заявку подаёт реальный человек"),
    ("01-sferum-login", "Вход в «Сферум»: VK ID или «Войти через Госуслуги»"),
    ("02-sferum-password", "Пароль VK ID"),
    ("15-login-via-gosuslugi", "После верификации можно входить через Госуслуги"),
    ("16-home-after-gosuslugi-login", "Вошли через Госуслуги"),
    ("26-profile-unlink-link", "Отвязать можно в разделе «Настройки» или «Профиль»"),
    ("17-security-disable", "«Безопасность» → «Способы входа» → «⋯» → «Отключить»"),
    ("18-unlink-confirm", "Отключить Госуслуги?"),
    ("19-unlinked-settings", "Теперь можно отредактировать данные"),
    ("20-edited-settings", "Данные отредактированы; связать можно повторно"),
]
# Not in the seed: what a person sees when something is refused.
REFUSAL_SCREENS = [
    ("21-refused-standard-account", "Отказ: стандартная учётная запись"),
    ("22-refused-simplified-account", "Отказ: упрощённая учётная запись"),
    ("23-refused-consent-denied", "Отказ: не дано согласие"),
    ("24-refused-wrong-vkid-password", "Отказ: неверный пароль VK ID"),
    ("25-refused-already-linked", "Отказ: учётная запись уже связана"),
    ("31-gosuslugi-signature-expired", "Отказ: срок действия сертификата истёк"),
    ("32-gosuslugi-signature-wrong-pin", "Отказ: неверный PIN-код"),
]

_PAGE = """<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>Экраны в порядке исходного описания</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 24px; background: #f4f5f7; }}
h1 {{ font-size: 20px; }} h2 {{ font-size: 16px; margin-top: 32px; }}
.sheet {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 16px; }}
figure {{ margin: 0; background: #fff; border-radius: 8px; padding: 8px; }}
figure img {{ width: 100%; height: 220px; object-fit: cover; object-position: top;
             border: 1px solid #ddd; display: block; }}
figcaption {{ margin-top: 6px; }} .name {{ color: #777; font-size: 12px; }}
.missing {{ height: 220px; display: flex; align-items: center; justify-content: center;
            color: #b00020; border: 1px dashed #b00020; }}
</style></head><body>
<h1>Экраны в порядке исходного описания</h1>
<p>Снимки последнего прогона браузерных сценариев; нажмите на снимок, чтобы открыть его целиком.</p>
<div class="sheet">{seed}</div>
<h2>Отказы</h2>
<div class="sheet">{refusals}</div>
</body></html>
"""


def _figures(folder: Path, screens: list[tuple[str, str]]) -> str:
    parts = []
    for number, (stem, caption) in enumerate(screens, 1):
        name = f"{stem}.png"
        picture = (
            f'<a href="{name}"><img src="{name}" alt="{html.escape(caption)}"></a>'
            if (folder / name).is_file()
            else '<div class="missing">нет снимка</div>'
        )
        parts.append(
            f"<figure>{picture}<figcaption>{number}. {html.escape(caption)}"
            f'<div class="name">{name}</div></figcaption></figure>'
        )
    return "\n".join(parts)


def write_contact_sheet(folder: Path) -> Path | None:
    """Write folder/contact-sheet.html when the folder holds any seed screen; return its path."""
    folder = Path(folder)
    if not any((folder / f"{stem}.png").is_file() for stem, _ in SEED_SCREENS):
        return None
    page = _PAGE.format(
        seed=_figures(folder, SEED_SCREENS), refusals=_figures(folder, REFUSAL_SCREENS)
    )
    target = folder / "contact-sheet.html"
    target.write_text(page, encoding="utf-8")
    return target
