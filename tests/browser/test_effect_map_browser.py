"""The effect map in a real browser: HR adds a driver to an effect and links an obstacle of the log (after
being told at the field what is missing), and sees both on the map, the obstacle with its status."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ObstacleSeverity
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models.effect_map import Effect
from lifecycle.services.obstacles import report_obstacle
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from tests.browser.test_pipeline_browser import log_in
from tests.browser.test_recruitment_browser import _tab
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("clock")


def _setup(app: Flask) -> dict[str, Any]:
    with app.app_context():
        load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
        unit = make_unit("Kultur och fritid")
        hr = make_user(Role.HR, email="hedda.karta@kommun.example", name="Hedda HR")
        reporter = make_manager("Rasmus Rapportör", org_unit=unit, with_account=True)
        obstacle = report_obstacle(
            reporter=reporter,
            unit=unit,
            title="Långa beslutsvägar",
            description="Varje inköp går via tre nivåer.",
            severity=ObstacleSeverity.HIGH,
            shared=False,
            pillar_ids=[],
            expectation_ids=[
                db.session.scalar(select(Expectation.id).where(Expectation.key == "secure.decide"))
            ],
            actor=reporter.user,
        )
        effect = db.session.scalar(select(Effect).where(Effect.seed_key == "goal_attainment"))
        assert effect is not None
        db.session.commit()
        return {"hr": hr.email, "obstacle": obstacle.id, "effect": effect.id}


def test_hr_adds_a_driver_and_links_an_obstacle_and_sees_them_on_the_map(
    app: Flask, live_url: str, browser: Any
) -> None:
    data = _setup(app)
    hr = _tab(browser)
    log_in(hr, live_url, data["hr"])
    hr.goto(f"{live_url}/effect-map?lang=en")
    effect = hr.locator(f"#effect-{data['effect']}")
    assert effect.get_by_role("table").get_by_text("Median days to removal").is_visible()
    effect.get_by_role("link", name="Drivers and obstacles of this effect").click()

    hr.locator("#driver-text_sv").fill("Korta beslutsvägar i förvaltningen")
    hr.locator("#driver-text_en").fill("Short decision paths in the administration")
    hr.get_by_role("button", name="Add the driver").click()
    hr.get_by_text("The driver is added.").wait_for()

    hr.get_by_role("button", name="Add the obstacle").click()
    error = hr.locator("#obstacle-obstacle-error")
    error.wait_for()
    assert "Give an obstacle's number or describe the obstacle." in error.inner_text()
    hr.locator("#obstacle-obstacle").fill(str(data["obstacle"]))
    hr.get_by_role("button", name="Add the obstacle").click()
    hr.get_by_text("The obstacle is added.").wait_for()

    hr.get_by_role("link", name="Effect map").first.click()
    effect = hr.locator(f"#effect-{data['effect']}")
    assert effect.get_by_text("Short decision paths in the administration").is_visible()
    linked = effect.get_by_role("link", name="Långa beslutsvägar")
    assert linked.is_visible()
    assert "(Reported)" in linked.locator("xpath=..").inner_text()
