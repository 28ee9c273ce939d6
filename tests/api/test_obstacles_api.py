"""The obstacle log in the API: the list a page at a time, one obstacle with its history, reporting one,
and HR's change; who reads what follows the pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import OrgUnitKind
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import Obstacle
from lifecycle.models import User
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from tests.api.conftest import ApiClient
from tests.api.conftest import ResponseChecker
from tests.conftest import WorkerTasks
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("clock")

#: every operation of the obstacle log; test_openapi.py leaves these to this module
OBSTACLE_OPERATIONS = frozenset(
    {
        ("/obstacles", "get"),
        ("/obstacles", "post"),
        ("/obstacles/{obstacle_id}", "get"),
        ("/obstacles/{obstacle_id}", "patch"),
    }
)


def test_managers_report_and_hr_handles_obstacles_as_the_document_says(
    app_ctx: Flask, api_as: Callable[[User], ApiClient], check: ResponseChecker, worker_tasks: WorkerTasks
) -> None:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    hr = make_user(Role.HR)
    owner = make_user(name="Olle Fastighet")
    school = make_unit("Grundskolan", kind=OrgUnitKind.DEPARTMENT)
    north = make_unit("Norra skolan", school)
    elsewhere = make_unit("Äldreomsorgen", kind=OrgUnitKind.DEPARTMENT)
    reporter = make_manager("Rut Rektor", org_unit=north, with_account=True)
    colleague = make_manager("Gun Grundskolechef", org_unit=school, with_account=True)
    outsider = make_manager("Åke Äldre", org_unit=elsewhere, with_account=True)
    db.session.commit()
    api, hr_api = api_as(reporter.user), api_as(hr)  # type: ignore[arg-type]

    body = check.request_body(
        {"title": "Ingen vikarie", "severity": "high", "shared": True, "expectations": ["leader.trust"]},
        "post",
        "/obstacles",
    )
    created = check.response(api.post("/api/v1/obstacles", json=body), "post", "/obstacles")
    assert created.status_code == 201, created.get_json()
    obstacle = created.get_json()
    assert (obstacle["status"], obstacle["pillars"], obstacle["reporter_id"]) == (
        "reported",
        ["leader"],
        reporter.id,
    )
    assert [step["field"] for step in obstacle["history"]] == ["reported"]
    private = api.post(
        "/api/v1/obstacles", json={"title": "Eget", "severity": "low", "pillars": ["secure"]}
    ).get_json()
    for number in range(3):
        api.post(
            "/api/v1/obstacles", json={"title": f"Fler {number}", "severity": "low", "pillars": ["secure"]}
        )

    # Pages by id; filters as HR's overview.
    first = check.response(hr_api.get("/api/v1/obstacles?limit=2"), "get", "/obstacles").get_json()
    assert [o["title"] for o in first["items"]] == ["Ingen vikarie", "Eget"]
    rest = hr_api.get(f"/api/v1/obstacles?limit=10&cursor={first['next_cursor']}").get_json()
    assert [o["title"] for o in rest["items"]] == ["Fler 0", "Fler 1", "Fler 2"] and rest[
        "next_cursor"
    ] is None
    by_pillar = hr_api.get("/api/v1/obstacles?pillar=leader").get_json()
    assert [o["id"] for o in by_pillar["items"]] == [obstacle["id"]]
    assert hr_api.get(f"/api/v1/obstacles?unit={elsewhere.id}").get_json()["items"] == []
    assert len(hr_api.get(f"/api/v1/obstacles?unit={school.id}").get_json()["items"]) == 5

    # Who reads what.
    seen_by_colleague = api_as(colleague.user).get("/api/v1/obstacles").get_json()  # type: ignore[arg-type]
    assert [o["id"] for o in seen_by_colleague["items"]] == [obstacle["id"]]
    outside = api_as(outsider.user)  # type: ignore[arg-type]
    assert outside.get("/api/v1/obstacles").get_json()["items"] == []
    check.response(
        outside.get(f"/api/v1/obstacles/{obstacle['id']}"), "get", "/obstacles/{obstacle_id}"
    )  # 404
    assert outside.get(f"/api/v1/obstacles/{private['id']}").status_code == 404
    one = check.response(api.get(created.headers["Location"]), "get", "/obstacles/{obstacle_id}")
    assert one.get_json() == obstacle

    # HR's change; not removable needs its explanation; the reporter is told once it is resolved.
    path = f"/api/v1/obstacles/{obstacle['id']}"
    change = check.request_body(
        {
            "owner_user_id": owner.id,
            "due_date": "2026-12-01",
            "status": "being_handled",
            "comment": "Vi ordnar",
        },
        "patch",
        "/obstacles/{obstacle_id}",
    )
    changed = check.response(hr_api.patch(path, json=change), "patch", "/obstacles/{obstacle_id}").get_json()
    assert (changed["status"], changed["owner_user_id"], changed["due_date"]) == (
        "being_handled",
        owner.id,
        "2026-12-01",
    )
    assert [s["field"] for s in changed["history"]] == ["reported", "owner", "due_date", "status", "comment"]
    refused = check.response(
        hr_api.patch(path, json={"status": "not_removable"}), "patch", "/obstacles/{obstacle_id}"
    )
    assert refused.status_code == 422 and "explanation" in refused.get_json()["error"]["fields"]
    nobody = hr_api.patch(path, json={"owner_user_id": 999999})
    assert nobody.status_code == 422 and "owner_user_id" in nobody.get_json()["error"]["fields"]
    check.response(
        hr_api.patch(path, json={"status": "sideways"}), "patch", "/obstacles/{obstacle_id}"
    )  # 400
    assert worker_tasks.named("obstacles.send_resolved") == []
    done = hr_api.patch(path, json={"status": "not_removable", "explanation": "Lagkrav"}).get_json()
    assert (done["status"], done["explanation"]) == ("not_removable", "Lagkrav")
    assert worker_tasks.named("obstacles.send_resolved") == [[[obstacle["id"]]]]
    # Only HR changes an obstacle through the API, not even its reporter.
    check.response(api.patch(path, json={"comment": "Hej"}), "patch", "/obstacles/{obstacle_id}")  # 404

    # Refusals when reporting: a bad body, an unknown key, nothing hindered, someone with no unit.
    check.response(api.post("/api/v1/obstacles", json={"title": "x", "severity": 5}), "post", "/obstacles")
    unknown = api.post("/api/v1/obstacles", json={"title": "x", "severity": "low", "pillars": ["nope"]})
    assert unknown.status_code == 422 and "pillars" in unknown.get_json()["error"]["fields"]
    nothing = check.response(
        api.post("/api/v1/obstacles", json={"title": "x", "severity": "low"}), "post", "/obstacles"
    )
    assert nothing.status_code == 422 and "pillars" in nothing.get_json()["error"]["fields"]
    no_unit = check.response(
        hr_api.post("/api/v1/obstacles", json={"title": "x", "severity": "low", "pillars": ["secure"]}),
        "post",
        "/obstacles",
    )
    assert no_unit.status_code == 404
    check.response(hr_api.get("/api/v1/obstacles?status=closed"), "get", "/obstacles")  # 400
    assert db.session.query(Obstacle).count() == 5
    assert {(p, m) for m, p, _status in check.checked} == OBSTACLE_OPERATIONS
