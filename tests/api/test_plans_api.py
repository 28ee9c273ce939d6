"""The development side of the API: activities, plans, reviews, coverage, the catalogue, by the policy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from lifecycle.blueprints.api.openapi import openapi_document
from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ActivityKind
from lifecycle.enums import OrgUnitKind
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import DevelopmentPlan
from lifecycle.models import Manager
from lifecycle.models import User
from lifecycle.services.activities import create_catalogue_item
from lifecycle.services.activities import resolve_tags
from lifecycle.services.activities import set_catalogue_item_active
from lifecycle.services.plans import add_goal
from lifecycle.services.plans import ensure_plan
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.timeutil import local_today
from tests.api.conftest import ApiClient
from tests.api.conftest import ResponseChecker
from tests.factories import make_manager
from tests.factories import make_running_mentorship
from tests.factories import make_unit
from tests.factories import make_user

# Dates here are computed from today: every test runs at the suite's fixed moment (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("clock")

#: every operation of the development side; test_openapi.py leaves these to this module
PLAN_OPERATIONS = frozenset(
    {
        ("/managers/{manager_id}/activities", "get"),
        ("/managers/{manager_id}/activities", "post"),
        ("/activities", "post"),
        ("/activities/{activity_id}/complete", "post"),
        ("/activities/{activity_id}/cancel", "post"),
        ("/catalogue", "get"),
        ("/managers/{manager_id}/plan", "get"),
        ("/managers/{manager_id}/plan/goals", "post"),
        ("/goals/{goal_id}", "patch"),
        ("/managers/{manager_id}/plan/comments", "post"),
        ("/managers/{manager_id}/reviews", "get"),
        ("/reviews/{review_id}/assessments", "put"),
        ("/reviews/{review_id}/complete", "post"),
        ("/managers/{manager_id}/coverage", "get"),
        ("/coverage/units", "get"),
    }
)

ACTIVITY = {"kind": "course", "title": "Feedbackkurs", "pillars": ["leader"]}


@dataclass
class People:
    boss: Manager
    mentor: Manager
    anna: Manager
    other: Manager
    hr: User
    api: dict[str, ApiClient]


@pytest.fixture
def people(app_ctx: Flask, api_as: Callable[[User], ApiClient]) -> People:
    """Anna, her line manager, her mentor, a manager with nothing to do with her, and HR."""
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    root = make_unit("Kommunen", kind=OrgUnitKind.MUNICIPALITY)
    care = make_unit("Vård", parent=root, kind=OrgUnitKind.ADMINISTRATION)
    school = make_unit("Skola", parent=root, kind=OrgUnitKind.ADMINISTRATION)
    boss = make_manager("Bodil Chef", with_account=True, org_unit=care)
    mentor = make_manager("Mona Mentor", with_account=True, org_unit=school)
    anna = make_manager("Anna Plan", line_manager=boss, with_account=True, org_unit=care)
    # The mentor of a running mentorship reads her plan (the record's mentor_id alone does not).
    make_running_mentorship(mentor, anna, None)
    other = make_manager("Olof Annan", with_account=True, org_unit=school)
    hr = make_user(Role.HR)
    db.session.flush()
    api = {
        "anna": api_as(anna.user),  # type: ignore[arg-type]
        "boss": api_as(boss.user),  # type: ignore[arg-type]
        "mentor": api_as(mentor.user),  # type: ignore[arg-type]
        "other": api_as(other.user),  # type: ignore[arg-type]
        "hr": api_as(hr),
    }
    return People(boss, mentor, anna, other, hr, api)


def _ok(response: TestResponse, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def _field_error(response: TestResponse, status: int, field: str) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    messages: list[str] = response.get_json()["error"]["fields"][field]
    assert messages and all(messages)
    return messages[0]


def _counts(api: ApiClient, manager: Manager) -> dict[str, int]:
    """Return the coverage endpoint's counts by pillar and expectation key."""
    body = _ok(api.get(f"/api/v1/managers/{manager.id}/coverage"))
    counts = {}
    for pillar in body["pillars"]:
        counts[pillar["key"]] = pillar["count"]
        counts.update({e["key"]: e["count"] for e in pillar["expectations"]})
    return counts


# -- the pillar rule -------------------------------------------------------------------------------


def test_an_activity_without_a_pillar_is_refused(people: People) -> None:
    api, url = people.api["anna"], f"/api/v1/managers/{people.anna.id}/activities"
    no_pillar = {"kind": "course", "title": "Kurs"}
    for body in (no_pillar, {**no_pillar, "pillars": []}, {**no_pillar, "pillars": [], "expectations": []}):
        assert "pelare" in _field_error(api.post(url, json=body), 422, "pillars")
    _field_error(api.post(url, json={**no_pillar, "pillars": ["courage"]}), 422, "pillars")
    _field_error(api.post(url, json={**no_pillar, "expectations": ["leader.nope"]}), 422, "expectations")
    assert _ok(api.get(url))["items"] == [], "nothing refused was kept"

    made = _ok(api.post(url, json=ACTIVITY), 201)
    assert made["pillars"] == ["leader"] and made["participant_count"] == 1
    assert made["stage"] == "develop" and made["status"] == "open"
    implied = _ok(
        api.post(url, json={**no_pillar, "expectations": ["leader.feedback", "secure.decide"]}), 201
    )
    assert implied["pillars"] == ["secure", "leader"]
    assert set(implied["expectations"]) == {"leader.feedback", "secure.decide"}


# -- who reaches what ------------------------------------------------------------------------------


