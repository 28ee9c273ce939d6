"""Management-group workshops in the API: HR plans one, records its outcome (a group goal and an
obstacle), its participants read it and its goals, and the member's plan carries the goal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import Obstacle
from lifecycle.models import User
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.timeutil import local_today
from tests.api.conftest import ApiClient
from tests.api.conftest import ResponseChecker
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("clock")

#: every operation of the workshops; test_openapi.py leaves these to this module
WORKSHOP_OPERATIONS = frozenset(
    {
        ("/workshops", "get"),
        ("/workshops", "post"),
        ("/workshops/{workshop_id}", "get"),
        ("/workshops/{workshop_id}/outcome", "post"),
        ("/workshops/{workshop_id}/goals", "get"),
    }
)


def test_hr_plans_a_workshop_and_records_its_outcome_as_the_document_says(
    app_ctx: Flask, api_as: Callable[[User], ApiClient], check: ResponseChecker
) -> None:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    hr = make_user(Role.HR)
    unit = make_unit("Socialtjänsten")
    anna = make_manager("Anna Chef", org_unit=unit, with_account=True)
    bo = make_manager("Bo Chef", org_unit=unit, with_account=True)
    outsider = make_manager("Åke Utanför", org_unit=make_unit("Annan enhet"), with_account=True)
    db.session.commit()
    hr_api, anna_api = api_as(hr), api_as(anna.user)  # type: ignore[arg-type]
    today = local_today()

    body = check.request_body(
        {
            "unit_id": unit.id,
            "title": "Ledningsgruppen",
            "held_at": f"{(today - timedelta(days=1)).isoformat()}T13:00:00+01:00",
            "pillars": ["leader", "secure"],
        },
        "post",
        "/workshops",
    )
    created = check.response(hr_api.post("/api/v1/workshops", json=body), "post", "/workshops")
    assert created.status_code == 201, created.get_json()
    workshop = created.get_json()
    assert workshop["participant_ids"] == sorted([anna.id, bo.id])
    assert workshop["pillars"] == ["secure", "leader"] and workshop["status"] == "planned"
    refused = hr_api.post("/api/v1/workshops", json={**body, "pillars": []})
    check.response(refused, "post", "/workshops")
    assert refused.status_code == 400
    assert anna_api.post("/api/v1/workshops", json=body).status_code == 404

    path = f"/api/v1/workshops/{workshop['id']}/outcome"
    outcome = {
        "pillars": [
            {
                "pillar": "leader",
                "notes": "Mer feedback",
                "goals": [
                    {
                        "text": "Feedback varje vecka",
                        "owner_id": anna.id,
                        "follow_up_on": (today + timedelta(days=30)).isoformat(),
                    }
                ],
                "obstacles": [{"title": "För stora grupper", "severity": "high", "shared": True}],
            }
        ]
    }
    wrong_owner = {
        "pillars": [
            {
                **outcome["pillars"][0],
                "goals": [{**outcome["pillars"][0]["goals"][0], "owner_id": outsider.id}],
            }
        ]
    }  # type: ignore[dict-item]
    bad = check.response(hr_api.post(path, json=wrong_owner), "post", "/workshops/{workshop_id}/outcome")
    assert bad.status_code == 422 and "leader-goals-0-owner" in bad.get_json()["error"]["fields"]
    recorded = check.response(
        hr_api.post(path, json=check.request_body(outcome, "post", "/workshops/{workshop_id}/outcome")),
        "post",
        "/workshops/{workshop_id}/outcome",
    )
    assert recorded.status_code == 200, recorded.get_json()
    detail = recorded.get_json()
    assert detail["status"] == "held" and detail["outcomes"] == [
        {"pillar": "leader", "notes": "Mer feedback"}
    ]
    (obstacle_id,) = detail["obstacle_ids"]
    obstacle = db.session.get(Obstacle, obstacle_id)
    assert obstacle is not None and obstacle.workshop_id == workshop["id"]

    one = check.response(
        anna_api.get(f"/api/v1/workshops/{workshop['id']}"), "get", "/workshops/{workshop_id}"
    )
    assert one.get_json()["goals"][0]["text"] == "Feedback varje vecka"
    goals = check.response(
        anna_api.get(f"/api/v1/workshops/{workshop['id']}/goals"), "get", "/workshops/{workshop_id}/goals"
    ).get_json()
    assert [g["owner_id"] for g in goals["items"]] == [anna.id]
    listed = check.response(anna_api.get("/api/v1/workshops"), "get", "/workshops").get_json()
    assert [w["id"] for w in listed["items"]] == [workshop["id"]]
    outside = api_as(outsider.user)  # type: ignore[arg-type]
    assert outside.get("/api/v1/workshops").get_json()["items"] == []
    check.response(outside.get(f"/api/v1/workshops/{workshop['id']}"), "get", "/workshops/{workshop_id}")
    plan = api_as(bo.user).get(f"/api/v1/managers/{bo.id}/plan").get_json()  # type: ignore[arg-type]
    assert [g["text"] for g in plan["group_goals"]] == ["Feedback varje vecka"]
    assert {(p, m) for m, p, _status in check.checked} == WORKSHOP_OPERATIONS
