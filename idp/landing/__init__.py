"""The landing page a newcomer sees, and "Личный кабинет" (log in without any client)."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from gosuslugi_sandbox.idp import interactions as ix
from gosuslugi_sandbox.idp import sso
from gosuslugi_sandbox.idp.config import settings
from gosuslugi_sandbox.idp.fixtures import fixtures_dir
from gosuslugi_sandbox.idp.models import Person
from gosuslugi_sandbox.idp.persons import LEVEL_NAMES, display
from gosuslugi_sandbox.idp.runtime import db_session
from gosuslugi_sandbox.shared.fixtures import FixtureError, load_fixture

bp = Blueprint("landing", __name__, template_folder="templates")


def _fixture_passwords() -> dict[int, str]:
    """Plain passwords from persons.yaml (test data) so a developer can log in."""
    try:
        data = load_fixture(fixtures_dir(current_app.config) / "persons.yaml") or {}
    except FixtureError:
        return {}
    return {int(p["oid"]): str(p.get("password", "")) for p in data.get("persons", [])}


@bp.route("/")
def index():
    """What this sandbox is, where things are, and (in development) who can log in."""
    persons, passwords = [], {}
    if settings().dev:
        persons = list(db_session().scalars(select(Person).order_by(Person.oid)))
        passwords = _fixture_passwords()
    return render_template(
        "landing/index.html",
        persons=persons,
        passwords=passwords,
        levels=LEVEL_NAMES,
        current=sso.current_session(),
    )


@bp.route("/cabinet")
def cabinet():
    """The logged-in person's own data, or the login pages first."""
    row = sso.current_session()
    if row is None:
        inter = ix.create("cabinet", client_id=None, scopes=[], params={}, needs_consent=False)
        ix.commit()
        return redirect(ix.next_url(inter))
    person = db_session().get(Person, row.person_oid)
    if person is None:
        sso.end_session()
        ix.commit()
        return redirect(url_for("landing.index"))
    return render_template("landing/cabinet.html", person=person, data=display(person), sso=row)


@bp.route("/cabinet/resume")
def cabinet_resume():
    """Back from the login pages."""
    inter = ix.load(request.args.get("interaction"), protocol="cabinet")
    step = ix.step_left(inter)
    if step is not None:
        return redirect(step)
    ix.finish(inter)
    ix.commit()
    return redirect(url_for("landing.cabinet"))


@bp.route("/cabinet/logout", methods=["POST"])
def cabinet_logout():
    """End the IdP session."""
    sso.end_session()
    ix.commit()
    return redirect(url_for("landing.index"))


def init_app(app: Flask) -> None:
    """Register the landing pages and the 'cabinet' interaction protocol."""
    app.register_blueprint(bp)
    ix.register_protocol(app, "cabinet", "landing.cabinet_resume")