def _anna_objects(people: People) -> dict[str, int]:
    """Give Anna a goal, an activity and a review; return their ids."""
    anna = people.api["anna"]
    goal = _ok(
        anna.post(
            f"/api/v1/managers/{people.anna.id}/plan/goals",
            json={"title": "Ge mer feedback", "expectations": ["leader.feedback"]},
        ),
        201,
    )
    activity = _ok(anna.post(f"/api/v1/managers/{people.anna.id}/activities", json=ACTIVITY), 201)
    reviews = _ok(anna.get(f"/api/v1/managers/{people.anna.id}/reviews"))["items"]
    assert reviews, "the plan's period has reviews by HR's cadence"
    return {"goal": goal["id"], "activity": activity["id"], "review": reviews[0]["id"]}


def _routes(people: People, ids: dict[str, int]) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every new route for Anna's objects, with a body that would be accepted."""
    m = f"/api/v1/managers/{people.anna.id}"
    score = {"scores": [{"expectation": "leader.feedback", "score": 3}]}
    return [
        ("get", f"{m}/activities", None),
        ("post", f"{m}/activities", ACTIVITY),
        ("post", f"/api/v1/activities/{ids['activity']}/complete", {}),
        ("post", f"/api/v1/activities/{ids['activity']}/cancel", {}),
        ("get", f"{m}/plan", None),
        ("post", f"{m}/plan/goals", {"title": "Mål", "expectations": ["leader.trust"]}),
        ("patch", f"/api/v1/goals/{ids['goal']}", {"status": "achieved"}),
        ("post", f"{m}/plan/comments", {"body": "Bra!"}),
        ("get", f"{m}/reviews", None),
        ("put", f"/api/v1/reviews/{ids['review']}/assessments", score),
        ("post", f"/api/v1/reviews/{ids['review']}/complete", {"next_steps": "Fortsätt"}),
        ("get", f"{m}/coverage", None),
    ]


def _call(api: ApiClient, method: str, url: str, body: dict[str, Any] | None) -> TestResponse:
    if body is None:
        response: TestResponse = getattr(api, method)(url)
    else:
        response = getattr(api, method)(url, json=body)
    return response


def test_another_manager_reaches_nothing_of_annas(people: People) -> None:
    ids = _anna_objects(people)
    other = people.api["other"]
    for method, url, body in _routes(people, ids):
        response = _call(other, method, url, body)
        assert response.status_code == 404, (method, url, response.get_data(as_text=True))
        assert "Anna" not in response.get_data(as_text=True)
    assert (
        other.post("/api/v1/activities", json={**ACTIVITY, "participants": [people.anna.id]}).status_code
        == 404
    )
    assert other.get("/api/v1/coverage/units").status_code == 404
    # A missing manager answers exactly like a hidden one.
    assert (
        other.get("/api/v1/managers/999999/plan").get_json()
        == other.get(f"/api/v1/managers/{people.anna.id}/plan").get_json()
    )
    # And nothing was changed on the way.
    plan = _ok(people.api["anna"].get(f"/api/v1/managers/{people.anna.id}/plan"))
    assert [goal["status"] for goal in plan["goals"]] == ["planned"] and plan["comments"] == []


def test_the_manager_reads_and_edits_their_own_plan(people: People) -> None:
    ids = _anna_objects(people)
    anna = people.api["anna"]
    # Commenting and completing the review are for the line manager or HR, not for her.
    theirs = {f"/api/v1/managers/{people.anna.id}/plan/comments", f"/api/v1/reviews/{ids['review']}/complete"}
    for method, url, body in _routes(people, ids):
        response = _call(anna, method, url, body)
        if url in theirs:
            assert response.status_code == 404, (method, url)
        else:
            assert response.status_code in (200, 201), (method, url, response.get_data(as_text=True))
    plan = _ok(anna.get(f"/api/v1/managers/{people.anna.id}/plan"))
    assert plan["can_edit"] is True and plan["can_comment"] is False
    assert {goal["title"] for goal in plan["goals"]} == {"Ge mer feedback", "Mål"}
    assert plan["starts_on"] == f"{local_today().year}-01-01"


def test_the_line_manager_reads_and_comments_but_does_not_edit(people: People) -> None:
    ids = _anna_objects(people)
    boss = people.api["boss"]
    m = f"/api/v1/managers/{people.anna.id}"
    for url in (f"{m}/plan", f"{m}/activities", f"{m}/reviews", f"{m}/coverage"):
        _ok(boss.get(url))
    plan = _ok(boss.get(f"{m}/plan"))
    assert plan["can_edit"] is False and plan["can_comment"] is True
    comment = _ok(boss.post(f"{m}/plan/comments", json={"body": "  Bra jobbat!  "}), 201)
    assert comment["body"] == "Bra jobbat!" and comment["author"]["name"] == "Bodil Chef"
    assert (
        boss.post(f"{m}/plan/goals", json={"title": "X", "expectations": ["leader.trust"]}).status_code == 404
    )
    assert boss.patch(f"/api/v1/goals/{ids['goal']}", json={"status": "dropped"}).status_code == 404
    assert boss.post(f"{m}/activities", json=ACTIVITY).status_code == 404
    assert boss.post(f"/api/v1/activities/{ids['activity']}/complete", json={}).status_code == 404
    assert boss.post(f"/api/v1/activities/{ids['activity']}/cancel").status_code == 404
    assert [c["body"] for c in _ok(people.api["anna"].get(f"{m}/plan"))["comments"]] == ["Bra jobbat!"]


