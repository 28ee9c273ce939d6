"""A manager's plan in a real browser: a goal, a catalogue course for it, completed, and the pillar grows."""

from __future__ import annotations

from typing import Any

from flask import Flask

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ActivityKind
from lifecycle.extensions import db
from lifecycle.services.activities import create_catalogue_item
from lifecycle.services.activities import resolve_tags
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from tests.browser.test_pipeline_browser import log_in
from tests.factories import make_manager


def _setup(app: Flask) -> dict[str, Any]:
    with app.app_context():
        load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
        pillars, expectations = resolve_tags(["leader"], ["leader.feedback"])
        create_catalogue_item(
            title="Feedback som verktyg",
            kind=ActivityKind.COURSE,
            description="Kommunens kurs",
            pillars=pillars,
            expectations=expectations,
        )
        anna = make_manager("Anna Andersson", with_account=True)
        other = make_manager("Bo Bengtsson", with_account=True)
        db.session.commit()
        return {"anna": anna.user.email, "other": other.id}  # type: ignore[union-attr]


def _leader_bar(page: Any) -> int:
    return int(page.locator('rect[data-pillar="leader"]').get_attribute("data-count"))


def test_manager_builds_klar_ledare_through_the_plan(app: Flask, live_url: str, page: Any) -> None:
    data = _setup(app)
    log_in(page, live_url, data["anna"])
    page.get_by_role("link", name="Min plan").click()
    assert _leader_bar(page) == 0

    if page.javascript_enabled:
        page.get_by_text("Lägg till ett mål").click()
    else:
        page.locator("details summary").click()
    page.get_by_role("textbox", name="Mål", exact=True).fill("Ge och ta emot mer feedback")
    page.get_by_label("ge och få feedback (Klar ledare)").check()
    page.get_by_role("button", name="Lägg till målet").click()
    assert "Målet är tillagt." in page.locator(".flashes").inner_text()

    page.get_by_label("Aktivitet ur katalogen").select_option(label="Feedback som verktyg")
    page.get_by_label("För målet").select_option(label="Ge och ta emot mer feedback")
    page.get_by_role("button", name="Lägg till i planen").click()
    assert "Feedback som verktyg är tillagd i planen." in page.locator(".flashes").inner_text()

    page.get_by_role("button", name="Markera Feedback som verktyg som genomförd").click()
    assert "är markerad som genomförd" in page.locator(".flashes").inner_text()
    assert _leader_bar(page) == 1
    assert page.locator("#coverage-leader td").inner_text() == "1"

    response = page.goto(f"{live_url}/managers/{data['other']}/plan")
    assert response is not None and response.status == 404
