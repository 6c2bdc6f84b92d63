"""Login normalisation, SNILS checksum, phone masking and spelling."""

from datetime import date

import pytest

from gosuslugi_sandbox.shared.formats import (
    FormatError,
    format_phone,
    format_phone_esia,
    format_snils,
    is_valid_inn,
    login_candidates,
    mask_phone,
    normalize_email,
    normalize_phone,
    normalize_snils,
    parse_date,
    plural_ru,
    show_date,
    show_login,
    show_phone,
    show_snils,
    snils_checksum,
)


@pytest.mark.parametrize(
    "spelling",
    [
        "+7 965 123-45-75",
        "89651234575",
        "+7(965)1234575",
        "8 (965) 123 45 75",
        "9651234575",
        "+79651234575",
        "7-965-123-45-75",
    ],
)
def test_every_common_phone_spelling_is_one_number(spelling):
    assert normalize_phone(spelling) == "+79651234575"


@pytest.mark.parametrize("bad", ["", "12345", "+1 202 555 0100", "abc", "8965123457a", None])
def test_non_russian_or_garbled_phones_are_refused(bad):
    with pytest.raises(FormatError):
        normalize_phone(bad)


def test_phone_spellings_for_pages_and_esia():
    assert format_phone("89651234575") == "+7 965 123-45-75"
    assert format_phone_esia("89651234575") == "+7(965)1234575"


def test_mask_shows_operator_code_and_last_two_digits():
    assert mask_phone("+7 965 123-45-75") == "+7 965 *** *75"


@pytest.mark.parametrize(
    ("first_nine", "check"),
    [("112233445", "95"), ("123456789", "64"), ("001001998", "64"), ("000000000", "00")],
)
def test_snils_checksum(first_nine, check):
    assert snils_checksum(first_nine) == check


def test_snils_checksum_wraps_at_101():
    # 9*9+8*9+...+1*9 = 405 → 405 % 101 = 1
    assert snils_checksum("999999999") == "01"


@pytest.mark.parametrize(
    "spelling", ["112-233-445 95", "11223344595", "112 233 445 95", "112-233-445-95"]
)
def test_snils_with_or_without_separators(spelling):
    assert normalize_snils(spelling) == "11223344595"
    assert format_snils(spelling) == "112-233-445 95"


def test_snils_with_a_wrong_checksum_is_refused():
    with pytest.raises(FormatError):
        normalize_snils("112-233-445 96")


def test_inn_checksums():
    assert is_valid_inn("780123456724")
    assert not is_valid_inn("780123456725")
    assert not is_valid_inn("12345")


def test_email_is_case_insensitive():
    assert normalize_email("  Volkov.Igor@Example.RU ") == "volkov.igor@example.ru"
    with pytest.raises(FormatError):
        normalize_email("not-an-address")


def test_login_candidates_read_phone_email_and_snils():
    assert [(c.kind, c.value) for c in login_candidates("+7(965)1234575")] == [
        ("phone", "+79651234575")
    ]
    assert [(c.kind, c.value) for c in login_candidates("Roshchina@Example.ru")] == [
        ("email", "roshchina@example.ru")
    ]
    assert [(c.kind, c.value) for c in login_candidates("112-233-445 95")] == [
        ("snils", "11223344595")
    ]
    assert login_candidates("nonsense") == []


def test_eleven_bare_digits_may_be_a_phone_or_a_snils():
    kinds = {c.kind for c in login_candidates("81223344595")}
    assert kinds == {"phone"}  # 8122334459 5: not a valid SNILS checksum
    kinds = {c.kind for c in login_candidates("71223344546")}
    assert "phone" in kinds


def test_dates_in_iso_and_russian_spelling():
    assert parse_date("23.04.1990") == date(1990, 4, 23)
    assert parse_date("1990-04-23") == date(1990, 4, 23)
    with pytest.raises(FormatError):
        parse_date("31.02.1990")


@pytest.mark.parametrize(
    ("n", "form"),
    [(0, "участников"), (1, "участник"), (2, "участника"), (4, "участника"), (5, "участников"),
     (11, "участников"), (12, "участников"), (14, "участников"), (21, "участник"),
     (22, "участника"), (101, "участник"), (111, "участников"), (275, "участников")],
)  # fmt: skip
def test_russian_plural_forms(n, form):
    assert plural_ru(n, "участник", "участника", "участников") == form


def test_pages_show_phones_dates_snils_and_logins_one_way():
    assert show_phone("+79111111111") == show_phone("8 911 111 11 11") == "+7 911 111-11-11"
    assert show_phone("пн 8:00") == "пн 8:00" and show_phone(None) == ""
    assert show_date("1990-04-23") == show_date(date(1990, 4, 23)) == "23.04.1990"
    assert show_date("23.04.1990") == "23.04.1990" and show_date("вчера") == "вчера"
    assert show_snils("12345678964") == "123-456-789 64"
    assert show_login("89111111111") == "+7 911 111-11-11"
    assert show_login("Volkov@Example.ru") == "Volkov@Example.ru"