def test_the_mentor_reads_only(people: People) -> None:
    ids = _anna_objects(people)
    mentor = people.api["mentor"]
    m = f"/api/v1/managers/{people.anna.id}"
    for url in (f"{m}/plan", f"{m}/activities", f"{m}/reviews", f"{m}/coverage"):
        _ok(mentor.get(url))
    plan = _ok(mentor.get(f"{m}/plan"))
    assert plan["can_edit"] is False and plan["can_comment"] is False
    assert mentor.post(f"{m}/plan/comments", json={"body": "Hej"}).status_code == 404
    assert (
        mentor.post(f"{m}/plan/goals", json={"title": "X", "expectations": ["leader.trust"]}).status_code
        == 404
    )
    score = {"scores": [{"expectation": "leader.feedback", "score": 3}]}
    assert mentor.put(f"/api/v1/reviews/{ids['review']}/assessments", json=score).status_code == 404
    assert mentor.post(f"/api/v1/reviews/{ids['review']}/complete", json={}).status_code == 404
    # The mentee is not one of the mentor's direct reports: the managers API still hides her.
    assert mentor.get(f"/api/v1/managers/{people.anna.id}").status_code == 404


def test_hr_reads_every_plan_adds_activities_and_comments(people: People) -> None:
    ids = _anna_objects(people)
    hr = people.api["hr"]
    for manager in (people.anna, people.boss, people.other):
        m = f"/api/v1/managers/{manager.id}"
        for url in (f"{m}/plan", f"{m}/activities", f"{m}/reviews", f"{m}/coverage"):
            _ok(hr.get(url))
    m = f"/api/v1/managers/{people.anna.id}"
    assert _ok(hr.post(f"{m}/activities", json=ACTIVITY), 201)["participant_count"] == 1
    _ok(hr.post(f"{m}/plan/comments", json={"body": "HR tittade"}), 201)
    # The goals are the manager's own.
    assert (
        hr.post(f"{m}/plan/goals", json={"title": "X", "expectations": ["leader.trust"]}).status_code == 404
    )
    assert hr.patch(f"/api/v1/goals/{ids['goal']}", json={"status": "dropped"}).status_code == 404
    # HR has no assessment of its own in a review.
    score = {"scores": [{"expectation": "leader.feedback", "score": 3}]}
    assert hr.put(f"/api/v1/reviews/{ids['review']}/assessments", json=score).status_code == 404
    _ok(hr.post(f"/api/v1/activities/{ids['activity']}/complete", json={}))


# -- activities ------------------------------------------------------------------------------------


def test_completing_an_activity_grows_the_coverage(people: People) -> None:
    anna = people.api["anna"]
    m = f"/api/v1/managers/{people.anna.id}"
    before = _counts(anna, people.anna)
    assert before["leader"] == 0 and before["leader.feedback"] == 0
    made = _ok(anna.post(f"{m}/activities", json={**ACTIVITY, "expectations": ["leader.feedback"]}), 201)
    assert _counts(anna, people.anna) == before, "an open activity builds nothing yet"
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    done = _ok(anna.post(f"/api/v1/activities/{made['id']}/complete", json={"completed_on": yesterday}))
    assert done["status"] == "completed" and done["completed_on"] == yesterday
    after = _counts(anna, people.anna)
    assert after["leader"] == 1 and after["leader.feedback"] == 1
    assert after["secure"] == 0
    # Without a body it is completed today.
    second = _ok(anna.post(f"{m}/activities", json=ACTIVITY), 201)
    assert (
        _ok(anna.post(f"/api/v1/activities/{second['id']}/complete"))["completed_on"]
        == local_today().isoformat()
    )
    assert _counts(anna, people.anna)["leader"] == 2


def test_cancelling_an_activity(people: People) -> None:
    anna = people.api["anna"]
    m = f"/api/v1/managers/{people.anna.id}"
    made = _ok(
        anna.post(f"{m}/activities", json={**ACTIVITY, "completed_on": local_today().isoformat()}), 201
    )
    assert _counts(anna, people.anna)["leader"] == 1
    cancelled = _ok(anna.post(f"/api/v1/activities/{made['id']}/cancel"))
    assert cancelled["status"] == "cancelled" and cancelled["cancelled_at"]
    assert _counts(anna, people.anna)["leader"] == 0
    again = _ok(anna.post(f"/api/v1/activities/{made['id']}/cancel", json={}))
    assert again["cancelled_at"] == cancelled["cancelled_at"]
    _field_error(anna.post(f"/api/v1/activities/{made['id']}/complete", json={}), 422, "completed_on")
    assert anna.post(f"/api/v1/activities/{made['id']}/cancel", json={"why": "x"}).status_code == 400
    assert anna.post("/api/v1/activities/999999/cancel").status_code == 404


