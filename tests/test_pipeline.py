"""The HR pipeline board: columns and counts, filters, stuck and overdue marks, a fixed number of queries."""

from __future__ import annotations

import re
from datetime import date
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lifecycle.enums import OrgUnitKind
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.services.journey import move_to_stage
from lifecycle.services.organisation import create_unit
from lifecycle.timeutil import local_today
from tests.factories import make_manager
from tests.factories import make_user

# Dates here are computed from today: every test runs at the suite's fixed moment (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("clock")


def _counts(page: str) -> dict[str, int]:
    return {
        stage: int(count)
        for stage, count in re.findall(r'<h2 id="column-(\w+)">[^<]*<span class="count">(\d+)</span>', page)
    }


def _board(client: FlaskClient, **params: object) -> str:
    response = client.get("/pipeline", query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_board_has_a_column_per_stage_with_counts(app_ctx: Flask, client: FlaskClient, login) -> None:
    for stage in (Stage.ATTRACT, Stage.RECRUIT, Stage.RECRUIT, Stage.INTRODUCE, Stage.DEVELOP):
        make_manager(stage=stage)
    closed = make_manager(stage=Stage.RECRUIT)
    move_to_stage(closed, Stage.CLOSED, None, "Ej vald", date(2025, 2, 1))
    login(make_user(Role.HR).email)
    assert _counts(_board(client)) == {
        "attract": 1,
        "recruit": 2,
        "introduce": 1,
        "develop": 1,
        "offboard": 0,
    }


def test_filters_by_administration_including_sub_units(app_ctx: Flask, client: FlaskClient, login) -> None:
    root = create_unit("Kommunen", OrgUnitKind.MUNICIPALITY)
    care = create_unit("Vård och omsorg", OrgUnitKind.ADMINISTRATION, root)
    elderly = create_unit("Äldreomsorg", OrgUnitKind.DEPARTMENT, care)
    home_care = create_unit("Hemtjänst", OrgUnitKind.UNIT, elderly)
    school = create_unit("Skola", OrgUnitKind.ADMINISTRATION, root)
    deep = make_manager("Djup Enhetschef", org_unit=home_care)
    head = make_manager("Förvaltningschefen", org_unit=care)
    teacher = make_manager("Rektorn", org_unit=school)
    login(make_user(Role.HR).email)
    page = _board(client, unit=care.id)
    assert f'id="card-{deep.id}"' in page and f'id="card-{head.id}"' in page
    assert f'id="card-{teacher.id}"' not in page
    assert _counts(page)["develop"] == 2


def test_filters_by_name_line_manager_and_hr_partner(app_ctx: Flask, client: FlaskClient, login) -> None:
    partner = make_user(Role.HR, name="Petra Partner")
    boss = make_manager("Birgitta Bossdóttir")
    anna = make_manager("Anna Andersson", line_manager=boss)
    bertil = make_manager("Bertil Bengtsson")
    bertil.hr_partner = partner
    login(make_user(Role.HR).email)
    assert f'id="card-{anna.id}"' in _board(client, q="anna and")
    assert f'id="card-{bertil.id}"' not in _board(client, q="anna")
    by_boss = _board(client, line_manager="bossdóttir")
    assert f'id="card-{anna.id}"' in by_boss and f'id="card-{bertil.id}"' not in by_boss
    by_partner = _board(client, hr_partner=partner.id)
    assert f'id="card-{bertil.id}"' in by_partner and f'id="card-{anna.id}"' not in by_partner
    # Characters that mean something to SQL LIKE are matched literally.
    assert _counts(_board(client, q="%"))["develop"] == 0


def test_stuck_is_judged_per_stage_and_years_in_develop_are_normal(
    app: Flask, app_ctx: Flask, client: FlaskClient, login
) -> None:
    today = local_today()
    limit = app.config["STUCK_AFTER_DAYS"]["recruit"]
    assert "develop" not in app.config["STUCK_AFTER_DAYS"]
    stuck = make_manager("Länge Kvar", stage=Stage.RECRUIT, entered_on=today - timedelta(days=limit + 1))
    fresh = make_manager("Nyss Kommen", stage=Stage.RECRUIT, entered_on=today - timedelta(days=limit - 1))
    veteran = make_manager("Van Veteran", stage=Stage.DEVELOP, entered_on=today - timedelta(days=3000))
    login(make_user(Role.HR).email)
    page = _board(client)
    card = page[page.index(f'id="card-{stuck.id}"') :]
    assert "Fastnat" in card[: card.index("</li>")]
    for calm in (fresh, veteran):
        card = page[page.index(f'id="card-{calm.id}"') :]
        assert "Fastnat" not in card[: card.index("</li>")]
    # Each column says when its people count as stuck; develop says nothing.
    recruit = page[page.index('id="column-recruit"') : page.index('id="column-introduce"')]
    assert f"Fastnar efter {limit} dagar" in recruit
    develop = page[page.index('id="column-develop"') : page.index('id="column-offboard"')]
    assert "Fastnar efter" not in develop
    only_stuck = _board(client, stuck="y")
    assert f'id="card-{stuck.id}"' in only_stuck
    assert f'id="card-{fresh.id}"' not in only_stuck and f'id="card-{veteran.id}"' not in only_stuck


def test_the_stuck_thresholds_are_configured_per_stage(tmp_path: Path) -> None:
    from config import ConfigurationError
    from config import DevelopmentConfig

    def read(value: str) -> dict[str, int]:
        settings = DevelopmentConfig.from_environment(tmp_path, environ={"STUCK_AFTER_DAYS": value})
        return dict(settings["STUCK_AFTER_DAYS"])

    assert read("") == {"attract": 365, "recruit": 120, "introduce": 240, "offboard": 90}
    assert read("recruit=60, develop=1500, offboard=") == {
        "attract": 365,
        "recruit": 60,
        "introduce": 240,
        "develop": 1500,
    }
    assert read("200") == {"attract": 200, "recruit": 200, "introduce": 200, "offboard": 200}
    with pytest.raises(ConfigurationError, match="recruiting=60"):
        read("recruiting=60")


def test_overdue_offboarding_is_marked(app_ctx: Flask, client: FlaskClient, login) -> None:
    today = local_today()
    late = make_manager("Sen Avveckling", entered_on=today - timedelta(days=100))
    move_to_stage(
        late, Stage.OFFBOARD, None, "Slutar", today - timedelta(days=60), end_date=today - timedelta(days=1)
    )
    login(make_user(Role.HR).email)
    page = _board(client)
    card = page[page.index(f'id="card-{late.id}"') :]
    assert "card-overdue" in page and "Försenad" in card[: card.index("</li>")]


def test_a_single_stage_is_paginated(app_ctx: Flask, client: FlaskClient, login) -> None:
    people = [
        make_manager(f"Person {n:03d}", entered_on=date(2025, 1, 1) + timedelta(days=n)) for n in range(55)
    ]
    login(make_user(Role.HR).email)
    full = _board(client)
    assert "Visa alla 55 i Behålla och utveckla" in full
    assert len(re.findall(r'<li class="card', full)) == 20
    first = _board(client, stage="develop")
    second = _board(client, stage="develop", page=2)
    assert len(re.findall(r'<li class="card', first)) == 50
    assert len(re.findall(r'<li class="card', second)) == 5
    assert "Sida 2 av 2" in second
    # Longest in the stage first.
    assert first.index(f'id="card-{people[0].id}"') < first.index(f'id="card-{people[1].id}"')


def test_bad_filter_values_are_ignored_not_errors(app_ctx: Flask, client: FlaskClient, login) -> None:
    make_manager()
    login(make_user(Role.HR).email)
    for params in (
        {"unit": "abc"},
        {"page": "-1"},
        {"hr_partner": "x"},
        {"stage": "nowhere"},
        {"page": "9999999999"},
    ):
        assert client.get("/pipeline", query_string=params).status_code == 200


def test_board_query_count_does_not_grow_with_the_data(
    app_ctx: Flask, client: FlaskClient, login, count_queries
) -> None:
    login(make_user(Role.HR).email)
    unit = create_unit("Enheten", OrgUnitKind.UNIT)
    for n in range(3):
        make_manager(f"Liten {n}", org_unit=unit)
    client.get("/pipeline")
    with count_queries() as small:
        client.get("/pipeline")
    for stage in Stage.journey():
        for n in range(25):
            make_manager(
                f"Stor {stage} {n}", stage=stage if stage != Stage.OFFBOARD else Stage.DEVELOP, org_unit=unit
            )
    with count_queries() as large:
        client.get("/pipeline")
    assert large.count == small.count


def test_only_hr_and_admin_reach_the_board(app: Flask, app_ctx: Flask, login) -> None:
    manager = make_manager(with_account=True)
    browser = app.test_client()
    login(manager.user.email, test_client=browser)  # type: ignore[union-attr]
    assert browser.get("/pipeline").status_code == 404
    assert app.test_client().get("/pipeline").status_code == 302


def test_an_overdue_activity_marks_the_card(app_ctx: Flask, client: FlaskClient, login) -> None:
    from lifecycle.cli import DEFAULT_PLATFORM
    from lifecycle.enums import ActivityKind
    from lifecycle.services.activities import add_activity
    from lifecycle.services.activities import complete_activity
    from lifecycle.services.activities import resolve_tags
    from lifecycle.services.platform import load_platform
    from lifecycle.services.platform_file import parse_platform

    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    today = local_today()
    person = make_manager("Sen Uppgift")
    on_time = make_manager("I Tid")
    pillars, _ = resolve_tags(["secure"], [])
    late = add_activity(
        kind=ActivityKind.INTRODUCTION_MILESTONE,
        title="Möt HR-partnern",
        participants=[person],
        pillars=pillars,
        actor=None,
        due_on=today - timedelta(days=2),
    )
    add_activity(
        kind=ActivityKind.COURSE,
        title="Kurs",
        participants=[on_time],
        pillars=pillars,
        actor=None,
        due_on=today + timedelta(days=2),
    )
    login(make_user(Role.HR).email)

    def card(page: str, manager_id: int) -> str:
        start = page.index(f'id="card-{manager_id}"')
        return page[page.rindex("<li", 0, start) : page.index("</li>", start)]

    page = _board(client)
    assert "card-overdue" in card(page, person.id) and "Försenad" in card(page, person.id)
    assert "Försenad" not in card(page, on_time.id)
    complete_activity(late, today)
    assert "Försenad" not in card(_board(client), person.id)
