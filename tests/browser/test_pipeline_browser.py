"""HR's morning in a real browser: filter the board by förvaltning, move a manager, read the timeline."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask

from lifecycle.enums import OrgUnitKind
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.services.organisation import create_unit
from tests.factories import PASSWORD
from tests.factories import make_manager
from tests.factories import make_user


def _municipality(app: Flask) -> dict[str, Any]:
    with app.app_context():
        root = create_unit("Provkommun", OrgUnitKind.MUNICIPALITY)
        care = create_unit("Vård- och omsorgsförvaltningen", OrgUnitKind.ADMINISTRATION, root)
        school = create_unit("Förskola och skola", OrgUnitKind.ADMINISTRATION, root)
        home_care = create_unit("Hemtjänst öst", OrgUnitKind.UNIT, care)
        preschool = create_unit("Förskolor norr", OrgUnitKind.UNIT, school)
        hr = make_user(Role.HR, email="hr@prov.example", name="Hanna HR")
        newcomer = make_manager(
            "Nora Nyanställd", Stage.INTRODUCE, org_unit=home_care, entered_on=date(2026, 9, 1)
        )
        other = make_manager(
            "Olle Annanstans", Stage.INTRODUCE, org_unit=preschool, entered_on=date(2026, 9, 1)
        )
        db.session.commit()
        return {"care": care.id, "newcomer": newcomer.id, "other": other.id, "hr": hr.email}


def log_in(page: Any, live_url: str, email: str) -> None:
    page.goto(f"{live_url}/login")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    # HR lands on the overview, a manager on their own plan.
    page.wait_for_url(lambda url: url in {f"{live_url}/", f"{live_url}/me"})


def test_hr_filters_the_board_and_moves_a_manager(app: Flask, live_url: str, page: Any) -> None:
    data = _municipality(app)
    log_in(page, live_url, data["hr"])

    page.get_by_role("navigation").get_by_role("link", name="Flödet", exact=True).click()
    introduce = page.locator("#column-introduce")
    assert introduce.inner_text().endswith("2")

    page.get_by_label("Förvaltning eller enhet").select_option(label="\u2003Vård- och omsorgsförvaltningen")
    page.get_by_role("button", name="Filtrera").click()
    page.wait_for_url(f"**/pipeline?*unit={data['care']}*")
    assert page.locator("#column-introduce .count").inner_text() == "1"
    assert page.locator(f"#card-{data['newcomer']}").is_visible()
    assert page.locator(f"#card-{data['other']}").count() == 0

    page.locator(f"#card-{data['newcomer']}").get_by_role("link", name="Flytta").click()
    if page.javascript_enabled:
        # htmx opens the form on the board itself, without leaving it.
        page.locator("#move-panel form").wait_for()
        assert "/pipeline" in page.url
    else:
        page.wait_for_url(f"**/managers/{data['newcomer']}/move**")
    page.get_by_role("radio", name="Behålla och utveckla").check()
    page.get_by_label("Skäl").fill("Introduktionen är klar")
    page.get_by_label("Datum för flytten").fill("2026-11-20")
    page.get_by_role("button", name="Flytta").click()

    page.wait_for_url(f"**/pipeline?*unit={data['care']}*")
    assert "Nora Nyanställd är nu i Behålla och utveckla." in page.locator(".flashes").inner_text()
    assert page.locator("#column-introduce .count").inner_text() == "0"
    assert page.locator("#column-develop .count").inner_text() == "1"

    page.locator(f"#card-{data['newcomer']}").get_by_role("link", name="Nora Nyanställd", exact=True).click()
    timeline = page.locator(".timeline li").first.inner_text()
    assert "20 november 2026" in timeline
    assert "Flyttad från Introducera till Behålla och utveckla" in timeline
    assert "Introduktionen är klar" in timeline
    assert "Hanna HR" in timeline


def test_a_refused_move_explains_itself_and_changes_nothing(app: Flask, live_url: str, page: Any) -> None:
    data = _municipality(app)
    log_in(page, live_url, data["hr"])
    page.goto(f"{live_url}/managers/{data['newcomer']}/move")
    page.get_by_role("radio", name="Behålla och utveckla").check()
    page.get_by_role("button", name="Flytta").click()
    assert "Ange ett skäl" in page.locator("#reason-error").inner_text()
    page.goto(f"{live_url}/managers/{data['newcomer']}")
    assert "Introducera" in page.locator("dl.facts").inner_text()