def test_a_group_activity_counts_once_for_each_participant(people: People) -> None:
    hr = people.api["hr"]
    group = [people.anna.id, people.boss.id, people.other.id]
    body = {
        **ACTIVITY,
        "kind": "workshop",
        "participants": group,
        "expectations": ["leader.communicate"],
        "completed_on": local_today().isoformat(),
    }
    made = _ok(hr.post("/api/v1/activities", json=body), 201)
    assert made["participant_count"] == 3 and made["stage"] is None
    for manager in (people.anna, people.boss, people.other):
        counts = _counts(hr, manager)
        assert counts["leader"] == 1 and counts["leader.communicate"] == 1
    assert _counts(hr, people.mentor)["leader"] == 0
    # Each participant sees it among their own, but not who else took part.
    listed = _ok(people.api["anna"].get(f"/api/v1/managers/{people.anna.id}/activities"))["items"]
    assert [item["id"] for item in listed] == [made["id"]] and listed[0]["participant_count"] == 3
    # One participant alone does not complete or cancel a group's activity.
    assert people.api["anna"].post(f"/api/v1/activities/{made['id']}/cancel").status_code == 404

    assert people.api["boss"].post("/api/v1/activities", json=body).status_code == 404  # HR only
    _field_error(hr.post("/api/v1/activities", json={**body, "participants": [999999]}), 422, "participants")
    _field_error(
        hr.post("/api/v1/activities", json={**body, "participants": [group[0]] * 2}), 400, "participants"
    )
    _field_error(hr.post("/api/v1/activities", json={**body, "participants": []}), 400, "participants")
    many = list(range(1, 202))
    _field_error(hr.post("/api/v1/activities", json={**body, "participants": many}), 400, "participants")
    _field_error(
        hr.post("/api/v1/activities", json={**body, "pillars": [], "expectations": []}), 422, "pillars"
    )
    _field_error(hr.post("/api/v1/activities", json={**body, "goal_id": 1}), 400, "goal_id")


def test_activities_are_listed_by_status_a_page_at_a_time_in_constant_queries(
    people: People, count_queries: Callable[[], Any]
) -> None:
    anna = people.api["anna"]
    m = f"/api/v1/managers/{people.anna.id}/activities"
    today = local_today()
    overdue = _ok(anna.post(m, json={**ACTIVITY, "due_on": (today - timedelta(days=3)).isoformat()}), 201)
    done = _ok(anna.post(m, json={**ACTIVITY, "completed_on": today.isoformat()}), 201)
    cancelled = _ok(anna.post(m, json=ACTIVITY), 201)
    _ok(anna.post(f"/api/v1/activities/{cancelled['id']}/cancel"))
    rest = [
        _ok(anna.post(m, json={**ACTIVITY, "expectations": ["leader.trust", "secure.decide"]}), 201)["id"]
        for _n in range(9)
    ]

    def ids(url: str) -> list[int]:
        return [item["id"] for item in _ok(anna.get(url))["items"]]

    assert ids(f"{m}?status=overdue") == [overdue["id"]]
    assert ids(f"{m}?status=completed") == [done["id"]]
    assert ids(f"{m}?status=open") == [overdue["id"], *rest]
    assert len(ids(m)) == len(ids(f"{m}?status=all")) == 12
    assert _ok(anna.get(f"{m}?status=all&limit=1"))["items"][0]["status"] == "overdue"

    seen: list[int] = []
    query_counts = []
    url = f"{m}?limit=4"
    while True:
        with count_queries() as counter:
            body = _ok(anna.get(url))
        query_counts.append(counter.count)
        seen.extend(item["id"] for item in body["items"])
        if body["next_cursor"] is None:
            break
        url = f"{m}?limit=4&cursor={body['next_cursor']}"
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 12
    assert len(query_counts) == 3 and len(set(query_counts)) == 1, query_counts


def test_the_catalogue_and_activities_from_it(people: People) -> None:
    pillars, expectations = resolve_tags(["secure"], ["developer.scout"])
    item = create_catalogue_item(
        title="Omvärldsdag",
        kind=ActivityKind.WORKSHOP,
        description="En dag om omvärlden",
        pillars=pillars,
        expectations=expectations,
    )
    gone = create_catalogue_item(
        title="Gammal kurs", kind=ActivityKind.COURSE, description="", pillars=pillars, expectations=[]
    )
    set_catalogue_item_active(gone, False)
    db.session.flush()
    anna = people.api["anna"]
    listed = _ok(anna.get("/api/v1/catalogue"))["items"]
    assert [(i["title"], i["pillars"], i["expectations"]) for i in listed] == [
        ("Omvärldsdag", ["secure", "developer"], ["developer.scout"])
    ]

    m = f"/api/v1/managers/{people.anna.id}/activities"
    goal = _ok(
        anna.post(
            f"/api/v1/managers/{people.anna.id}/plan/goals",
            json={"title": "Omvärld", "expectations": ["developer.scout"]},
        ),
        201,
    )
    made = _ok(anna.post(m, json={"catalogue_item_id": item.id, "goal_id": goal["id"]}), 201)
    assert made["title"] == "Omvärldsdag" and made["kind"] == "workshop"
    assert made["pillars"] == ["secure", "developer"] and made["catalogue_item_id"] == item.id
    assert made["goal_id"] == goal["id"]
    plan = _ok(anna.get(f"/api/v1/managers/{people.anna.id}/plan"))
    assert plan["goals"][0]["activity_ids"] == [made["id"]]

    completed = _ok(
        anna.post(m, json={"catalogue_item_id": item.id, "completed_on": local_today().isoformat()}), 201
    )
    assert completed["status"] == "completed"
    refused = anna.post(m, json={"catalogue_item_id": item.id, "title": "Annat", "pillars": ["leader"]})
    assert set(refused.get_json()["error"]["fields"]) == {"title", "pillars"} and refused.status_code == 400
    _field_error(anna.post(m, json={"catalogue_item_id": gone.id}), 422, "catalogue_item_id")
    _field_error(anna.post(m, json={"catalogue_item_id": 999999}), 422, "catalogue_item_id")
    # A goal of someone else's plan is no goal of hers.
    other_plan = ensure_plan(people.other, local_today())
    _, chosen = resolve_tags([], ["leader.trust"])
    foreign = add_goal(other_plan, title="Hans mål", expectations=chosen)
    db.session.flush()
    _field_error(anna.post(m, json={**ACTIVITY, "goal_id": foreign.id}), 422, "goal_id")
    inactive = {"participants": [people.anna.id], "catalogue_item_id": gone.id}
    _field_error(people.api["hr"].post("/api/v1/activities", json=inactive), 422, "catalogue_item_id")
    group = _ok(
        people.api["hr"].post(
            "/api/v1/activities",
            json={"participants": [people.anna.id, people.boss.id], "catalogue_item_id": item.id},
        ),
        201,
    )
    assert group["catalogue_item_id"] == item.id and group["participant_count"] == 2


