"""My plan: the manager edits it, the line manager, mentor and HR read it, nobody else knows it exists."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ActivityKind
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.services.activities import create_catalogue_item
from lifecycle.services.activities import resolve_tags
from lifecycle.services.plans import add_goal
from lifecycle.services.plans import ensure_plan
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.timeutil import local_today
from tests.factories import make_manager
from tests.factories import make_running_mentorship
from tests.factories import make_user

# Dates here are computed from today: every test runs at the suite's fixed moment (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def people(app_ctx: Flask):  # type: ignore[no-untyped-def]
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    boss = make_manager("Bodil Chef", with_account=True)
    mentor = make_manager("Mona Mentor", with_account=True)
    anna = make_manager("Anna Plan", line_manager=boss, with_account=True)
    # The mentor of a running mentorship reads the plan (the record's mentor_id alone does not).
    make_running_mentorship(mentor, anna, None)
    other = make_manager("Olof Annan", with_account=True)
    plan = ensure_plan(anna, local_today())
    _, expectations = resolve_tags([], ["leader.feedback"])
    add_goal(plan, title="Ge mer feedback", expectations=expectations)
    return {"boss": boss, "mentor": mentor, "anna": anna, "other": other}


def _page(client: FlaskClient, url: str) -> tuple[int, str]:
    response = client.get(url)
    return response.status_code, response.get_data(as_text=True)


def test_me_shows_the_own_plan(people, client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    login(people["anna"].user.email)
    status, page = _page(client, "/me")
    assert status == 200
    assert "Min plan" in page and "Ge mer feedback" in page
    assert "Lägg till ett mål" in page


@pytest.mark.parametrize("reader", ["boss", "mentor", "hr"])
def test_line_manager_mentor_and_hr_read_the_plan(people, app: Flask, reader: str, login) -> None:  # type: ignore[no-untyped-def]
    browser = app.test_client()
    email = make_user(Role.HR).email if reader == "hr" else people[reader].user.email
    login(email, test_client=browser)
    status, page = _page(browser, f"/managers/{people['anna'].id}/plan")
    assert status == 200
    assert "Ge mer feedback" in page
    assert "Lägg till ett mål" not in page  # only the manager edits their plan
    assert ('name="comment-body"' in page) == (reader in ("boss", "hr"))


def test_another_manager_cannot_reach_the_plan(people, client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    login(people["other"].user.email)
    anna = people["anna"].id
    assert client.get(f"/managers/{anna}/plan").status_code == 404
    for url, data in (
        (f"/managers/{anna}/plan/goals", {"goal-title": "Intrång", "goal-expectations": "leader.feedback"}),
        (f"/managers/{anna}/plan/comments", {"comment-body": "Intrång"}),
        (f"/managers/{anna}/plan/notes", {"notes-notes": "Intrång"}),
    ):
        token_page = client.get("/me").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', token_page).group(1)  # type: ignore[union-attr]
        assert (
            client.post(
                url,
                data={
                    **data,
                    "goal-csrf_token": token,
                    "comment-csrf_token": token,
                    "notes-csrf_token": token,
                },
            ).status_code
            == 404
        )
    db.session.expire_all()
    assert [g.title for g in ensure_plan(people["anna"], local_today()).goals] == ["Ge mer feedback"]


def test_the_line_manager_comments_and_the_manager_sees_it(people, app: Flask, login) -> None:  # type: ignore[no-untyped-def]
    boss = app.test_client()
    login(people["boss"].user.email, test_client=boss)
    url = f"/managers/{people['anna'].id}/plan"
    token = re.search(
        r'name="comment-csrf_token" type="hidden" value="([^"]+)"', boss.get(url).get_data(as_text=True)
    )
    response = boss.post(
        f"{url}/comments",
        data={"comment-csrf_token": token.group(1), "comment-body": "Bra jobbat med feedbacken!"},  # type: ignore[union-attr]
        follow_redirects=True,
    )
    assert response.status_code == 200
    anna = app.test_client()
    login(people["anna"].user.email, test_client=anna)
    page = anna.get("/me").get_data(as_text=True)
    assert "Bra jobbat med feedbacken!" in page and "Bodil Chef" in page


def test_a_goal_without_expectations_is_refused_next_to_the_field(people, client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    login(people["anna"].user.email)
    page = client.get("/me").get_data(as_text=True)
    token = re.search(r'name="goal-csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post(
        f"/managers/{people['anna'].id}/plan/goals",
        data={"goal-csrf_token": token, "goal-title": "Utan förväntan"},
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="goal-expectations-error"' in body and "Koppla målet till minst en förväntan." in body


def test_catalogue_activity_two_clicks_and_completion_grows_the_pillar(
    people, client: FlaskClient, login
) -> None:  # type: ignore[no-untyped-def]
    pillars, expectations = resolve_tags(["leader"], ["leader.feedback"])
    item = create_catalogue_item(
        title="Feedbackkursen",
        kind=ActivityKind.COURSE,
        description="",
        pillars=pillars,
        expectations=expectations,
    )
    login(people["anna"].user.email)
    anna = people["anna"]
    page = client.get("/me").get_data(as_text=True)
    assert 'data-pillar="leader" data-count="0"' in page
    token = re.search(r'name="catalogue-csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post(
        f"/managers/{anna.id}/plan/activities",
        data={"catalogue-csrf_token": token, "catalogue-catalogue_item": item.id, "catalogue-goal": 0},
    )
    page = client.get("/me").get_data(as_text=True)
    activity_id = re.search(r'id="activity-(\d+)"', page).group(1)  # type: ignore[union-attr]
    token = re.search(r'name="complete-csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post(
        f"/managers/{anna.id}/plan/activities/{activity_id}/complete",
        data={"complete-csrf_token": token, "complete-completed_on": local_today().isoformat()},
    )
    page = client.get("/me").get_data(as_text=True)
    assert 'data-pillar="leader" data-count="1"' in page
    assert 'data-pillar="secure" data-count="0"' in page


def test_me_without_a_manager_record_goes_home(app_ctx: Flask, client: FlaskClient, login) -> None:
    login(make_user(Role.HR).email)
    response = client.get("/me")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_one_participant_cannot_complete_a_group_activity_for_everyone(
    people, client: FlaskClient, login
) -> None:  # type: ignore[no-untyped-def]
    from lifecycle.services.activities import add_activity

    pillars, _ = resolve_tags(["leader"], [])
    workshop = add_activity(
        kind=ActivityKind.WORKSHOP,
        title="Gemensam workshop",
        participants=[people["anna"], people["other"]],
        pillars=pillars,
        actor=None,
    )
    login(people["anna"].user.email)
    page = client.get("/me").get_data(as_text=True)
    assert "Markera Gemensam workshop som genomförd" not in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post(
        f"/managers/{people['anna'].id}/plan/activities/{workshop.id}/complete",
        data={"complete-csrf_token": token, "complete-completed_on": "2026-01-02"},
    )
    assert response.status_code == 404
    db.session.refresh(workshop)
    assert workshop.completed_on is None


def test_a_line_manager_reads_direct_reports_plans_and_no_one_elses(people, app: Flask, login) -> None:  # type: ignore[no-untyped-def]
    grandchild = make_manager("Greta Barnbarn", line_manager=people["anna"])
    browser = app.test_client()
    login(people["boss"].user.email, test_client=browser)
    assert browser.get(f"/managers/{people['anna'].id}/plan").status_code == 200
    assert browser.get(f"/managers/{grandchild.id}/plan").status_code == 404
    assert browser.get(f"/managers/{people['other'].id}/plan").status_code == 404


def test_my_plan_query_count_does_not_grow_with_activities(
    people, client: FlaskClient, login, count_queries
) -> None:  # type: ignore[no-untyped-def]
    from lifecycle.services.activities import add_activity

    pillars, _ = resolve_tags(["leader"], [])
    login(people["anna"].user.email)
    add_activity(
        kind=ActivityKind.COURSE, title="Första", participants=[people["anna"]], pillars=pillars, actor=None
    )
    client.get("/me")
    with count_queries() as few:
        client.get("/me")
    for n in range(15):
        add_activity(
            kind=ActivityKind.WORKSHOP,
            title=f"Workshop {n}",
            participants=[people["anna"], people["other"]],
            pillars=pillars,
            actor=None,
        )
    with count_queries() as many:
        client.get("/me")
    assert many.count == few.count
