"""The recruitment side of the API: vacancies, their weights and group, and candidacies, by the policy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lifecycle.blueprints.api.openapi import openapi_document
from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import OrgUnitKind
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import OrgUnit
from lifecycle.models import User
from lifecycle.models.recruitment import Vacancy
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.timeutil import local_today
from tests.api.conftest import ApiClient
from tests.api.conftest import ResponseChecker
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user

# Dates here are computed from today: every test runs at the suite's fixed moment (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("clock")

#: every operation of the recruitment side; test_openapi.py leaves these to this module
RECRUITMENT_OPERATIONS = frozenset(
    {
        ("/vacancies", "get"),
        ("/vacancies", "post"),
        ("/vacancies/{vacancy_id}", "get"),
        ("/vacancies/{vacancy_id}", "patch"),
        ("/vacancies/{vacancy_id}/weights", "put"),
        ("/vacancies/{vacancy_id}/group", "put"),
        ("/vacancies/{vacancy_id}/status", "post"),
        ("/vacancies/{vacancy_id}/candidacies", "get"),
        ("/vacancies/{vacancy_id}/candidacies", "post"),
        ("/vacancies/{vacancy_id}/candidacies/{candidacy_id}/step", "post"),
        ("/vacancies/{vacancy_id}/candidacies/{candidacy_id}/not-selected", "post"),
    }
)


@dataclass
class World:
    school: OrgUnit
    preschool: OrgUnit
    hr: User
    other_hr: User
    hiring: User
    interviewer: User
    outsider: User
    pool: Manager
    api: Callable[[User], ApiClient]


@pytest.fixture
def world(app_ctx: Flask, api_as: Callable[[User], ApiClient]) -> World:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    root = make_unit("Kommunen", kind=OrgUnitKind.MUNICIPALITY)
    school = make_unit("Skolförvaltningen", parent=root)
    boss = make_manager("Hanna Anställande", with_account=True)
    assert boss.user is not None
    return World(
        school=make_unit("Norra skolan", parent=school),
        preschool=make_unit("Förskolan", parent=root),
        hr=make_user(Role.HR, name="Hedda HR"),
        other_hr=make_user(Role.HR, name="Olle HR"),
        hiring=boss.user,
        interviewer=make_user(Role.MANAGER, name="Ivar Intervjuare"),
        outsider=make_manager("Utan Insyn", with_account=True).user,  # type: ignore[arg-type]
        pool=make_manager("Petra Pool", Stage.ATTRACT),
        api=api_as,
    )


def _vacancy(world: World, api: ApiClient, **values: Any) -> dict[str, Any]:
    body = {"title": "Rektor Norra skolan", "org_unit_id": world.school.id, **values}
    response = api.post("/api/v1/vacancies", json=body)
    assert response.status_code == 201, response.get_json()
    created: dict[str, Any] = response.get_json()
    return created


def _open(api: ApiClient, vacancy_id: int) -> None:
    weights = [{"expectation": "leader.trust", "weight": 3}]
    assert api.put(f"/api/v1/vacancies/{vacancy_id}/weights", json={"weights": weights}).status_code == 200
    assert api.post(f"/api/v1/vacancies/{vacancy_id}/status", json={"status": "open"}).status_code == 200


# -- the document --------------------------------------------------------------------------------


def test_every_recruitment_operation_answers_as_the_document_says(
    world: World, client: FlaskClient, login: Callable[..., object], check: ResponseChecker
) -> None:
    """A realistic session, each answer checked against the OpenAPI document."""
    documented = {(path, method) for path, item in openapi_document()["paths"].items() for method in item}
    assert documented >= RECRUITMENT_OPERATIONS
    hr = world.api(world.hr)
    body = check.request_body(
        {
            "title": "Rektor Norra skolan",
            "org_unit_id": world.school.id,
            "hiring_manager_id": world.hiring.id,
            "closes_on": local_today().replace(day=28).isoformat(),
            "role_text": "Ett uppdrag med stort ansvar.",
        },
        "post",
        "/vacancies",
    )
    created = check.response(hr.post("/api/v1/vacancies", json=body), "post", "/vacancies")
    assert created.status_code == 201
    vacancy = created.get_json()
    vid = vacancy["id"]
    assert created.headers["Location"].endswith(f"/api/v1/vacancies/{vid}")
    assert vacancy["status"] == "draft" and vacancy["hr_partner_id"] == world.hr.id, "the caller by default"
    assert vacancy["status_moves"] == ["open", "cancelled"]
    check.response(hr.get("/api/v1/vacancies"), "get", "/vacancies")
    check.response(hr.get(f"/api/v1/vacancies/{vid}"), "get", "/vacancies/{vacancy_id}")
    change = check.request_body(
        {"title": "Rektor, Norra skolan", "unit_text": None}, "patch", "/vacancies/{vacancy_id}"
    )
    changed = check.response(
        hr.patch(f"/api/v1/vacancies/{vid}", json=change), "patch", "/vacancies/{vacancy_id}"
    )
    assert changed.get_json()["title"] == "Rektor, Norra skolan"
    assert changed.get_json()["role_text"] == "Ett uppdrag med stort ansvar.", "left out: unchanged"

    # Opening needs a weighed expectation: 422 first, then the weights, then it opens.
    status = check.request_body({"status": "open"}, "post", "/vacancies/{vacancy_id}/status")
    refused = hr.post(f"/api/v1/vacancies/{vid}/status", json=status)
    check.response(refused, "post", "/vacancies/{vacancy_id}/status")
    assert refused.status_code == 422 and "status" in refused.get_json()["error"]["fields"]
    weights = check.request_body(
        {
            "weights": [
                {"expectation": "secure.decide", "weight": 1},
                {"expectation": "leader.trust", "weight": 3},
            ]
        },
        "put",
        "/vacancies/{vacancy_id}/weights",
    )
    weighed = hr.put(f"/api/v1/vacancies/{vid}/weights", json=weights)
    check.response(weighed, "put", "/vacancies/{vacancy_id}/weights")
    assert [(w["expectation"], w["weight"]) for w in weighed.get_json()["weights"]] == [
        ("leader.trust", 3),
        ("secure.decide", 1),
    ], "heaviest first"
    group = check.request_body(
        {"interviewer_ids": [world.interviewer.id]}, "put", "/vacancies/{vacancy_id}/group"
    )
    grouped = check.response(
        hr.put(f"/api/v1/vacancies/{vid}/group", json=group), "put", "/vacancies/{vacancy_id}/group"
    )
    assert grouped.get_json()["interviewers"] == [{"id": world.interviewer.id, "name": "Ivar Intervjuare"}]
    opened = check.response(
        hr.post(f"/api/v1/vacancies/{vid}/status", json=status), "post", "/vacancies/{vacancy_id}/status"
    )
    assert (
        opened.get_json()["status"] == "open"
        and opened.get_json()["published_on"] == local_today().isoformat()
    )

    # Candidates: a person from the pool, and a new applicant.
    path = "/vacancies/{vacancy_id}/candidacies"
    from_pool = check.request_body({"manager_id": world.pool.id}, "post", path)
    linked = check.response(hr.post(f"/api/v1/vacancies/{vid}/candidacies", json=from_pool), "post", path)
    assert linked.status_code == 201 and linked.get_json()["source"] == "talent_pool"
    new = check.request_body(
        {"name": "Nils Ny", "email": "nils@example.org", "applied_on": "2026-01-05"}, "post", path
    )
    applicant = check.response(hr.post(f"/api/v1/vacancies/{vid}/candidacies", json=new), "post", path)
    assert applicant.get_json()["source"] == "external" and applicant.get_json()["name"] == "Nils Ny"
    cid = applicant.get_json()["id"]
    twice = hr.post(f"/api/v1/vacancies/{vid}/candidacies", json=from_pool)
    check.response(twice, "post", path)
    assert twice.status_code == 422 and "manager_id" in twice.get_json()["error"]["fields"]
    check.response(hr.post(f"/api/v1/vacancies/{vid}/candidacies", json={}), "post", path)  # 400
    listed = check.response(hr.get(f"/api/v1/vacancies/{vid}/candidacies?limit=1"), "get", path)
    assert len(listed.get_json()["items"]) == 1 and listed.get_json()["next_cursor"] is not None

    step_path = "/vacancies/{vacancy_id}/candidacies/{candidacy_id}/step"
    step = check.request_body({"step": "interview"}, "post", step_path)
    moved = check.response(
        hr.post(f"/api/v1/vacancies/{vid}/candidacies/{cid}/step", json=step), "post", step_path
    )
    assert moved.get_json()["step"] == "interview"
    hired = hr.post(f"/api/v1/vacancies/{vid}/candidacies/{cid}/step", json={"step": "hired"})
    check.response(hired, "post", step_path)
    assert hired.status_code == 422
    check.response(
        hr.post(f"/api/v1/vacancies/{vid}/candidacies/999999/step", json=step), "post", step_path
    )  # 404
    not_path = "/vacancies/{vacancy_id}/candidacies/{candidacy_id}/not-selected"
    reason = check.request_body({"reason": "other_candidate"}, "post", not_path)
    not_selected = hr.post(f"/api/v1/vacancies/{vid}/candidacies/{cid}/not-selected", json=reason)
    check.response(not_selected, "post", not_path)
    assert not_selected.get_json()["step"] == "not_selected"
    assert db.session.get(Manager, not_selected.get_json()["manager_id"]).stage is Stage.CLOSED  # type: ignore[union-attr]
    again = hr.post(f"/api/v1/vacancies/{vid}/candidacies/{cid}/not-selected", json=reason)
    check.response(again, "post", not_path)
    assert again.status_code == 422

    # Refusals.
    check.response(hr.get("/api/v1/vacancies?status=sold"), "get", "/vacancies")  # 400
    check.response(hr.get(f"/api/v1/vacancies/{vid}/candidacies?step=x"), "get", path)  # 400
    check.response(hr.get("/api/v1/vacancies/999999"), "get", "/vacancies/{vacancy_id}")  # 404
    check.response(hr.post("/api/v1/vacancies", json={"title": "X"}), "post", "/vacancies")  # 400
    check.response(
        hr.post("/api/v1/vacancies", data="x", content_type="text/plain"), "post", "/vacancies"
    )  # 415
    check.response(
        hr.post("/api/v1/vacancies", json={"title": "X", "org_unit_id": 999999}), "post", "/vacancies"
    )  # 422
    check.response(
        hr.patch(f"/api/v1/vacancies/{vid}", json={"hr_partner_id": world.interviewer.id}),
        "patch",
        "/vacancies/{vacancy_id}",
    )  # 422: not HR
    check.response(
        hr.put(
            f"/api/v1/vacancies/{vid}/weights", json={"weights": [{"expectation": "no.such", "weight": 2}]}
        ),
        "put",
        "/vacancies/{vacancy_id}/weights",
    )  # 422
    check.response(
        hr.put(f"/api/v1/vacancies/{vid}/group", json={"interviewer_ids": [999999]}),
        "put",
        "/vacancies/{vacancy_id}/group",
    )  # 422
    check.response(client.get("/api/v1/vacancies"), "get", "/vacancies")  # 401
    interviewer = world.api(world.interviewer)
    check.response(interviewer.post("/api/v1/vacancies", json=body), "post", "/vacancies")  # 404: HR only
    check.response(
        world.api(world.outsider).get(f"/api/v1/vacancies/{vid}/candidacies"), "get", path
    )  # 404: not theirs
    login(world.hr.email)
    check.response(client.post("/api/v1/vacancies", json=body), "post", "/vacancies")  # 403: cookie

    operations = {(path, method) for method, path, _status in check.checked}
    assert operations == RECRUITMENT_OPERATIONS, "every operation of the recruitment side is exercised"
    statuses = {status for _method, _path, status in check.checked}
    assert statuses >= {200, 201, 400, 401, 403, 404, 415, 422}


# -- the policy ---------------------------------------------------------------------------------------


def test_a_vacancy_is_seen_by_hr_its_hiring_manager_and_group_and_changed_by_hr_only(
    world: World,
) -> None:
    hr = world.api(world.hr)
    seen = _vacancy(world, hr, hiring_manager_id=world.hiring.id)
    hidden = _vacancy(world, hr, title="Förskolechef", org_unit_id=world.preschool.id)
    assert (
        hr.put(
            f"/api/v1/vacancies/{seen['id']}/group", json={"interviewer_ids": [world.interviewer.id]}
        ).status_code
        == 200
    )

    def titles(user: User) -> list[str]:
        return [v["title"] for v in world.api(user).get("/api/v1/vacancies").get_json()["items"]]

    assert titles(world.hr) == ["Rektor Norra skolan", "Förskolechef"]
    assert titles(world.hiring) == titles(world.interviewer) == ["Rektor Norra skolan"]
    assert titles(world.outsider) == []
    for user in (world.hiring, world.interviewer):
        api = world.api(user)
        assert api.get(f"/api/v1/vacancies/{seen['id']}").status_code == 200
        assert api.get(f"/api/v1/vacancies/{seen['id']}/candidacies").status_code == 200
        assert api.get(f"/api/v1/vacancies/{hidden['id']}").status_code == 404
        changed = api.patch(f"/api/v1/vacancies/{seen['id']}", json={"title": "Annat"})
        assert changed.status_code == 404 and changed.get_json()["error"]["message"], "HR only"
    assert world.api(world.outsider).get(f"/api/v1/vacancies/{seen['id']}").status_code == 404


def test_the_list_filters_as_hrs_list_and_pages_by_id(world: World) -> None:
    hr = world.api(world.hr)
    school = _vacancy(world, hr, title="Skola 1")
    _vacancy(world, hr, title="Förskola", org_unit_id=world.preschool.id, hr_partner_id=world.other_hr.id)
    cancelled = _vacancy(world, hr, title="Skola 2")
    hr.post(f"/api/v1/vacancies/{cancelled['id']}/status", json={"status": "cancelled"})
    school_root = db.session.get(OrgUnit, world.school.parent_id)
    assert school_root is not None

    def titles(query: str) -> list[str]:
        response = hr.get(f"/api/v1/vacancies?{query}")
        assert response.status_code == 200, response.get_json()
        return [v["title"] for v in response.get_json()["items"]]

    assert titles("") == ["Skola 1", "Förskola"], "the recruitments under way by default"
    assert titles(f"unit={school_root.id}") == ["Skola 1"], "a unit includes the units below it"
    assert titles(f"hr_partner={world.other_hr.id}") == ["Förskola"]
    assert titles("status=cancelled") == ["Skola 2"]
    assert titles("status=draft,cancelled") == ["Skola 1", "Förskola", "Skola 2"]
    first = hr.get("/api/v1/vacancies?limit=1&status=draft&status=cancelled").get_json()
    assert [v["id"] for v in first["items"]] == [school["id"]]
    rest = hr.get(
        f"/api/v1/vacancies?limit=5&status=draft,cancelled&cursor={first['next_cursor']}"
    ).get_json()
    assert [v["title"] for v in rest["items"]] == ["Förskola", "Skola 2"] and rest["next_cursor"] is None


def test_candidates_are_counted_listed_per_step_and_bad_input_changes_nothing(world: World) -> None:
    hr = world.api(world.hr)
    vacancy = _vacancy(world, hr)
    vid = vacancy["id"]
    _open(hr, vid)
    ids = [
        hr.post(f"/api/v1/vacancies/{vid}/candidacies", json={"name": f"Sökande {n}"}).get_json()["id"]
        for n in range(3)
    ]
    hr.post(f"/api/v1/vacancies/{vid}/candidacies/{ids[0]}/step", json={"step": "screened"})
    hr.post(f"/api/v1/vacancies/{vid}/candidacies/{ids[1]}/not-selected", json={"reason": "withdrew"})
    shown = hr.get(f"/api/v1/vacancies/{vid}").get_json()
    assert (shown["candidates_in_process"], shown["candidates_total"]) == (2, 3)
    at = hr.get(f"/api/v1/vacancies/{vid}/candidacies?step=applied,screened").get_json()["items"]
    assert [c["id"] for c in at] == [ids[0], ids[2]]
    for bad in (
        {"manager_id": world.pool.id, "name": "Båda"},
        {"email": "bara@example.org"},
        {"name": "x" * 201},
        {"manager_id": True},
    ):
        response = hr.post(f"/api/v1/vacancies/{vid}/candidacies", json=bad)
        assert response.status_code == 400, (bad, response.get_json())
    assert hr.get(f"/api/v1/vacancies/{vid}").get_json()["candidates_total"] == 3
    hr.post(f"/api/v1/vacancies/{vid}/status", json={"status": "cancelled"})
    refused = hr.post(f"/api/v1/vacancies/{vid}/candidacies", json={"name": "För sent"})
    assert refused.status_code == 422 and "name" in refused.get_json()["error"]["fields"]
    over = hr.patch(f"/api/v1/vacancies/{vid}", json={"title": "Ny titel"})
    assert over.status_code == 422 and db.session.get(Vacancy, vid).title == "Rektor Norra skolan"  # type: ignore[union-attr]
    assert db.session.get(Vacancy, vid).status is VacancyStatus.CANCELLED  # type: ignore[union-attr]


def test_the_lists_ask_as_many_queries_whatever_their_length(
    world: World, count_queries: Callable[..., Any]
) -> None:
    hr = world.api(world.hr)

    def queries(url: str) -> int:
        with count_queries() as counted:
            assert hr.get(url).status_code == 200
        return int(counted.count)

    first = _vacancy(world, hr)
    _open(hr, first["id"])
    hr.post(f"/api/v1/vacancies/{first['id']}/candidacies", json={"name": "En"})
    few = (queries("/api/v1/vacancies"), queries(f"/api/v1/vacancies/{first['id']}/candidacies"))
    for n in range(5):
        _vacancy(world, hr, title=f"Vakans {n}", hiring_manager_id=world.hiring.id)
        hr.post(f"/api/v1/vacancies/{first['id']}/candidacies", json={"name": f"Sökande {n}"})
    many = (queries("/api/v1/vacancies"), queries(f"/api/v1/vacancies/{first['id']}/candidacies"))
    assert few == many