# -- plans, goals, reviews -------------------------------------------------------------------------


def test_goals_need_a_current_expectation(people: People) -> None:
    anna = people.api["anna"]
    url = f"/api/v1/managers/{people.anna.id}/plan/goals"
    _field_error(anna.post(url, json={"title": "Mål"}), 422, "expectations")
    _field_error(anna.post(url, json={"title": "Mål", "expectations": []}), 422, "expectations")
    _field_error(anna.post(url, json={"title": "Mål", "expectations": ["x.y"]}), 422, "expectations")
    _field_error(anna.post(url, json={"title": " ", "expectations": ["leader.trust"]}), 400, "title")
    plan = _ok(anna.get(f"/api/v1/managers/{people.anna.id}/plan"))
    assert plan["id"] is None and plan["goals"] == [], "nothing refused started a plan"
    goal = _ok(
        anna.post(url, json={"title": "Mål", "expectations": ["leader.trust"], "target_on": "2026-12-01"}),
        201,
    )
    assert goal["status"] == "planned" and goal["target_on"] == "2026-12-01"
    changed = _ok(anna.patch(f"/api/v1/goals/{goal['id']}", json={"status": "in_progress"}))
    assert changed["status"] == "in_progress"
    _field_error(anna.patch(f"/api/v1/goals/{goal['id']}", json={"status": "done"}), 400, "status")
    _field_error(anna.patch(f"/api/v1/goals/{goal['id']}", json={}), 400, "status")
    assert anna.patch("/api/v1/goals/999999", json={"status": "achieved"}).status_code == 404


def test_a_plan_started_twice_at_once_is_a_409_not_a_500(people: People, check: ResponseChecker) -> None:
    # A plan that holds the period's first day but not today stands in for the one a simultaneous
    # request has just started: starting this year's plan runs into it.
    today = local_today()
    db.session.add(
        DevelopmentPlan(
            manager=people.anna, starts_on=date(today.year, 1, 1), ends_on=today - timedelta(days=1), notes=""
        )
    )
    db.session.flush()
    body = {"title": "Mål", "expectations": ["leader.trust"]}
    response = people.api["anna"].post(f"/api/v1/managers/{people.anna.id}/plan/goals", json=body)
    check.response(response, "post", "/managers/{manager_id}/plan/goals")
    assert response.status_code == 409


def test_review_assessed_by_both_and_completed_with_a_goal(people: People) -> None:
    ids = _anna_objects(people)
    anna, boss = people.api["anna"], people.api["boss"]
    url = f"/api/v1/reviews/{ids['review']}"
    mine = {
        "scores": [
            {"expectation": "leader.feedback", "score": 2, "comment": "Vill bli bättre"},
            {"expectation": "secure.decide", "score": 4},
        ]
    }
    assessed = _ok(anna.put(f"{url}/assessments", json=mine))
    assert {(a["expectation"], a["assessor"], a["score"]) for a in assessed["assessments"]} == {
        ("leader.feedback", "self", 2),
        ("secure.decide", "self", 4),
    }
    _ok(boss.put(f"{url}/assessments", json={"scores": [{"expectation": "leader.feedback", "score": 3}]}))
    # Sending a score again replaces the earlier one.
    again = {"scores": [{"expectation": "secure.decide", "score": 5, "comment": "Bättre"}]}
    assessed = _ok(anna.put(f"{url}/assessments", json=again))
    assert {(a["expectation"], a["assessor"], a["score"]) for a in assessed["assessments"]} == {
        ("leader.feedback", "self", 2),
        ("secure.decide", "self", 5),
        ("leader.feedback", "line_manager", 3),
    }
    for bad in (
        {"scores": [{"expectation": "leader.feedback", "score": 6}]},
        {"scores": [{"expectation": "leader.feedback", "score": True}]},
        {"scores": [{"expectation": "leader.feedback"}]},
        {"scores": [{"expectation": "leader.feedback", "score": 1}] * 2},
        {"scores": []},
        {"scores": "3"},
        {"scores": [{"expectation": "leader.feedback", "score": 1, "extra": 1}]},
    ):
        _field_error(anna.put(f"{url}/assessments", json=bad), 400, "scores")
    unknown = {"scores": [{"expectation": "leader.nothing", "score": 3}]}
    _field_error(anna.put(f"{url}/assessments", json=unknown), 422, "scores")

    coverage_before = _counts(anna, people.anna)
    assert anna.post(f"{url}/complete", json={}).status_code == 404  # the line manager completes it
    _field_error(boss.post(f"{url}/complete", json={"goal": {"title": "Tydligare beslut"}}), 422, "goal")
    done = _ok(
        boss.post(
            f"{url}/complete",
            json={
                "completed_on": local_today().isoformat(),
                "next_steps": "Öva på feedback",
                "goal": {"title": "Feedback varje vecka", "expectations": ["leader.feedback"]},
            },
        )
    )
    assert done["status"] == "completed" and done["next_steps"] == "Öva på feedback"
    plan = _ok(anna.get(f"/api/v1/managers/{people.anna.id}/plan"))
    assert "Feedback varje vecka" in {goal["title"] for goal in plan["goals"]}
    assert ids["review"] not in {review["id"] for review in plan["upcoming_reviews"]}
    after = _counts(anna, people.anna)
    assert after["leader"] == coverage_before["leader"] + 1, "the review counts as a development activity"
    assert after["secure"] == coverage_before["secure"] + 1
    _field_error(anna.put(f"{url}/assessments", json=again), 422, "scores")
    _field_error(boss.post(f"{url}/complete", json={}), 422, "completed_on")
    listed = _ok(anna.get(f"/api/v1/managers/{people.anna.id}/reviews"))["items"]
    assert {review["status"] for review in listed} == {"scheduled", "completed"}


