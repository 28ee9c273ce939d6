"""HR's pillar coverage: the heatmap and the list of managers with a pillar uncovered, on page and in CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ActivityKind
from lifecycle.enums import OrgUnitKind
from lifecycle.enums import Role
from lifecycle.services.activities import add_activity
from lifecycle.services.activities import resolve_tags
from lifecycle.services.organisation import create_unit
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.timeutil import local_today
from tests.factories import make_manager
from tests.factories import make_user

# Dates here are computed from today: every test runs at the suite's fixed moment (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def organisation(app_ctx: Flask):  # type: ignore[no-untyped-def]
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    root = create_unit("Kommunen", OrgUnitKind.MUNICIPALITY)
    care = create_unit("Vård", OrgUnitKind.ADMINISTRATION, root)
    school = create_unit("Skola", OrgUnitKind.ADMINISTRATION, root)
    ward = create_unit("Avdelning 1", OrgUnitKind.UNIT, care)
    people = {
        "vera": make_manager("Vera Vård", org_unit=care),
        "walter": make_manager("Walter Avdelning", org_unit=ward),
        "stina": make_manager("=Stina Skola", org_unit=school),
    }
    pillars, _ = resolve_tags(["leader"], [])
    add_activity(
        kind=ActivityKind.WORKSHOP,
        title="Ledarskap",
        participants=[people["vera"]],
        pillars=pillars,
        actor=None,
        completed_on=local_today() - timedelta(days=10),
    )
    return {"care": care, "school": school, **people}


def test_heatmap_shows_shares_per_administration(organisation, client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    login(make_user(Role.HR).email)
    page = client.get("/insight/coverage").get_data(as_text=True)
    care_row = page[page.index(">Vård<") :]
    care_row = care_row[: care_row.index("</tr>")]
    assert "<td>2</td>" in care_row and ">50 %</a>" in care_row and ">0 %</a>" in care_row
    drill = client.get("/insight/coverage", query_string={"unit": organisation["care"].id}).get_data(
        as_text=True
    )
    assert "Avdelning 1" in drill and "Skola" not in drill.split("<table")[1]


def test_heatmap_csv(organisation, client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    login(make_user(Role.HR).email)
    response = client.get("/insight/coverage.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Enhet", "Chefer", "Säker chef", "Initiativrik utvecklare", "Klar ledare"]
    assert ["Vård", "2", "0 %", "0 %", "50 %"] in rows


def test_uncovered_list_and_csv_neutralise_formulas(organisation, client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    login(make_user(Role.HR).email)
    page = client.get("/insight/uncovered", query_string={"pillar": "leader"}).get_data(as_text=True)
    assert "Walter Avdelning" in page and "Vera Vård" not in page
    response = client.get("/insight/uncovered.csv", query_string={"pillar": "leader"})
    text = response.get_data(as_text=True)
    assert "'=Stina Skola" in text and "Vera Vård" not in text
    in_care = client.get(
        "/insight/uncovered", query_string={"pillar": "leader", "unit": organisation["care"].id}
    )
    assert "=Stina Skola" not in in_care.get_data(as_text=True)


def test_unknown_pillar_is_404(organisation, client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    login(make_user(Role.HR).email)
    assert client.get("/insight/uncovered", query_string={"pillar": "nope"}).status_code == 404


def test_insight_is_for_hr_only(organisation, client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    manager = make_manager(with_account=True)
    login(manager.user.email)
    for url in ("/insight/coverage", "/insight/coverage.csv", "/insight/uncovered", "/insight/uncovered.csv"):
        assert client.get(url).status_code == 404


def test_managers_placed_directly_in_a_unit_get_their_own_row(
    organisation, client: FlaskClient, login
) -> None:  # type: ignore[no-untyped-def]
    login(make_user(Role.HR).email)
    top = client.get("/insight/coverage").get_data(as_text=True)
    assert "Kommunen (direkt)" in top
    drill = client.get("/insight/coverage", query_string={"unit": organisation["care"].id}).get_data(
        as_text=True
    )
    direct = drill[drill.index("Vård (direkt)") :]
    direct = direct[: direct.index("</tr>")]
    # Vera sits in Vård itself and has a leader activity; Walter is in the row of Avdelning 1.
    assert "<td>1</td>" in direct and ">100 %</a>" in direct
