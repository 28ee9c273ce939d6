"""Management-group workshops in a real browser: HR plans a workshop for a unit with two managers and
records its outcome; the development area becomes a group goal on each member's plan, and the obstacle
is in the log, linked to the workshop."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import Obstacle
from lifecycle.models.workshops import Workshop
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.timeutil import local_today
from tests.browser.test_pipeline_browser import log_in
from tests.browser.test_recruitment_browser import _tab
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("clock")


def _setup(app: Flask) -> dict[str, Any]:
    with app.app_context():
        load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
        unit = make_unit("Äldreomsorg väster")
        hr = make_user(Role.HR, email="hedda.hr@kommun.example", name="Hedda HR")
        anna = make_manager("Anna Enhetschef", org_unit=unit, with_account=True)
        bo = make_manager("Bo Enhetschef", org_unit=unit, with_account=True)
        assert anna.user is not None and bo.user is not None
        db.session.commit()
        return {
            "hr": hr.email,
            "anna": anna.user.email,
            "bo": bo.user.email,
            "unit": unit.id,
            "owner": anna.id,
        }


def test_a_workshops_outcome_makes_a_goal_on_each_members_plan_and_an_obstacle_in_the_log(
    app: Flask, live_url: str, browser: Any
) -> None:
    data = _setup(app)
    today = local_today()

    # -- HR plans the workshop: the unit's two managers are its group --
    hr = _tab(browser)
    log_in(hr, live_url, data["hr"])
    hr.get_by_role("link", name="Workshoppar").first.click()
    hr.get_by_role("button", name="Planera en workshop").click()
    hr.locator("#unit").select_option(str(data["unit"]))
    hr.get_by_role("button", name="Visa gruppen").click()
    group = hr.get_by_role("region", name="Gruppen")
    assert (
        group.get_by_text("Anna Enhetschef").is_visible() and group.get_by_text("Bo Enhetschef").is_visible()
    )
    hr.locator("#title").fill("Ledningsgruppens workshop")
    hr.locator("#held_on").fill(today.isoformat())
    hr.locator("#held_time").fill("08:00")
    hr.get_by_label("Klar ledare").check()
    hr.get_by_role("button", name="Planera workshoppen").click()
    hr.get_by_text("Workshoppen är planerad.").wait_for()
    participants = hr.get_by_role("region", name="Deltagare")
    assert participants.get_by_text("Anna Enhetschef").is_visible()
    assert hr.get_by_role("region", name="Diskussionsunderlag").locator("ol li").count() >= 4

    # -- the outcome: first an error at the field, then a development area and an obstacle --
    hr.get_by_role("link", name="Registrera resultatet för Klar ledare").click()
    hr.locator("#notes").fill("Vi behöver ge varandra mer feedback.")
    hr.locator("#goals-0-text").fill("Feedback på varje ledningsgruppsmöte")
    hr.locator("#goals-0-follow_up_on").fill((today + timedelta(days=30)).isoformat())
    hr.locator("#obstacles-0-title").fill("För stora personalgrupper")
    hr.get_by_role("button", name="Registrera resultatet").click()
    owner_error = hr.locator("#goals-0-owner-error")
    owner_error.wait_for()
    assert "ansvarig bland deltagarna" in owner_error.inner_text()
    hr.locator("#goals-0-owner").select_option(str(data["owner"]))
    hr.locator("#obstacles-0-title").fill("För stora personalgrupper")
    hr.get_by_role("button", name="Registrera resultatet").click()
    hr.get_by_text("Resultatet är registrerat.").wait_for()
    goals = hr.get_by_role("region", name="Gruppmål")
    assert goals.get_by_text("Feedback på varje ledningsgruppsmöte").is_visible()
    found = hr.get_by_role("region", name="Hinder som kom fram")
    assert found.get_by_text("För stora personalgrupper").is_visible()

    # -- each member's plan shows the group goal --
    for member in ("anna", "bo"):
        tab = _tab(browser)
        log_in(tab, live_url, data[member])
        tab.goto(f"{live_url}/me")
        section = tab.get_by_role("region", name="Gruppmål")
        assert section.get_by_text("Feedback på varje ledningsgruppsmöte").is_visible(), member
        tab.context.close()

    # -- the obstacle is in the log, linked to the workshop --
    hr.goto(f"{live_url}/obstacles/overview")
    assert hr.get_by_text("För stora personalgrupper").first.is_visible()
    with app.app_context():
        workshop = db.session.scalar(select(Workshop).where(Workshop.title == "Ledningsgruppens workshop"))
        obstacle = db.session.scalar(select(Obstacle).where(Obstacle.title == "För stora personalgrupper"))
        assert workshop is not None and obstacle is not None
        assert obstacle.workshop_id == workshop.id and obstacle.unit_id == data["unit"]
    hr.context.close()