def test_hr_heatmap_per_unit(people: People) -> None:
    hr = people.api["hr"]
    body = {**ACTIVITY, "participants": [people.anna.id], "completed_on": local_today().isoformat()}
    _ok(hr.post("/api/v1/activities", json=body), 201)
    heatmap = _ok(hr.get("/api/v1/coverage/units"))
    assert heatmap["pillars"] == ["secure", "developer", "leader"]
    rows = {row["unit"]["name"]: row for row in heatmap["rows"]}
    assert rows["Vård"]["managers"] == 2 and rows["Vård"]["shares"]["leader"] == 0.5
    assert rows["Skola"]["managers"] == 2 and rows["Skola"]["shares"]["leader"] == 0
    drill = _ok(hr.get("/api/v1/coverage/units", query_string={"unit": rows["Vård"]["unit"]["id"]}))
    assert drill["rows"] == [] and drill["unit_id"] == rows["Vård"]["unit"]["id"]
    _field_error(hr.get("/api/v1/coverage/units?unit=abc"), 400, "unit")
    assert people.api["boss"].get("/api/v1/coverage/units").status_code == 404


# -- bad input -------------------------------------------------------------------------------------


def test_bad_input_is_a_400_or_422_never_a_500(people: People) -> None:
    anna, hr = people.api["anna"], people.api["hr"]
    m = f"/api/v1/managers/{people.anna.id}"
    ids = _anna_objects(people)
    cases: list[tuple[str, str, Any, int, str]] = [
        ("post", f"{m}/activities", {**ACTIVITY, "kind": "party"}, 400, "kind"),
        ("post", f"{m}/activities", {**ACTIVITY, "title": 5}, 400, "title"),
        ("post", f"{m}/activities", {**ACTIVITY, "title": "x" * 201}, 400, "title"),
        ("post", f"{m}/activities", {"title": "Kurs", "pillars": ["leader"]}, 400, "kind"),
        ("post", f"{m}/activities", {**ACTIVITY, "pillars": "leader"}, 400, "pillars"),
        ("post", f"{m}/activities", {**ACTIVITY, "pillars": [1]}, 400, "pillars"),
        ("post", f"{m}/activities", {**ACTIVITY, "pillars": ["leader"] * 21}, 400, "pillars"),
        ("post", f"{m}/activities", {**ACTIVITY, "expectations": ["leader.trust"] * 51}, 400, "expectations"),
        ("post", f"{m}/activities", {**ACTIVITY, "due_on": "2026-02-30"}, 400, "due_on"),
        ("post", f"{m}/activities", {**ACTIVITY, "due_on": "tomorrow"}, 400, "due_on"),
        ("post", f"{m}/activities", {**ACTIVITY, "stage": "heaven"}, 400, "stage"),
        ("post", f"{m}/activities", {**ACTIVITY, "goal_id": "1"}, 400, "goal_id"),
        ("post", f"{m}/activities", {**ACTIVITY, "goal_id": 2**40}, 400, "goal_id"),
        ("post", f"{m}/activities", {**ACTIVITY, "participants": [1]}, 400, "participants"),
        ("post", f"{m}/activities", {**ACTIVITY, "description": "a\x00b"}, 400, "description"),
        (
            "post",
            f"{m}/activities",
            {**ACTIVITY, "expectations": ["leader.trust", "gone.x"]},
            422,
            "expectations",
        ),
        (
            "post",
            f"/api/v1/activities/{ids['activity']}/complete",
            {"completed_on": 20260101},
            400,
            "completed_on",
        ),
        ("post", f"{m}/plan/goals", {"title": "Mål", "expectations": "leader.trust"}, 400, "expectations"),
        ("post", f"{m}/plan/goals", {"title": "Mål", "expectations": [None]}, 400, "expectations"),
        ("post", f"{m}/plan/goals", {"title": "Mål", "target_on": "01/02/2026"}, 400, "target_on"),
        ("patch", f"/api/v1/goals/{ids['goal']}", {"status": None}, 400, "status"),
    ]
    for method, url, body, status, field in cases:
        _field_error(getattr(anna, method)(url, json=body), status, field)
    _field_error(hr.post(f"{m}/plan/comments", json={"body": ""}), 400, "body")
    _field_error(hr.post(f"{m}/plan/comments", json={"body": ["x"]}), 400, "body")
    _field_error(hr.post(f"/api/v1/reviews/{ids['review']}/complete", json={"goal": "x"}), 400, "goal")
    _field_error(
        hr.post(f"/api/v1/reviews/{ids['review']}/complete", json={"goal": {"expectations": []}}), 400, "goal"
    )
    for query in ("status=later", "limit=0", "limit=x", "cursor=-1", "cursor=99999999999"):
        response = anna.get(f"{m}/activities?{query}")
        assert response.status_code == 400, query
    for bad_body in ("[1]", "{", '"x"'):
        response = anna.post(f"{m}/activities", data=bad_body, content_type="application/json")
        assert response.status_code == 400, bad_body
    assert anna.post(f"{m}/activities", data="kind=course", content_type="text/plain").status_code == 415
    assert anna.post(f"/api/v1/activities/{ids['activity']}/complete", data="x").status_code == 415
    assert anna.get("/api/v1/managers/2147483648/plan").status_code == 404
    assert anna.post("/api/v1/activities/0/complete").status_code == 404


