"""Mentoring in the API: role models (HR marks and changes them), a manager's mentor suggestions with the
reasons, starting a mentorship, logging its meeting and ending it; who reads what follows the pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import Assessor
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import User
from lifecycle.services.plans import ensure_plan
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.services.reviews import record_assessments
from lifecycle.timeutil import local_today
from tests.api.conftest import ApiClient
from tests.api.conftest import ResponseChecker
from tests.factories import make_manager
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("clock")

#: every operation of mentoring; test_openapi.py leaves these to this module
MENTORING_OPERATIONS = frozenset(
    {
        ("/role-models", "get"),
        ("/role-models", "post"),
        ("/role-models/{role_model_id}", "patch"),
        ("/managers/{manager_id}/mentor-suggestions", "get"),
        ("/mentorships", "get"),
        ("/mentorships", "post"),
        ("/mentorships/{mentorship_id}", "get"),
        ("/mentorships/{mentorship_id}/meetings", "post"),
        ("/mentorships/{mentorship_id}/end", "post"),
    }
)


def test_hr_marks_role_models_and_starts_a_mentorship_as_the_document_says(
    app_ctx: Flask, api_as: Callable[[User], ApiClient], check: ResponseChecker
) -> None:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    hr = make_user(Role.HR)
    mentor = make_manager("Maja Mentor", with_account=True)
    mentee = make_manager("Anna Adept", with_account=True)
    outsider = make_manager("Olof Annan", with_account=True)
    feedback = db.session.query(Expectation).filter_by(key="leader.feedback").one()
    record_assessments(
        ensure_plan(mentee, local_today()).reviews[0], Assessor.LINE_MANAGER, {feedback.id: (2, "")}
    )
    db.session.commit()
    hr_api, mentor_api = api_as(hr), api_as(mentor.user)  # type: ignore[arg-type]

    body = check.request_body(
        {
            "manager_id": mentor.id,
            "expectations": ["leader.feedback"],
            "capacity": 1,
            "study_note": "Lyssnar",
        },
        "post",
        "/role-models",
    )
    created = check.response(hr_api.post("/api/v1/role-models", json=body), "post", "/role-models")
    assert created.status_code == 201, created.get_json()
    role_model = created.get_json()
    assert (role_model["pillars"], role_model["expectations"]) == (["leader"], ["leader.feedback"])
    again = check.response(hr_api.post("/api/v1/role-models", json=body), "post", "/role-models")
    assert again.status_code == 422 and "manager_id" in again.get_json()["error"]["fields"]
    # Anyone signed in lists the active ones, without the study's note.
    listed = check.response(mentor_api.get("/api/v1/role-models"), "get", "/role-models").get_json()
    assert [(r["id"], r["study_note"]) for r in listed["items"]] == [(role_model["id"], None)]
    changed = check.response(
        hr_api.patch(f"/api/v1/role-models/{role_model['id']}", json={"capacity": 2}),
        "patch",
        "/role-models/{role_model_id}",
    ).get_json()
    assert changed["capacity"] == 2 and changed["expectations"] == ["leader.feedback"]

    suggestions = check.response(
        hr_api.get(f"/api/v1/managers/{mentee.id}/mentor-suggestions"),
        "get",
        "/managers/{manager_id}/mentor-suggestions",
    ).get_json()["items"]
    # Her feedback (assessed 2) and her Klar ledare pillar (no activity yet) weigh 2 each.
    assert [(s["mentor_id"], s["score"]) for s in suggestions] == [(mentor.id, 4)]
    assert {(r["pillar"], r["expectation"], r["score"]) for r in suggestions[0]["reasons"]} == {
        ("leader", None, None),
        ("leader", "leader.feedback", 2),
    }

    today = local_today()
    start = {
        "mentor_id": mentor.id,
        "mentee_id": mentee.id,
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=120)).isoformat(),
        "goals": "Feedback",
        "cadence_weeks": 4,
    }
    started = check.response(
        hr_api.post("/api/v1/mentorships", json=check.request_body(start, "post", "/mentorships")),
        "post",
        "/mentorships",
    )
    assert started.status_code == 201, started.get_json()
    mentorship = started.get_json()
    assert mentorship["state"] == "running"
    refused = check.response(
        hr_api.post("/api/v1/mentorships", json={**start, "cadence_weeks": 0}), "post", "/mentorships"
    )
    assert refused.status_code == 400
    overlapping = hr_api.post("/api/v1/mentorships", json=start)
    assert overlapping.status_code == 422 and "starts_on" in overlapping.get_json()["error"]["fields"]

    # The mentor reads it and logs a meeting; someone else gets 404.
    mine = check.response(mentor_api.get("/api/v1/mentorships"), "get", "/mentorships").get_json()
    assert [m["id"] for m in mine["items"]] == [mentorship["id"]]
    assert api_as(outsider.user).get("/api/v1/mentorships").get_json()["items"] == []  # type: ignore[arg-type]
    check.response(
        api_as(outsider.user).get(f"/api/v1/mentorships/{mentorship['id']}"),  # type: ignore[arg-type]
        "get",
        "/mentorships/{mentorship_id}",
    )  # 404
    met = check.response(
        mentor_api.post(
            f"/api/v1/mentorships/{mentorship['id']}/meetings",
            json={"held_on": today.isoformat(), "expectations": ["leader.feedback"]},
        ),
        "post",
        "/mentorships/{mentorship_id}/meetings",
    )
    assert met.status_code == 201, met.get_json()
    assert [m["expectations"] for m in met.get_json()["meetings"]] == [["leader.feedback"]]
    one = check.response(
        mentor_api.get(started.headers["Location"]), "get", "/mentorships/{mentorship_id}"
    ).get_json()
    assert len(one["meetings"]) == 1
    ended = check.response(
        mentor_api.post(f"/api/v1/mentorships/{mentorship['id']}/end", json={"reason": "Klart"}),
        "post",
        "/mentorships/{mentorship_id}/end",
    ).get_json()
    assert ended["state"] == "ended"
    assert {(p, m) for m, p, _status in check.checked} == MENTORING_OPERATIONS
