"""The review page: both parties assess, the line manager completes it, and others see nothing."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import Assessor
from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.services.plans import ensure_plan
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from tests.factories import make_manager


@pytest.fixture
def setting(app_ctx: Flask):  # type: ignore[no-untyped-def]
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    boss = make_manager("Bodil Chef", with_account=True)
    anna = make_manager("Anna Samtal", line_manager=boss, with_account=True, entered_on=date(2025, 1, 10))
    other = make_manager("Olle Utanför", with_account=True)
    plan = ensure_plan(anna, date(2026, 3, 1))
    feedback = db.session.scalar(select(Expectation).where(Expectation.key == "leader.feedback"))
    return {"boss": boss, "anna": anna, "other": other, "review": plan.reviews[0], "feedback": feedback}


def _token(client: FlaskClient, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def test_self_and_line_manager_assess_and_the_line_manager_completes(setting, app: Flask, login) -> None:  # type: ignore[no-untyped-def]
    anna, boss, review, feedback = setting["anna"], setting["boss"], setting["review"], setting["feedback"]
    url = f"/managers/{anna.id}/reviews/{review.id}"
    me = app.test_client()
    login(anna.user.email, test_client=me)
    response = me.post(
        f"{url}/assessments",
        data={
            "csrf_token": _token(me, url),
            f"score-{feedback.id}": "2",
            f"comment-{feedback.id}": "Vill öva",
        },
    )
    assert response.status_code == 302
    assert "Genomför samtalet" not in me.get(url).get_data(as_text=True)  # the manager does not complete it

    lm = app.test_client()
    login(boss.user.email, test_client=lm)
    lm.post(f"{url}/assessments", data={"csrf_token": _token(lm, url), f"score-{feedback.id}": "3"})
    db.session.expire_all()
    scores = {(a.assessor, a.score) for a in review.assessments}
    assert scores == {(Assessor.SELF, 2), (Assessor.LINE_MANAGER, 3)}

    response = lm.post(
        f"{url}/complete",
        data={
            "csrf_token": _token(lm, url),
            "completed_on": "2026-07-12",
            "next_steps": "Feedbackkurs",
            "goal_title": "Feedback varje vecka",
            "goal_expectations": "leader.feedback",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert review.completed_on == date(2026, 7, 12)
    assert [g.title for g in review.plan.goals] == ["Feedback varje vecka"]
    page = me.get("/me").get_data(as_text=True)
    assert "Bedömningar samtal för samtal" in page and "2.0 / 3.0" in page


def test_a_score_out_of_range_is_refused(setting, client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    anna, review, feedback = setting["anna"], setting["review"], setting["feedback"]
    url = f"/managers/{anna.id}/reviews/{review.id}"
    login(anna.user.email)
    response = client.post(
        f"{url}/assessments", data={"csrf_token": _token(client, url), f"score-{feedback.id}": "9"}
    )
    assert response.status_code == 200 and "Ett värde är från 1 till 5." in response.get_data(as_text=True)
    assert review.assessments == []


def test_others_cannot_reach_the_review(setting, client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    anna, review = setting["anna"], setting["review"]
    login(setting["other"].user.email)
    assert client.get(f"/managers/{anna.id}/reviews/{review.id}").status_code == 404
    token = _token(client, "/me")
    assert (
        client.post(
            f"/managers/{anna.id}/reviews/{review.id}/complete",
            data={"csrf_token": token, "completed_on": "2026-07-01"},
        ).status_code
        == 404
    )


def test_the_manager_cannot_complete_their_own_review(setting, client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    anna, review = setting["anna"], setting["review"]
    login(anna.user.email)
    url = f"/managers/{anna.id}/reviews/{review.id}"
    assert (
        client.post(
            f"{url}/complete", data={"csrf_token": _token(client, url), "completed_on": "2026-07-01"}
        ).status_code
        == 404
    )