def test_field_errors_say_where_in_the_body_in_the_users_language(people: People) -> None:
    """Each field's problems, nested ones with their place; Swedish by default, English on request."""
    anna = people.api["anna"]
    review = f"/api/v1/reviews/{_anna_objects(people)['review']}/assessments"
    body = {
        "scores": [{"expectation": "leader.trust", "score": 3}, {"expectation": "leader.trust", "score": 9}]
    }
    refused = anna.put(review, json={**body, "mood": "glad"})
    assert refused.status_code == 400
    assert refused.get_json()["error"]["fields"] == {
        "scores": ["Element 2: score: Måste vara ett heltal från 1 till 5."],
        "mood": ["Okänt fält."],
    }
    twice = anna.put(review, json={"scores": [body["scores"][0]] * 2})
    assert twice.get_json()["error"]["fields"] == {"scores": ["Varje förväntan får förekomma bara en gång."]}
    english = anna.put(review, json={"scores": [{"score": 2}]}, headers={"Accept-Language": "en"})
    assert english.get_json()["error"]["fields"] == {
        "scores": ["Item 1: expectation: This field is required."]
    }
    empty = anna.put(review, json={"scores": []}, headers={"Accept-Language": "en"})
    assert empty.get_json()["error"] == {
        "message": "Some fields are not valid.",
        "fields": {"scores": ["At least 1 items."]},
    }
    missing = anna.put(review, json={})
    assert missing.get_json()["error"]["fields"] == {"scores": ["Fältet måste anges."]}


def test_cookie_sessions_read_but_do_not_change(
    people: People, client: FlaskClient, login: Callable[..., Any]
) -> None:
    login(people.anna.user.email)  # type: ignore[union-attr]
    m = f"/api/v1/managers/{people.anna.id}"
    assert client.get(f"{m}/plan").status_code == 200
    refused = client.post(f"{m}/activities", json=ACTIVITY)
    assert refused.status_code == 403
    assert (
        client.post(f"{m}/plan/goals", json={"title": "X", "expectations": ["leader.trust"]}).status_code
        == 403
    )


# -- query counts ----------------------------------------------------------------------------------


def test_reading_a_plan_its_reviews_and_the_catalogue_takes_the_same_queries_however_much_there_is(
    people: People, count_queries: Callable[[], Any]
) -> None:
    anna = people.api["anna"]
    m = f"/api/v1/managers/{people.anna.id}"
    _anna_objects(people)
    hr = people.api["hr"]
    pillars, expectations = resolve_tags(["secure"], ["developer.scout"])
    create_catalogue_item(
        title="Kurs 0", kind=ActivityKind.COURSE, description="", pillars=pillars, expectations=expectations
    )
    db.session.flush()
    _ok(hr.post(f"{m}/plan/comments", json={"body": "Välkommen"}), 201)
    urls = (f"{m}/plan", f"{m}/reviews", "/api/v1/catalogue", f"{m}/coverage")
    _ok(anna.get(urls[0]))  # the first call of a minute notes the token's use; leave it out

    def counts() -> list[int]:
        result = []
        for url in urls:
            with count_queries() as counter:
                _ok(anna.get(url))
            result.append(counter.count)
        return result

    before = counts()
    for n in range(4):
        goal = _ok(
            anna.post(f"{m}/plan/goals", json={"title": f"Mål {n}", "expectations": ["leader.trust"]}), 201
        )
        _ok(anna.post(f"{m}/activities", json={**ACTIVITY, "goal_id": goal["id"]}), 201)
        _ok(hr.post(f"{m}/plan/comments", json={"body": f"Kommentar {n}"}), 201)
        create_catalogue_item(
            title=f"Kurs {n + 1}", kind=ActivityKind.COURSE, description="", pillars=pillars, expectations=[]
        )
    db.session.flush()
    reviews = _ok(anna.get(f"{m}/reviews"))["items"]
    _ok(
        anna.put(
            f"/api/v1/reviews/{reviews[0]['id']}/assessments",
            json={
                "scores": [
                    {"expectation": "leader.trust", "score": 3},
                    {"expectation": "secure.decide", "score": 2},
                ]
            },
        )
    )
    assert counts() == before


# -- the document ----------------------------------------------------------------------------------


