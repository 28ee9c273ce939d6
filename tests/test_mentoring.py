"""Role models and mentorships: the ranking of mentor suggestions, who is never suggested, the reasons,
starting and ending a mentorship, its meetings, and the plan read while it runs (and not after).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ActivityKind
from lifecycle.enums import Assessor
from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import ManagerChange
from lifecycle.policy import can_view_plan
from lifecycle.policy import sees_recruitment_interviews
from lifecycle.services.activities import add_activity
from lifecycle.services.activities import resolve_tags
from lifecycle.services.mentoring import MentoringError
from lifecycle.services.mentoring import end_mentorship
from lifecycle.services.mentoring import log_meeting
from lifecycle.services.mentoring import mark_role_model
from lifecycle.services.mentoring import start_mentorship
from lifecycle.services.mentoring import suggest_mentors
from lifecycle.services.mentoring import unmark_role_model
from lifecycle.services.mentoring import update_role_model
from lifecycle.services.mentoring.queries import meetings_of
from lifecycle.services.plans import ensure_plan
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.services.reviews import record_assessments
from lifecycle.timeutil import local_today
from tests.factories import make_manager

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def orebro(app_ctx: Flask) -> Flask:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    return app_ctx


def _expectation(key: str) -> Expectation:
    found = db.session.scalar(select(Expectation).where(Expectation.key == key))
    assert found is not None
    return found


def _assess(manager: Manager, scores: dict[str, int], assessor: Assessor = Assessor.LINE_MANAGER) -> None:
    review = ensure_plan(manager, local_today()).reviews[0]
    record_assessments(review, assessor, {_expectation(k).id: (s, "") for k, s in scores.items()})


def _cover_every_pillar(manager: Manager) -> None:
    """A completed activity for every pillar: coverage alone makes no weakness."""
    pillars, _none = resolve_tags(["secure", "developer", "leader"], [])
    add_activity(
        kind=ActivityKind.COURSE,
        title="Allt",
        participants=[manager],
        pillars=pillars,
        actor=None,
        completed_on=local_today() - timedelta(days=10),
    )


def _role_model(
    name: str, expectations: list[str], capacity: int = 2, pillars: list[str] | None = None
) -> Any:
    manager = make_manager(name, with_account=True)
    return mark_role_model(
        manager, pillar_keys=pillars or [], expectation_keys=expectations, capacity=capacity, actor=None
    )


@pytest.fixture
def anna(orebro: Flask) -> Manager:
    anna = make_manager("Anna Adept", with_account=True)
    _cover_every_pillar(anna)
    _assess(anna, {"leader.feedback": 2, "leader.trust": 3, "secure.decide": 1, "developer.scout": 5})
    return anna


def _names(suggestions: list[Any]) -> list[str]:
    return [s.mentor.name for s in suggestions]


def test_mentors_are_ranked_by_how_much_of_the_weakness_their_strengths_cover(anna: Manager) -> None:
    # Weights: decide (1) → 3, feedback (2) → 2, trust (3) → 1; scout (5) is no weakness.
    _role_model("Beslutsam", ["secure.decide"])  # 3
    _role_model("Feedbackfia", ["leader.feedback", "leader.trust"])  # 3, but fewer free places
    _role_model("Allround", ["secure.decide", "leader.feedback"], capacity=3)  # 5
    _role_model("Omvärldsbevakare", ["developer.scout"])  # 0: not suggested
    _role_model("Tillitsfull", ["leader.trust"], capacity=5)  # 1
    suggestions = suggest_mentors(anna, local_today())
    assert _names(suggestions) == ["Allround", "Beslutsam", "Feedbackfia", "Tillitsfull"]
    assert [s.score for s in suggestions] == [5, 3, 3, 1]


def test_the_reason_names_the_expectation_and_the_score(anna: Manager) -> None:
    _role_model("Feedbackfia", ["leader.feedback"])
    (suggestion,) = suggest_mentors(anna, local_today())
    (reason,) = suggestion.reasons
    assert str(reason.text) == "Stark i ge och få feedback, där Anna Adept fick 2"


def test_the_lowest_score_of_the_latest_review_counts(anna: Manager) -> None:
    # The self-assessment is lower than the line manager's: the weakness is the lower one.
    _assess(anna, {"leader.feedback": 1}, Assessor.SELF)
    _role_model("Feedbackfia", ["leader.feedback"])
    (suggestion,) = suggest_mentors(anna, local_today())
    assert suggestion.score == 3 and suggestion.reasons[0].weakness.score == 1


def test_a_pillar_without_activity_is_a_weakness(orebro: Flask) -> None:
    ny = make_manager("Nils Ny", with_account=True)
    _role_model("Klarledare", [], pillars=["leader"])
    (suggestion,) = suggest_mentors(ny, local_today())
    assert suggestion.score == 2
    assert "Klar ledare" in str(suggestion.reasons[0].text)


def test_a_mentor_at_capacity_is_never_suggested(anna: Manager) -> None:
    full = _role_model("Fullbokad", ["secure.decide"], capacity=1)
    other = make_manager("Annan adept", with_account=True)
    today = local_today()
    start_mentorship(
        mentor=full.manager,
        mentee=other,
        starts_on=today,
        ends_on=today + timedelta(days=180),
        goals="Beslut",
        cadence_weeks=4,
        actor=None,
    )
    assert suggest_mentors(anna, today) == []
    with pytest.raises(MentoringError) as refused:
        start_mentorship(
            mentor=full.manager,
            mentee=anna,
            starts_on=today,
            ends_on=today + timedelta(days=180),
            goals="Beslut",
            cadence_weeks=4,
            actor=None,
        )
    assert refused.value.field == "mentor"
    # An agreed mentorship that has not started yet takes a place too; raising the capacity frees one.
    update_role_model(full, pillar_keys=[], expectation_keys=["secure.decide"], capacity=2, study_note="")
    assert _names(suggest_mentors(anna, today)) == ["Fullbokad"]


def test_nobody_in_the_mentees_own_line_is_ever_suggested(orebro: Flask) -> None:
    top = _role_model("Toppchef", ["leader.feedback"]).manager
    boss = _role_model("Närmaste chef", ["leader.feedback"]).manager
    boss.line_manager = top
    mentee = make_manager("Mellanchef", with_account=True, line_manager=boss)
    report = _role_model("Medarbetarchef", ["leader.feedback"]).manager
    report.line_manager = mentee
    below = _role_model("Längre ned", ["leader.feedback"]).manager
    below.line_manager = report
    outside = _role_model("Utomstående", ["leader.feedback"]).manager
    _cover_every_pillar(mentee)
    _assess(mentee, {"leader.feedback": 2})
    db.session.flush()
    assert _names(suggest_mentors(mentee, local_today())) == ["Utomstående"]
    with pytest.raises(MentoringError) as refused:
        start_mentorship(
            mentor=top,
            mentee=mentee,
            starts_on=local_today(),
            ends_on=local_today() + timedelta(days=90),
            goals="Feedback",
            cadence_weeks=4,
            actor=None,
        )
    assert refused.value.field == "mentor"
    assert outside.id != mentee.id


def test_an_unmarked_or_departed_role_model_is_not_suggested(anna: Manager) -> None:
    gone = _role_model("Avslutad", ["secure.decide"])
    unmark_role_model(gone)
    assert suggest_mentors(anna, local_today()) == []


def test_the_suggestions_cost_the_same_queries_for_many_role_models(
    anna: Manager, count_queries: Callable[[], Any]
) -> None:
    _role_model("Första", ["secure.decide"])
    today = local_today()
    db.session.expire_all()
    with count_queries() as few:
        assert len(suggest_mentors(anna, today)) == 1
    for number in range(12):
        _role_model(f"Förebild {number}", ["secure.decide", "leader.feedback"][: number % 2 + 1])
    db.session.expire_all()
    with count_queries() as many:
        assert len(suggest_mentors(anna, today)) == 10
    assert many.count == few.count, many.statements


def _mentorship(anna: Manager, starts_on: date, days: int = 180) -> Any:
    mentor = _role_model("Maja Mentor", ["leader.feedback"]).manager
    return start_mentorship(
        mentor=mentor,
        mentee=anna,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=days),
        goals="Ge och ta emot feedback i ledningsgruppen",
        cadence_weeks=4,
        actor=None,
    )


def test_the_mentor_reads_the_plan_while_the_mentorship_runs_and_not_after(anna: Manager) -> None:
    mentorship = _mentorship(anna, local_today())
    mentor_user = mentorship.mentor.user
    assert can_view_plan(mentor_user, anna)
    # Never the internal recruitment interviews.
    assert not sees_recruitment_interviews(mentor_user, anna)
    end_mentorship(mentorship, reason="Klart", actor=None)
    assert not can_view_plan(mentor_user, anna)
    # The mentor named on the record stays (the introduction's tasks), and reads nothing by it.
    assert anna.mentor_id == mentorship.mentor_id


def test_before_it_starts_the_mentor_reads_nothing(anna: Manager) -> None:
    mentorship = _mentorship(anna, local_today() + timedelta(days=7))
    assert not can_view_plan(mentorship.mentor.user, anna)


def test_starting_names_the_mentor_on_a_record_without_one(anna: Manager) -> None:
    mentorship = _mentorship(anna, local_today())
    assert anna.mentor_id == mentorship.mentor_id
    change = db.session.scalar(select(ManagerChange).where(ManagerChange.manager_id == anna.id))
    assert change is not None and change.field == "mentor_id" and change.source == "mentorship"


def test_an_overlapping_mentorship_of_the_mentee_is_refused(anna: Manager) -> None:
    _mentorship(anna, local_today())
    other = _role_model("Annan mentor", ["secure.decide"]).manager
    with pytest.raises(MentoringError) as refused:
        start_mentorship(
            mentor=other,
            mentee=anna,
            starts_on=local_today() + timedelta(days=30),
            ends_on=local_today() + timedelta(days=90),
            goals="Beslut",
            cadence_weeks=4,
            actor=None,
        )
    assert refused.value.field == "starts_on"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"ends_on": -1}, "ends_on"),
        ({"cadence_weeks": 0}, "cadence_weeks"),
        ({"cadence_weeks": 53}, "cadence_weeks"),
        ({"goals": "  "}, "goals"),
        ({"goals": "x" * 4001}, "goals"),
    ],
)
def test_bad_values_are_refused_at_their_field(anna: Manager, values: dict[str, Any], field: str) -> None:
    mentor = _role_model("Maja Mentor", ["leader.feedback"]).manager
    today = local_today()
    given: dict[str, Any] = {"goals": "Feedback", "cadence_weeks": 4, **values}
    ends_on = today - timedelta(days=1) if given.pop("ends_on", None) else today + timedelta(days=90)
    with pytest.raises(MentoringError) as refused:
        start_mentorship(mentor=mentor, mentee=anna, starts_on=today, ends_on=ends_on, actor=None, **given)
    assert refused.value.field == field


def test_a_meeting_is_a_tagged_mentoring_activity_of_the_mentee(anna: Manager) -> None:
    mentorship = _mentorship(anna, local_today() - timedelta(days=20))
    meeting = log_meeting(
        mentorship,
        held_on=local_today() - timedelta(days=1),
        title="",
        pillar_keys=[],
        expectation_keys=["leader.feedback"],
        actor=None,
    )
    assert meeting.kind is ActivityKind.MENTORING and meeting.mentorship_id == mentorship.id
    assert [p.key for p in meeting.pillars] == ["leader"]
    assert [e.key for e in meeting.expectations] == ["leader.feedback"]
    assert meeting.participants == [anna] and meeting.responsible == mentorship.mentor.user
    assert list(meetings_of(mentorship)) == [meeting]
    with pytest.raises(MentoringError) as refused:
        log_meeting(
            mentorship,
            held_on=local_today() + timedelta(days=1),
            title="",
            pillar_keys=["leader"],
            expectation_keys=[],
            actor=None,
        )
    assert refused.value.field == "held_on"
    with pytest.raises(MentoringError) as refused:
        log_meeting(
            mentorship, held_on=local_today(), title="", pillar_keys=[], expectation_keys=[], actor=None
        )
    assert refused.value.field == "pillars"


def test_a_role_model_is_a_manager_in_post_marked_once(orebro: Flask) -> None:
    role_model = _role_model("Förebild", ["leader.trust"])
    with pytest.raises(MentoringError) as refused:
        mark_role_model(
            role_model.manager, pillar_keys=["leader"], expectation_keys=[], capacity=1, actor=None
        )
    assert refused.value.field == "manager"
    with pytest.raises(MentoringError) as refused:
        update_role_model(role_model, pillar_keys=[], expectation_keys=[], capacity=1, study_note="")
    assert refused.value.field == "pillars"
    with pytest.raises(MentoringError) as refused:
        update_role_model(role_model, pillar_keys=["leader"], expectation_keys=[], capacity=0, study_note="")
    assert refused.value.field == "capacity"
    unmark_role_model(role_model)
    again = mark_role_model(
        role_model.manager,
        pillar_keys=["secure"],
        expectation_keys=[],
        capacity=1,
        study_note="Ny",
        actor=None,
    )
    assert again.id == role_model.id and again.is_active and [p.key for p in again.pillars] == ["secure"]
