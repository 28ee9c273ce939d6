"""The obstacle log in a real browser: a manager reports an obstacle, HR assigns and resolves it, and the
manager sees it resolved, step by step, and has the e-mail (sent by the worker over SMTP, in Swedish)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ObstacleStatus
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import Obstacle
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from tests.browser.test_pipeline_browser import log_in
from tests.browser.test_recruitment_browser import Worker
from tests.browser.test_recruitment_browser import _tab
from tests.browser.test_recruitment_browser import worker  # noqa: F401  (a fixture)
from tests.conftest import Inbox
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("clock")


def _setup(app: Flask) -> dict[str, Any]:
    with app.app_context():
        load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
        unit = make_unit("Förskolor öster")
        hr = make_user(Role.HR, email="hanna.hr@kommun.example", name="Hanna HR")
        make_user(email="olle.fastighet@kommun.example", name="Olle Fastighet")
        rut = make_manager("Rut Rektor", org_unit=unit, with_account=True)
        trust = db.session.scalar(select(Expectation).where(Expectation.key == "leader.trust"))
        assert trust is not None and rut.user is not None
        db.session.commit()
        return {"hr": hr.email, "rut": rut.user.email, "trust": trust.id}


def test_a_manager_reports_an_obstacle_hr_resolves_it_and_the_manager_is_told(
    app: Flask,
    live_url: str,
    browser: Any,
    inbox: Inbox,
    worker: Worker,  # noqa: F811
) -> None:
    data = _setup(app)

    # -- the manager reports it, first with an error shown at the field --
    rut = _tab(browser)
    log_in(rut, live_url, data["rut"])
    rut.get_by_role("link", name="Hinder").first.click()
    rut.get_by_role("button", name="Rapportera ett hinder").click()
    rut.locator("#title").fill("Ingen vikariepool")
    rut.locator("main form button[type=submit]").click()
    assert "Välj hur allvarligt hindret är." in rut.locator("#severity-error").inner_text()
    rut.locator("#description").fill("Vi saknar vikarier sedan i våras.")
    rut.get_by_label("Hög").check()
    rut.locator(f"input[name=expectations][value='{data['trust']}']").check()
    rut.get_by_label("Andra chefer i min del av organisationen får läsa det").check()
    rut.get_by_role("button", name="Rapportera", exact=True).click()
    rut.wait_for_url(lambda url: "/obstacles/" in url and not url.endswith("/new"))
    assert rut.locator("#obstacle-status").inner_text() == "Rapporterat"
    obstacle_url = rut.url

    # -- HR finds it in the overview, assigns it, then resolves it --
    hr = _tab(browser)
    log_in(hr, live_url, data["hr"])
    hr.goto(f"{live_url}/obstacles/overview")
    hr.get_by_role("link", name="Ingen vikariepool").click()
    hr.locator("#owner").fill("olle.fastighet@kommun.example")
    hr.locator("#status").select_option("being_handled")
    hr.locator("#comment").fill("Vi ser över vikarieavtalet.")
    hr.get_by_role("button", name="Spara").click()
    assert hr.locator("#obstacle-status").inner_text() == "Hanteras"
    assert inbox.messages == [], "nothing is resolved yet"
    hr.locator("#status").select_option("removed")
    hr.locator("#explanation").fill("En vikariepool finns nu för förskolorna öster.")
    hr.get_by_role("button", name="Spara").click()
    assert hr.locator("#obstacle-status").inner_text() == "Undanröjt"
    worker.drain()

    # -- the manager sees it resolved, with its history, and has the e-mail --
    rut.goto(obstacle_url)
    assert rut.locator("#obstacle-status").inner_text() == "Undanröjt"
    history = rut.locator("#obstacle-history").inner_text()
    assert "Vi ser över vikarieavtalet." in history and "Olle Fastighet" in history
    assert "En vikariepool finns nu" in rut.locator("#obstacle-explanation").inner_text()
    rut.goto(f"{live_url}/obstacles")
    assert "Undanröjt" in rut.locator("#reported-heading ~ table").inner_text()
    messages = inbox.to(data["rut"])
    assert len(messages) == 1
    assert messages[0]["Subject"] == "Ditt hinder är undanröjt: Ingen vikariepool"
    body = messages[0].get_body(preferencelist=("plain",))
    assert body is not None and "En vikariepool finns nu för förskolorna öster." in body.get_content()
    assert obstacle_url.removeprefix(live_url) in body.get_content()
    with app.app_context():
        obstacle = db.session.scalars(select(Obstacle)).one()
        assert obstacle.status is ObstacleStatus.REMOVED and obstacle.shared