def test_every_plan_operation_answers_as_the_document_says(
    people: People, client: FlaskClient, login: Callable[..., Any], check: ResponseChecker
) -> None:
    """A realistic session, each answer checked against the OpenAPI document."""
    paths = openapi_document()["paths"]
    documented = {(path, method) for path, item in paths.items() for method in item if method != "parameters"}
    assert documented >= PLAN_OPERATIONS
    anna, boss, hr, other = (people.api[name] for name in ("anna", "boss", "hr", "other"))
    m = f"/api/v1/managers/{people.anna.id}"
    pillars, expectations = resolve_tags([], ["leader.grow_staff"])
    item = create_catalogue_item(
        title="Coachande samtal",
        kind=ActivityKind.COURSE,
        description="",
        pillars=pillars,
        expectations=expectations,
    )
    db.session.flush()

    def send(api: ApiClient, method: str, path: str, url: str, body: Any = None, valid: bool = True) -> Any:
        if body is not None and valid:
            check.request_body(body, method, path)
        response = _call(api, method, url, body)
        return check.response(response, method, path)

    goal_body = {
        "title": "Ge mer feedback",
        "expectations": ["leader.feedback"],
        "description": "Varje vecka",
    }
    goal = send(anna, "post", "/managers/{manager_id}/plan/goals", f"{m}/plan/goals", goal_body).get_json()
    send(anna, "patch", "/goals/{goal_id}", f"/api/v1/goals/{goal['id']}", {"status": "in_progress"})
    body = {**ACTIVITY, "goal_id": goal["id"], "due_on": "2026-12-24", "expectations": ["leader.feedback"]}
    activity = send(anna, "post", "/managers/{manager_id}/activities", f"{m}/activities", body).get_json()
    send(anna, "post", "/managers/{manager_id}/activities", f"{m}/activities", {"catalogue_item_id": item.id})
    group = send(
        hr,
        "post",
        "/activities",
        "/api/v1/activities",
        {**ACTIVITY, "participants": [people.anna.id, people.other.id], "stage": "develop"},
    ).get_json()
    send(
        anna,
        "post",
        "/activities/{activity_id}/complete",
        f"/api/v1/activities/{activity['id']}/complete",
        {},
    )
    send(hr, "post", "/activities/{activity_id}/cancel", f"/api/v1/activities/{group['id']}/cancel")
    send(anna, "get", "/managers/{manager_id}/activities", f"{m}/activities")
    send(anna, "get", "/managers/{manager_id}/activities", f"{m}/activities?status=open&limit=1")
    send(boss, "post", "/managers/{manager_id}/plan/comments", f"{m}/plan/comments", {"body": "Bra!"})
    send(people.api["mentor"], "get", "/managers/{manager_id}/plan", f"{m}/plan")
    reviews = send(anna, "get", "/managers/{manager_id}/reviews", f"{m}/reviews").get_json()["items"]
    review_url = f"/api/v1/reviews/{reviews[-1]['id']}"
    scores = {"scores": [{"expectation": "leader.feedback", "score": 4, "comment": "Bättre"}]}
    send(anna, "put", "/reviews/{review_id}/assessments", f"{review_url}/assessments", scores)
    send(boss, "put", "/reviews/{review_id}/assessments", f"{review_url}/assessments", scores)
    completion = {
        "next_steps": "Fortsätt",
        "goal": {"title": "Coacha", "expectations": ["leader.grow_staff"]},
    }
    send(boss, "post", "/reviews/{review_id}/complete", f"{review_url}/complete", completion)
    send(anna, "get", "/managers/{manager_id}/plan", f"{m}/plan")
    send(people.api["mentor"], "get", "/managers/{manager_id}/coverage", f"{m}/coverage")
    send(hr, "get", "/coverage/units", "/api/v1/coverage/units")
    send(anna, "get", "/catalogue", "/api/v1/catalogue")

    # Refusals, each in the one error shape.
    send(
        anna, "post", "/managers/{manager_id}/activities", f"{m}/activities", {"kind": "course", "title": "X"}
    )
    send(anna, "post", "/managers/{manager_id}/activities", f"{m}/activities", {"kind": 1}, valid=False)
    send(other, "get", "/managers/{manager_id}/plan", f"{m}/plan")  # 404
    send(other, "get", "/managers/{manager_id}/reviews", f"{m}/reviews")  # 404
    send(other, "get", "/managers/{manager_id}/coverage", f"{m}/coverage")  # 404
    send(other, "get", "/managers/{manager_id}/activities", f"{m}/activities")  # 404
    send(other, "post", "/activities", "/api/v1/activities", {**ACTIVITY, "participants": [people.anna.id]})
    send(other, "patch", "/goals/{goal_id}", f"/api/v1/goals/{goal['id']}", {"status": "dropped"})
    send(other, "put", "/reviews/{review_id}/assessments", f"{review_url}/assessments", scores)
    send(
        anna, "put", "/reviews/{review_id}/assessments", f"{review_url}/assessments", scores
    )  # 422: completed
    send(boss, "post", "/reviews/{review_id}/complete", f"{review_url}/complete", {})  # 422
    send(other, "post", "/managers/{manager_id}/plan/comments", f"{m}/plan/comments", {"body": "Hej"})
    send(anna, "post", "/activities/{activity_id}/complete", f"/api/v1/activities/{group['id']}/complete", {})
    send(other, "post", "/activities/{activity_id}/cancel", f"/api/v1/activities/{activity['id']}/cancel")
    send(other, "get", "/coverage/units", "/api/v1/coverage/units")
    send(hr, "get", "/coverage/units", "/api/v1/coverage/units?unit=x")  # 400
    send(ApiClient(client, None), "get", "/catalogue", "/api/v1/catalogue")  # 401
    login(people.anna.user.email)  # type: ignore[union-attr]
    send(
        ApiClient(client, None), "post", "/managers/{manager_id}/plan/goals", f"{m}/plan/goals", goal_body
    )  # 403
    unsupported = anna.post(f"{m}/plan/goals", data="x", content_type="text/plain")
    check.response(unsupported, "post", "/managers/{manager_id}/plan/goals")  # 415

    operations = {(path, method) for method, path, _status in check.checked}
    assert operations == PLAN_OPERATIONS, "every operation of the development side is exercised"
    statuses = {status for _method, _path, status in check.checked}
    assert statuses >= {200, 201, 400, 401, 403, 404, 415, 422}
