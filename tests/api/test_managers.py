"""The managers API: listing with filters and pages, reading, creating, changing and moving."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from lifecycle.enums import OrgUnitKind
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import ManagerChange
from lifecycle.models import StageTransition
from lifecycle.services.journey import move_to_stage
from tests.api.conftest import ApiClient
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user


def _names(response: TestResponse) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return sorted(item["name"] for item in response.get_json()["items"])


# -- listing ---------------------------------------------------------------------------------------


def test_list_filters(app_ctx: Flask, hr_api: ApiClient) -> None:
    admin = make_unit("Förvaltningen", kind=OrgUnitKind.ADMINISTRATION)
    school = make_unit("Skolan", parent=admin)
    elsewhere = make_unit("Annanstans")
    boss = make_manager("Bo Chef", org_unit=admin, stage=Stage.DEVELOP)
    make_manager("Anna Skola", org_unit=school, line_manager=boss, stage=Stage.INTRODUCE)
    make_manager("Cia Annan", org_unit=elsewhere, stage=Stage.RECRUIT, entered_on=date(2020, 1, 1))
    closed = make_manager("Dan Stängd", org_unit=elsewhere, stage=Stage.RECRUIT)
    move_to_stage(closed, Stage.CLOSED, None, "Inte vald", date(2025, 2, 1))

    assert _names(hr_api.get(f"/api/v1/managers?unit={admin.id}")) == ["Anna Skola", "Bo Chef"]
    assert _names(hr_api.get(f"/api/v1/managers?line_manager={boss.id}")) == ["Anna Skola"]
    assert _names(hr_api.get("/api/v1/managers?q=skola%20anna")) == ["Anna Skola"]
    assert _names(hr_api.get(f"/api/v1/managers?unit={elsewhere.id}")) == ["Cia Annan"]
    assert _names(hr_api.get(f"/api/v1/managers?unit={elsewhere.id}&stage=closed")) == ["Dan Stängd"]
    both = hr_api.get(f"/api/v1/managers?unit={elsewhere.id}&stage=closed,recruit")
    assert _names(both) == ["Cia Annan", "Dan Stängd"]
    repeated = hr_api.get(f"/api/v1/managers?unit={elsewhere.id}&stage=closed&stage=recruit")
    assert _names(repeated) == ["Cia Annan", "Dan Stängd"]
    assert _names(hr_api.get("/api/v1/managers?stuck_after_days=1000&q=Annan")) == ["Cia Annan"]
    assert _names(hr_api.get("/api/v1/managers?unit=2147483647")) == []


def test_pages_cover_everyone_once_with_a_constant_number_of_queries(
    app_ctx: Flask, hr_api: ApiClient, count_queries
) -> None:
    expected = {make_manager(f"Person {n:02d}").id for n in range(23)}
    hr_api.get("/api/v1/units")  # the first call of a minute notes the token's use; leave it out
    seen: list[int] = []
    query_counts = []
    url = "/api/v1/managers?limit=5"
    while True:
        with count_queries() as counter:
            response = hr_api.get(url)
        assert response.status_code == 200
        body = response.get_json()
        query_counts.append(counter.count)
        seen.extend(item["id"] for item in body["items"])
        assert len(body["items"]) <= 5
        if body["next_cursor"] is None:
            break
        url = f"/api/v1/managers?limit=5&cursor={body['next_cursor']}"
    assert len(seen) == len(set(seen)), "a manager appeared on two pages"
    assert set(seen) == expected
    assert seen == sorted(seen)
    assert len(query_counts) == 5
    assert len(set(query_counts)) == 1, query_counts


def test_list_query_count_does_not_grow_with_the_data(
    app_ctx: Flask, hr_api: ApiClient, count_queries
) -> None:
    unit = make_unit()
    boss = make_manager(org_unit=unit)
    make_manager(org_unit=unit, line_manager=boss)
    hr_api.get("/api/v1/units")
    with count_queries() as few:
        assert len(hr_api.get("/api/v1/managers?limit=200").get_json()["items"]) == 2
    for _ in range(40):
        make_manager(org_unit=make_unit(), line_manager=boss)
    with count_queries() as many:
        assert len(hr_api.get("/api/v1/managers?limit=200").get_json()["items"]) == 42
    assert many.count == few.count, many.statements


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=201",
        "limit=99999999999999999999999",
        "limit=-1",
        "limit=ten",
        "cursor=-5",
        "cursor=abc",
        "cursor=99999999999",
        "unit=0",
        "unit=abc",
        "unit=99999999999999999999",
        "line_manager=1.5",
        "hr_partner=-1",
        "stage=nope",
        "stage=attract,nope",
        "stuck_after_days=-1",
        "stuck_after_days=99999999",
        "q=%00",
        "q=" + "x" * 201,
    ],
)
def test_bad_list_parameters_are_a_400_naming_the_parameter(
    app_ctx: Flask, hr_api: ApiClient, query: str
) -> None:
    response = hr_api.get(f"/api/v1/managers?{query}")
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["message"]
    assert list(error["fields"]) == [query.split("=")[0]]


# -- reading ---------------------------------------------------------------------------------------


def test_get_manager_and_history(app_ctx: Flask, hr_api: ApiClient) -> None:
    person = make_manager("Greta Garbo", stage=Stage.RECRUIT, entered_on=date(2025, 2, 1))
    body = hr_api.get(f"/api/v1/managers/{person.id}").get_json()
    assert body["name"] == "Greta Garbo"
    assert body["stage"] == "recruit"
    assert body["stage_entered_on"] == "2025-02-01"
    assert body["created_at"].endswith("+00:00")
    move = {"to_stage": "introduce", "reason": "Anställd", "effective_date": "2025-03-01"}
    assert hr_api.post(f"/api/v1/managers/{person.id}/transitions", json=move).status_code == 201
    history = hr_api.get(f"/api/v1/managers/{person.id}/transitions").get_json()["items"]
    assert [(t["from_stage"], t["to_stage"]) for t in history] == [
        ("recruit", "introduce"),
        (None, "recruit"),
    ]
    assert history[0]["actor"]["name"]
    assert history[1]["actor"] is None
    assert hr_api.get("/api/v1/managers/0").status_code == 404
    assert hr_api.get("/api/v1/managers/99999999999999999999").status_code == 404
    assert hr_api.get("/api/v1/managers/abc").status_code == 404


# -- creating --------------------------------------------------------------------------------------


def test_create_manager(app_ctx: Flask, hr_api: ApiClient) -> None:
    unit = make_unit()
    boss = make_manager("Chefen")
    partner = make_user(Role.HR)
    body = {
        "name": "  Nina Ny  ",
        "employee_number": "N-1",
        "email": "nina@kommun.example",
        "title": "Rektor",
        "org_unit_id": unit.id,
        "line_manager_id": boss.id,
        "hr_partner_id": partner.id,
        "start_date": "2026-08-01",
        "stage": "recruit",
        "effective_date": "2026-05-01",
        "reason": "Ny vakans",
    }
    response = hr_api.post("/api/v1/managers", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/managers/{created['id']}")
    assert created["name"] == "Nina Ny"
    assert created["stage"] == "recruit"
    assert created["org_unit_id"] == unit.id
    assert created["line_manager_id"] == boss.id
    assert created["hr_partner_id"] == partner.id
    history = db.session.scalars(
        select(StageTransition).where(StageTransition.manager_id == created["id"])
    ).all()
    assert [(t.from_stage, t.to_stage, t.reason) for t in history] == [(None, Stage.RECRUIT, "Ny vakans")]
    assert history[0].actor_id is not None


def test_create_manager_with_only_the_required_fields(app_ctx: Flask, hr_api: ApiClient) -> None:
    response = hr_api.post("/api/v1/managers", json={"name": "Minimal", "stage": "attract"})
    assert response.status_code == 201
    assert response.get_json()["employee_number"] is None


def test_create_manager_refusals(app_ctx: Flask, hr_api: ApiClient) -> None:
    make_manager("Upptagen")  # employee numbers E00001...
    taken = db.session.scalar(select(Manager.employee_number).where(Manager.name == "Upptagen"))

    not_entry = hr_api.post("/api/v1/managers", json={"name": "X", "stage": "offboard"})
    assert not_entry.status_code == 422
    assert "stage" in not_entry.get_json()["error"]["fields"]

    missing = hr_api.post("/api/v1/managers", json={"name": "X", "stage": "recruit", "org_unit_id": 999999})
    assert missing.status_code == 422
    assert list(missing.get_json()["error"]["fields"]) == ["org_unit_id"]

    duplicate = hr_api.post(
        "/api/v1/managers", json={"name": "X", "stage": "recruit", "employee_number": taken}
    )
    assert duplicate.status_code == 409
    assert list(duplicate.get_json()["error"]["fields"]) == ["employee_number"]

    assert db.session.scalar(select(db.func.count()).select_from(Manager).where(Manager.name == "X")) == 0


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"name", "stage"}),
        ({"name": "X"}, {"stage"}),
        ({"name": "", "stage": "recruit"}, {"name"}),
        ({"name": "   ", "stage": "recruit"}, {"name"}),
        ({"name": 5, "stage": "recruit"}, {"name"}),
        ({"name": "X" * 201, "stage": "recruit"}, {"name"}),
        ({"name": "X\x00", "stage": "recruit"}, {"name"}),
        ({"name": "X", "stage": "nope"}, {"stage"}),
        ({"name": "X", "stage": ["recruit"]}, {"stage"}),
        ({"name": "X", "stage": "recruit", "org_unit_id": "1"}, {"org_unit_id"}),
        ({"name": "X", "stage": "recruit", "org_unit_id": True}, {"org_unit_id"}),
        ({"name": "X", "stage": "recruit", "org_unit_id": 1.5}, {"org_unit_id"}),
        ({"name": "X", "stage": "recruit", "line_manager_id": 10**30}, {"line_manager_id"}),
        ({"name": "X", "stage": "recruit", "hr_partner_id": -3}, {"hr_partner_id"}),
        ({"name": "X", "stage": "recruit", "effective_date": "2026-02-30"}, {"effective_date"}),
        ({"name": "X", "stage": "recruit", "effective_date": "1/2/2026"}, {"effective_date"}),
        ({"name": "X", "stage": "recruit", "effective_date": None}, {"effective_date"}),
        ({"name": "X", "stage": "recruit", "start_date": 20260101}, {"start_date"}),
        ({"name": "X", "stage": "recruit", "email": "not an address"}, {"email"}),
        ({"name": "X", "stage": "recruit", "employee_number": "9" * 41}, {"employee_number"}),
        ({"name": "X", "stage": "recruit", "surprise": 1}, {"surprise"}),
    ],
)
def test_create_manager_bad_fields_are_a_400_per_field(
    app_ctx: Flask, hr_api: ApiClient, body: dict[str, object], fields: set[str]
) -> None:
    response = hr_api.post("/api/v1/managers", json=body)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert set(response.get_json()["error"]["fields"]) == fields


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("", "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ("null", "application/json", 400),
        ('"text"', "application/json", 400),
        ("[" * 100_000 + "]" * 100_000, "application/json", 400),
        ('{"name": 1' + "0" * 5000 + "}", "application/json", 400),
        (b"\xff\xfe{", "application/json", 400),
        ('{"name": "X", "stage": "recruit"}', "text/plain", 415),
        ("name=X&stage=recruit", "application/x-www-form-urlencoded", 415),
    ],
)
def test_bodies_that_are_not_a_json_object(
    app_ctx: Flask, hr_api: ApiClient, data: str | bytes, content_type: str, status: int
) -> None:
    response = hr_api.post("/api/v1/managers", data=data, content_type=content_type)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]["message"]


def test_wrong_method_is_a_json_405(app_ctx: Flask, hr_api: ApiClient) -> None:
    response = hr_api.client.delete("/api/v1/managers", headers={"Authorization": f"Bearer {hr_api.secret}"})
    assert response.status_code == 405
    assert response.get_json()["error"]["message"]
    assert hr_api.get("/api/v1/nothing-here").get_json()["error"]["message"]


# -- changing details ------------------------------------------------------------------------------


def test_update_manager(app_ctx: Flask, hr_api: ApiClient) -> None:
    person = make_manager("Olle Gammal")
    mentor = make_manager("Mentorn")
    response = hr_api.patch(
        f"/api/v1/managers/{person.id}",
        json={"name": "Olle Ny", "title": None, "mentor_id": mentor.id, "end_date": "2030-12-31"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["name"], body["title"], body["mentor_id"], body["end_date"]) == (
        "Olle Ny",
        None,
        mentor.id,
        "2030-12-31",
    )
    changes = db.session.scalars(select(ManagerChange).where(ManagerChange.manager_id == person.id)).all()
    assert {c.field for c in changes} == {"name", "title", "mentor_id", "end_date"}
    assert {c.source for c in changes} == {"api"}
    # Sending nothing changes nothing.
    assert hr_api.patch(f"/api/v1/managers/{person.id}", json={}).get_json() == body


def test_update_manager_refusals(app_ctx: Flask, hr_api: ApiClient) -> None:
    boss = make_manager("Chefen")
    report = make_manager("Rapporten", line_manager=boss)
    other = make_manager("Annan")
    other_number = db.session.scalar(select(Manager.employee_number).where(Manager.id == other.id))

    loop = hr_api.patch(f"/api/v1/managers/{boss.id}", json={"line_manager_id": report.id})
    assert loop.status_code == 422
    assert list(loop.get_json()["error"]["fields"]) == ["line_manager_id"]

    taken = hr_api.patch(f"/api/v1/managers/{boss.id}", json={"employee_number": other_number})
    assert taken.status_code == 409
    assert list(taken.get_json()["error"]["fields"]) == ["employee_number"]

    dates = hr_api.patch(
        f"/api/v1/managers/{boss.id}", json={"start_date": "2030-01-01", "end_date": "2029-01-01"}
    )
    assert dates.status_code == 422
    assert list(dates.get_json()["error"]["fields"]) == ["end_date"]

    stage = hr_api.patch(f"/api/v1/managers/{boss.id}", json={"stage": "closed"})
    assert stage.status_code == 400
    assert list(stage.get_json()["error"]["fields"]) == ["stage"]

    assert hr_api.patch(f"/api/v1/managers/{boss.id}", json={"name": None}).status_code == 400
    assert hr_api.patch("/api/v1/managers/999999", json={"title": "x"}).status_code == 404
    db.session.refresh(boss)
    assert boss.line_manager_id is None and boss.start_date == date(2025, 1, 15)


# -- moving on the journey -------------------------------------------------------------------------


def test_move_manager(app_ctx: Flask, hr_api: ApiClient) -> None:
    person = make_manager("Flyttas", stage=Stage.DEVELOP, entered_on=date(2025, 1, 15))
    response = hr_api.post(
        f"/api/v1/managers/{person.id}/transitions",
        json={
            "to_stage": "offboard",
            "reason": " Går i pension ",
            "effective_date": "2026-01-10",
            "end_date": "2026-03-31",
        },
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    moved = response.get_json()
    assert (moved["from_stage"], moved["to_stage"], moved["reason"]) == (
        "develop",
        "offboard",
        "Går i pension",
    )
    body = hr_api.get(f"/api/v1/managers/{person.id}").get_json()
    assert (body["stage"], body["stage_entered_on"], body["end_date"]) == (
        "offboard",
        "2026-01-10",
        "2026-03-31",
    )


def test_move_refusals(app_ctx: Flask, hr_api: ApiClient) -> None:
    person = make_manager("Står kvar", stage=Stage.RECRUIT, entered_on=date(2025, 1, 15))
    url = f"/api/v1/managers/{person.id}/transitions"

    not_allowed = hr_api.post(url, json={"to_stage": "offboard", "reason": "Hoppa"})
    assert not_allowed.status_code == 422
    assert not_allowed.get_json()["error"]["message"]

    too_early = hr_api.post(
        url, json={"to_stage": "introduce", "reason": "x", "effective_date": "2024-01-01"}
    )
    assert too_early.status_code == 422

    for body, field in (
        ({"to_stage": "introduce"}, "reason"),
        ({"to_stage": "introduce", "reason": "  "}, "reason"),
        ({"to_stage": "somewhere", "reason": "x"}, "to_stage"),
        ({"to_stage": "introduce", "reason": "x", "effective_date": "yesterday"}, "effective_date"),
        ({"to_stage": "introduce", "reason": "x" * 2001}, "reason"),
    ):
        response = hr_api.post(url, json=body)
        assert response.status_code == 400, body
        assert field in response.get_json()["error"]["fields"]

    db.session.refresh(person)
    assert person.stage is Stage.RECRUIT
    count = db.session.scalar(
        select(db.func.count()).select_from(StageTransition).where(StageTransition.manager_id == person.id)
    )
    assert count == 1


# -- organisation and platform ---------------------------------------------------------------------


def test_units(app_ctx: Flask, hr_api: ApiClient) -> None:
    root = make_unit("Kommunen", kind=OrgUnitKind.MUNICIPALITY)
    child = make_unit("Förvaltningen", parent=root, kind=OrgUnitKind.ADMINISTRATION)
    items = hr_api.get("/api/v1/units").get_json()["items"]
    by_id = {item["id"]: item for item in items}
    assert by_id[child.id] == {
        "id": child.id,
        "name": "Förvaltningen",
        "kind": "administration",
        "parent_id": root.id,
        "path": f"/{root.id}/{child.id}/",
    }
    assert [item["id"] for item in items].index(root.id) < [item["id"] for item in items].index(child.id)


def test_platform(app_ctx: Flask, hr_api: ApiClient) -> None:
    assert hr_api.get("/api/v1/platform").status_code == 404
    from lifecycle.cli import DEFAULT_PLATFORM
    from lifecycle.services.platform import load_platform
    from lifecycle.services.platform_file import parse_platform

    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    body = hr_api.get("/api/v1/platform").get_json()
    assert body["key"] == "orebro"
    assert [p["key"] for p in body["pillars"]] == ["secure", "developer", "leader"]
    assert sum(len(p["expectations"]) for p in body["pillars"]) == 16
    first = body["pillars"][0]["expectations"][0]
    assert first == {
        "key": "secure.steer",
        "position": first["position"],
        "text": first["text"],
        "retired": False,
    }
    assert first["text"]["sv"] == "styra och påverka"
    assert [v["sv"] for v in body["values"]] == ["Förenkla", "Förnya", "Förbättra"]
