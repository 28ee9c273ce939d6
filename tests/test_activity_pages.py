"""HR's catalogue and activity form: a pillar is required here too; a group activity reaches everyone."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import CatalogueItem
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from tests.conftest import post_form
from tests.factories import make_manager
from tests.factories import make_user


@pytest.fixture
def hr(app_ctx: Flask, client: FlaskClient, login):  # type: ignore[no-untyped-def]
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    user = make_user(Role.HR)
    login(user.email)
    return user


def _activities() -> int:
    return db.session.scalar(select(func.count()).select_from(Activity)) or 0


def test_the_activity_form_refuses_an_activity_without_a_pillar(hr, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    person = make_manager("Pia Pelare")
    response = post_form(
        client,
        f"/activities/new?manager={person.id}",
        {"participants": person.employee_number, "title": "Intervju", "kind": "interview"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="pillars-error"' in page and "Välj minst en pelare som aktiviteten bygger." in page
    assert _activities() == 0


def test_a_group_workshop_reaches_every_participant(hr, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    people = [make_manager(f"Deltagare {n}") for n in range(3)]
    numbers = ", ".join(p.employee_number or "" for p in people)
    response = post_form(
        client,
        "/activities/new",
        {
            "participants": numbers,
            "title": "Ledningsgruppens workshop",
            "kind": "workshop",
            "pillars": ["leader"],
            "expectations": ["leader.communicate"],
            "completed_on": "2026-11-02",
        },
    )
    assert response.status_code == 302
    activity = db.session.scalar(select(Activity))
    assert activity is not None and {m.id for m in activity.participants} == {p.id for p in people}
    assert [p.key for p in activity.pillars] == ["leader"]


def test_unknown_participants_are_named(hr, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    response = post_form(
        client,
        "/activities/new",
        {"participants": "X-404", "title": "Kurs", "kind": "course", "pillars": ["secure"]},
    )
    assert "Ingen har anställningsnumret X-404." in response.get_data(as_text=True)
    assert _activities() == 0


def test_catalogue_items_need_a_pillar_and_can_be_withdrawn(hr, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    refused = post_form(client, "/catalogue/new", {"title": "Utan pelare", "kind": "course"})
    assert "Välj minst en pelare" in refused.get_data(as_text=True)
    created = post_form(
        client,
        "/catalogue/new",
        {
            "title": "Leda i förändring",
            "kind": "course",
            "pillars": ["developer"],
            "expectations": ["developer.experiment"],
        },
    )
    assert created.status_code == 302
    item = db.session.scalar(select(CatalogueItem).where(CatalogueItem.title == "Leda i förändring"))
    assert item is not None and item.is_active
    page = client.get("/catalogue").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post(f"/catalogue/{item.id}/active", data={"csrf_token": token, "active": "0"})
    db.session.refresh(item)
    assert not item.is_active


def test_only_hr_reaches_the_catalogue_and_the_activity_form(
    app_ctx: Flask, client: FlaskClient, login
) -> None:
    manager = make_manager(with_account=True)
    login(manager.user.email)  # type: ignore[union-attr]
    for url in ("/catalogue", "/catalogue/new", "/activities/new"):
        assert client.get(url).status_code == 404


def test_a_retired_expectation_is_marked_on_the_catalogue_and_on_plan_goals(  # type: ignore[no-untyped-def]
    app_ctx: Flask, client: FlaskClient, login
) -> None:
    from lifecycle.enums import ActivityKind
    from lifecycle.services.activities import create_catalogue_item
    from lifecycle.services.activities import resolve_tags
    from lifecycle.services.plans import add_goal
    from lifecycle.services.plans import ensure_plan
    from lifecycle.timeutil import local_today
    from tests.factories import orebro_platform_only

    platform_file = orebro_platform_only()
    load_platform(parse_platform(platform_file))
    pillars, expectations = resolve_tags(["leader"], ["leader.feedback"])
    create_catalogue_item(
        title="Feedbackträning",
        kind=ActivityKind.COURSE,
        description="",
        pillars=pillars,
        expectations=expectations,
    )
    person = make_manager("Greta Mål")
    add_goal(ensure_plan(person, local_today()), title="Ge mer feedback", expectations=expectations)
    db.session.commit()
    login(make_user(Role.HR).email)

    def marked(path: str) -> bool:
        page = client.get(path).get_data(as_text=True)
        assert "ge och få feedback" in page
        return "ge och få feedback (utgått)" in page or "ge och få feedback <em>(utgått)</em>" in page

    assert not marked("/catalogue")
    assert not marked(f"/managers/{person.id}/plan")

    without_feedback = platform_file.replace(
        "      - key: leader.feedback\n        text:\n          sv: ge och få feedback\n"
        "          en: give and receive feedback\n",
        "",
    )
    assert load_platform(parse_platform(without_feedback)).retired == ["leader.feedback"]
    db.session.commit()
    assert marked("/catalogue")
    assert marked(f"/managers/{person.id}/plan")
