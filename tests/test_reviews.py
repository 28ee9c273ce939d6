"""Development reviews: scheduled by HR's cadence, assessed by both, completion feeds goals and coverage."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ActivityKind
from lifecycle.enums import Assessor
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import Expectation
from lifecycle.services.activities import resolve_tags
from lifecycle.services.coverage import manager_coverage
from lifecycle.services.plans import ensure_plan
from lifecycle.services.platform import get_platform
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.services.reviews import Cadence
from lifecycle.services.reviews import ReviewError
from lifecycle.services.reviews import add_months
from lifecycle.services.reviews import assessor_for
from lifecycle.services.reviews import complete_review
from lifecycle.services.reviews import pillar_trend
from lifecycle.services.reviews import record_assessments
from lifecycle.services.reviews import schedule_reviews
from lifecycle.services.reviews import set_cadence
from tests.factories import make_manager


@pytest.fixture
def platform(app_ctx: Flask):  # type: ignore[no-untyped-def]
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    return get_platform()


def _expectation(key: str) -> Expectation:
    expectation = db.session.scalar(select(Expectation).where(Expectation.key == key))
    assert expectation is not None
    return expectation


def test_add_months_keeps_the_day_or_takes_the_months_last() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 8, 15), 6) == date(2027, 2, 15)


def test_a_new_plan_gets_reviews_by_hrs_cadence(platform) -> None:  # type: ignore[no-untyped-def]
    set_cadence(first_after_months=3, every_months=4)
    manager = make_manager(entered_on=date(2025, 11, 10))
    plan = ensure_plan(manager, date(2026, 2, 1))
    # Start 2025-11-10: +3 months 2026-02-10, then every four months within 2026.
    assert [r.scheduled_on for r in plan.reviews] == [
        date(2026, 2, 10),
        date(2026, 6, 10),
        date(2026, 10, 10),
    ]
    assert schedule_reviews(plan, Cadence(3, 4)) == []  # scheduling again adds nothing


def test_cadence_is_bounded(platform) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ReviewError):
        set_cadence(first_after_months=0, every_months=6)


def test_both_parties_assess_and_completion_creates_a_goal_and_coverage(platform) -> None:  # type: ignore[no-untyped-def]
    boss = make_manager("Chefen", with_account=True)
    anna = make_manager("Anna", line_manager=boss, with_account=True, entered_on=date(2025, 7, 1))
    plan = ensure_plan(anna, date(2026, 3, 1))
    review = plan.reviews[0]
    assert assessor_for(anna.user, anna) is Assessor.SELF  # type: ignore[arg-type]
    assert assessor_for(boss.user, anna) is Assessor.LINE_MANAGER  # type: ignore[arg-type]
    feedback, decide = _expectation("leader.feedback"), _expectation("secure.decide")
    record_assessments(review, Assessor.SELF, {feedback.id: (2, "Vill bli bättre"), decide.id: (4, "")})
    record_assessments(review, Assessor.LINE_MANAGER, {feedback.id: (3, "På väg")})
    record_assessments(review, Assessor.SELF, {feedback.id: (3, "Omtänkt")})  # replaces, not duplicates
    assert len(review.assessments) == 3
    with pytest.raises(ReviewError):
        record_assessments(review, Assessor.SELF, {feedback.id: (6, "")})

    complete_review(
        review,
        on=date(2026, 1, 20),
        next_steps="Feedbackkurs",
        actor=boss.user,
        goal_title="Öva feedback varje vecka",
        goal_expectations=[feedback],
    )
    assert review.completed_on == date(2026, 1, 20)
    assert [g.title for g in plan.goals] == ["Öva feedback varje vecka"]
    activity = db.session.scalar(select(Activity).where(Activity.kind == ActivityKind.DEVELOPMENT_REVIEW))
    assert activity is not None and {p.key for p in activity.pillars} == {"secure", "leader"}
    coverage = {
        c.pillar.key: c.count for c in manager_coverage(anna, get_platform().pillars, date(2026, 2, 1))
    }  # type: ignore[union-attr]
    assert coverage == {"secure": 1, "developer": 0, "leader": 1}
    with pytest.raises(ReviewError):
        record_assessments(review, Assessor.SELF, {feedback.id: (5, "")})


def test_the_trend_shows_how_the_assessment_per_pillar_moved(platform) -> None:  # type: ignore[no-untyped-def]
    anna = make_manager("Anna", entered_on=date(2025, 1, 1))
    plan = ensure_plan(anna, date(2026, 5, 1))
    first, second = plan.reviews[0], plan.reviews[1]
    leader_keys = ["leader.feedback", "leader.trust"]
    record_assessments(first, Assessor.SELF, {_expectation(k).id: (2, "") for k in leader_keys})
    complete_review(first, on=first.scheduled_on, next_steps="", actor=None)
    record_assessments(
        second,
        Assessor.SELF,
        {_expectation("leader.feedback").id: (4, ""), _expectation("leader.trust").id: (5, "")},
    )
    record_assessments(second, Assessor.LINE_MANAGER, {_expectation("leader.feedback").id: (3, "")})
    complete_review(second, on=second.scheduled_on, next_steps="", actor=None)
    pillars, _ = resolve_tags(["leader"], [])
    leader = pillars[0].id
    trend = pillar_trend(anna)
    assert [point.averages[leader] for point in trend] == [(2.0, None), (4.5, 3.0)]
