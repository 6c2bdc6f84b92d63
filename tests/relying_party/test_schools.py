"""Участники, Классы, Заявки with the applicant's mark, Приглашения по ссылке."""

from __future__ import annotations


def test_members_and_classes(rp):
    browser = rp.login("123456")
    page = browser.open(rp.url + "/")
    page = browser.click("menu-members")
    names = page.require("members-list").text()
    assert "Елизавета Владимировна Рощина" in names and "Анна Дмитриевна Соколова" in names
    page = browser.click("menu-classes")
    assert [c.text() for c in page.require("classes-list").find_all("li")] == ["4А", "4Б", "4В"]


def test_requests_are_for_the_administrator_only(rp):
    teacher = rp.login("123458")
    assert teacher.open(rp.url + "/schools/2/requests").status == 404
    assert teacher.open(rp.url + "/schools/2/invites").status == 404


def test_verified_applicant_shows_the_mark_and_is_accepted(rp):
    volkov = rp.login("123462")
    rp.link(volkov, "123462", person="volkov")
    volkov.open(rp.url + "/schools")
    page = volkov.click("school-apply-2")
    assert page.require("flash-message").text() == "Заявка отправлена администратору"
    assert page.require("school-status-2").text() == "Заявка на рассмотрении"

    admin = rp.login("123457")
    page = admin.open(rp.url + "/")
    page = admin.click("menu-requests")
    items = page.require("requests-list").find_all("li")
    assert len(items) == 2
    pending = {li.testid: li for li in items}
    kuznetsova, volkov_item = (
        li for li in pending.values() if "Кузнецова" in li.text() or "Волков" in li.text()
    )
    assert "Кузнецова" in kuznetsova.text()
    assert "Профиль не подтвержден через Госуслуги" in kuznetsova.text()
    assert kuznetsova.find(data_testid="verified-mark") is None
    assert volkov_item.find(data_testid="verified-mark") is not None
    request_id = volkov_item.testid.removeprefix("request-")
    page = admin.click(f"request-accept-{request_id}")
    assert page.require("flash-message").text() == "Заявка принята"
    kuz_id = kuznetsova.testid.removeprefix("request-")
    page = admin.click(f"request-decline-{kuz_id}")
    assert page.has("requests-empty")
    memberships = rp.user(123462)["memberships"]
    assert memberships == [
        {"school_id": 2, "school": "ГОУ СОШ № 1029", "role": "teacher", "classes": ""}
    ]
    assert rp.user(123459)["memberships"] == []
    page = admin.click("menu-members")
    assert page.require("member-123462").find(data_testid="verified-mark") is not None


def test_invite_link_creates_a_request(rp):
    admin = rp.login("123457")
    admin.open(rp.url + "/schools/2/invites")
    page = admin.click("invite-create")
    links = page.require("invites-list").find_all("a")
    assert len(links) == 2
    url = links[-1].get("href")
    assert url.startswith(rp.url + "/invite/")

    newcomer = rp.login("123462")
    page = newcomer.open(url)
    assert page.require("invite-school").text() == "ГОУ СОШ № 1029"
    page = newcomer.click("invite-join")
    assert page.require("flash-message").text() == "Заявка отправлена администратору"
    page = newcomer.open(url)
    page = newcomer.click("invite-join")
    assert page.require("flash-message").text() == "Заявка уже подана"
    page = admin.open(rp.url + "/schools/2/requests")
    assert "по ссылке-приглашению" in page.require("requests-list").text()
    assert newcomer.open(rp.url + "/invite/no-such-token").status == 404


def test_fixture_invite_link(rp):
    page = rp.login("123459").open(rp.url + "/invite/sosh1029-teachers")
    assert page.require("invite-school").text() == "ГОУ СОШ № 1029"
