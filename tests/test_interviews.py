"""Interviews, scorecards with amendments, the matrix and the decision: services, privacy and pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lifecycle.append_only import HistoryIsAppendOnlyError
from lifecycle.enums import ActivityKind
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import AuditEvent
from lifecycle.models import Expectation
from lifecycle.models import Reminder
from lifecycle.models import User
from lifecycle.models.interviews import Interview
from lifecycle.models.interviews import Scorecard
from lifecycle.models.interviews import ScorecardAmendment
from lifecycle.models.interviews import VacancyDecision
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import CandidateStep
from lifecycle.models.recruitment import NotSelectedReason
from lifecycle.models.recruitment import Vacancy
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.policy import score_visibility
from lifecycle.policy import visible_scorecards_clause
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.services.recruitment import InterviewValues
from lifecycle.services.recruitment import MatrixOrder
from lifecycle.services.recruitment import ScoreValue
from lifecycle.services.recruitment import VacancyError
from lifecycle.services.recruitment import VacancyValues
from lifecycle.services.recruitment import add_candidate
from lifecycle.services.recruitment import add_external_candidate
from lifecycle.services.recruitment import amend_scorecard
from lifecycle.services.recruitment import cancel_interview
from lifecycle.services.recruitment import create_vacancy
from lifecycle.services.recruitment import decidable_candidates
from lifecycle.services.recruitment import effective_scores
from lifecycle.services.recruitment import lowest_scored_expectations
from lifecycle.services.recruitment import not_select
from lifecycle.services.recruitment import record_decision
from lifecycle.services.recruitment import reschedule_interview
from lifecycle.services.recruitment import save_draft
from lifecycle.services.recruitment import schedule_interview
from lifecycle.services.recruitment import scorecard_matrix
from lifecycle.services.recruitment import scorecards_for
from lifecycle.services.recruitment import set_recruitment_group
from lifecycle.services.recruitment import set_status
from lifecycle.services.recruitment import set_weights
from lifecycle.services.recruitment import submit_scorecard
from lifecycle.timeutil import STOCKHOLM
from tests.conftest import post_form
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user
from tests.test_recruitment import NORDBY
from tests.test_recruitment import _expectation
from tests.test_recruitment import orebro  # noqa: F401  (a fixture)

pytestmark = pytest.mark.usefixtures("clock")

#: an interview the day after the suite's fixed clock (Wednesday 4 November 2026), at 10:00 in Stockholm
INTERVIEW_AT = datetime(2026, 11, 5, 10, 0, tzinfo=STOCKHOLM)


class Recruitment:
    """A vacancy weighing three expectations, its HR, hiring manager, two interviewers and candidates."""

    def __init__(self, weights: dict[Expectation, int] | None = None) -> None:
        self.hr = make_user(Role.HR, name="Hanna HR")
        self.boss = make_user(Role.MANAGER, name="Bodil Chef")
        self.ivar = make_user(Role.MANAGER, name="Ivar Intervjuare")
        self.karin = make_user(Role.MANAGER, name="Karin Intervjuare")
        self.outsider = make_user(Role.MANAGER, name="Olle Utanför")
        unit = make_unit("Västra skolan")
        self.vacancy = create_vacancy(
            VacancyValues(title="Rektor", org_unit=unit, hiring_manager=self.boss, hr_partner=self.hr),
            self.hr,
        )
        if weights is None:
            weights = {
                _expectation("leader.trust"): 3,
                _expectation("secure.decide"): 2,
                _expectation("developer.drive"): 1,
            }
        set_weights(self.vacancy, weights)
        set_recruitment_group(self.vacancy, [self.ivar, self.karin])
        set_status(self.vacancy, VacancyStatus.OPEN, date(2026, 11, 2))
        self.anna = add_external_candidate(
            self.vacancy,
            name="Anna Sökande",
            email="anna@example.se",
            actor=self.hr,
            applied_on=date(2026, 11, 2),
        )
        self.bo = add_candidate(self.vacancy, make_manager("Bo Internsson"), self.hr, date(2026, 11, 2))
        self.expectations = [w.expectation for w in self.vacancy.weights]

    def interview(self, candidacy: Candidacy, at: datetime = INTERVIEW_AT, **values: Any) -> Interview:
        return schedule_interview(candidacy, InterviewValues(starts_at=at, **values), self.hr)

    def scores(self, *scores: int) -> dict[int, ScoreValue]:
        return {
            e.id: ScoreValue(score, f"Berättade om {e.key}")
            for e, score in zip(self.expectations, scores, strict=True)
        }


@pytest.fixture
def world(orebro: Flask) -> Recruitment:  # noqa: F811  (the fixture imported above)
    return Recruitment()


def _visible(candidacy: Candidacy, user: User) -> list[str]:
    return [card.author.name for card in scorecards_for(candidacy, visible_scorecards_clause(user))]


# -- interviews --------------------------------------------------------------------------------------


def test_an_interview_is_the_candidates_activity_tagged_with_what_the_vacancy_weighs(
    world: Recruitment,
) -> None:
    interview = world.interview(world.anna, location="Rum 3")
    activity = interview.activity
    assert activity is not None
    assert (activity.kind, activity.stage, activity.due_on) == (
        ActivityKind.INTERVIEW,
        Stage.RECRUIT,
        date(2026, 11, 5),
    )
    assert [p.id for p in activity.participants] == [world.anna.manager_id]
    assert {e.key for e in activity.expectations} == {"leader.trust", "secure.decide", "developer.drive"}
    assert {p.key for p in activity.pillars} == {"leader", "secure", "developer"}
    # The panel defaults to the recruitment group; the first interview moves the process on.
    assert {seat.user_id for seat in interview.panel} == {world.ivar.id, world.karin.id}
    assert world.anna.step is CandidateStep.INTERVIEW
    assert world.vacancy.status is VacancyStatus.INTERVIEWING
    # Stored in UTC, the day is Stockholm's: a late evening interview stays on its day.
    late = world.interview(world.bo, at=datetime(2026, 11, 5, 23, 30, tzinfo=STOCKHOLM))
    assert late.starts_at.tzinfo is not None and late.activity is not None
    assert late.activity.due_on == date(2026, 11, 5)


def test_moving_and_cancelling_an_interview_keeps_its_activity_in_step(world: Recruitment) -> None:
    interview = world.interview(world.anna)
    reschedule_interview(
        interview,
        InterviewValues(
            starts_at=INTERVIEW_AT + timedelta(days=7), duration_minutes=90, interviewers=[world.karin]
        ),
    )
    assert interview.activity is not None and interview.activity.due_on == date(2026, 11, 12)
    assert [seat.user_id for seat in interview.panel] == [world.karin.id]
    cancel_interview(interview)
    assert interview.is_cancelled and interview.activity.cancelled_at is not None
    with pytest.raises(VacancyError):
        reschedule_interview(interview, InterviewValues(starts_at=INTERVIEW_AT))


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"duration_minutes": 2}, "duration_minutes"),
        ({"location": "x" * 201}, "location"),
        ({"starts_at": datetime(2031, 1, 1, 10, tzinfo=UTC)}, "starts_on"),
        ({"interviewers": []}, "interviewers"),
    ],
)
def test_bad_interview_details_are_refused_on_their_field(
    world: Recruitment, values: dict[str, Any], field: str
) -> None:
    with pytest.raises(VacancyError) as refused:
        schedule_interview(world.anna, InterviewValues(**{"starts_at": INTERVIEW_AT, **values}), world.hr)
    assert refused.value.field == field


def test_only_the_group_and_the_hiring_manager_interview(world: Recruitment) -> None:
    with pytest.raises(VacancyError) as refused:
        world.interview(world.anna, interviewers=[world.outsider])
    assert refused.value.field == "interviewers"
    interview = world.interview(world.anna, interviewers=[world.boss, world.ivar])
    assert {seat.user_id for seat in interview.panel} == {world.boss.id, world.ivar.id}


# -- scorecards and their privacy ---------------------------------------------------------------------


def test_two_interviewers_see_each_others_scorecards_only_after_submitting_their_own(
    world: Recruitment,
) -> None:
    world.interview(world.anna)
    save_draft(world.anna, world.ivar, world.scores(4, 3, 5))
    save_draft(world.anna, world.karin, world.scores(2, 3, 4))
    # A draft is its author's alone: not the other interviewer's, the hiring manager's or even HR's.
    assert _visible(world.anna, world.ivar) == ["Ivar Intervjuare"]
    assert _visible(world.anna, world.karin) == ["Karin Intervjuare"]
    assert _visible(world.anna, world.hr) == [] and _visible(world.anna, world.boss) == []
    submit_scorecard(world.anna, world.ivar)
    # Karin has not submitted: she still sees only her own draft; HR and the boss see Ivar's.
    assert _visible(world.anna, world.karin) == ["Karin Intervjuare"]
    assert _visible(world.anna, world.ivar) == ["Ivar Intervjuare"]
    assert _visible(world.anna, world.hr) == ["Ivar Intervjuare"] == _visible(world.anna, world.boss)
    submit_scorecard(world.anna, world.karin)
    for user in (world.ivar, world.karin, world.hr, world.boss):
        assert _visible(world.anna, user) == ["Ivar Intervjuare", "Karin Intervjuare"]
    # Nobody outside the vacancy's people, and no group member who does not interview the candidate.
    assert _visible(world.anna, world.outsider) == []
    assert _visible(world.bo, world.ivar) == []


def test_a_hiring_manager_who_interviews_waits_like_any_interviewer(world: Recruitment) -> None:
    world.interview(world.anna, interviewers=[world.boss, world.ivar])
    submit_scorecard(world.anna, world.ivar, world.scores(4, 4, 4))
    assert _visible(world.anna, world.boss) == []
    submit_scorecard(world.anna, world.boss, world.scores(3, 3, 3))
    assert _visible(world.anna, world.boss) == ["Bodil Chef", "Ivar Intervjuare"]


def test_submitting_needs_every_score_and_its_evidence_and_is_final(world: Recruitment) -> None:
    world.interview(world.anna)
    trust, decide, drive = world.expectations
    save_draft(world.anna, world.ivar, {trust.id: ScoreValue(4, "Tydliga exempel")})
    with pytest.raises(VacancyError) as refused:
        submit_scorecard(world.anna, world.ivar)
    assert refused.value.field == f"score_{decide.id}"
    with pytest.raises(VacancyError) as refused:
        submit_scorecard(world.anna, world.ivar, {decide.id: ScoreValue(3, ""), drive.id: ScoreValue(2, "x")})
    assert refused.value.field == f"evidence_{decide.id}"
    with pytest.raises(VacancyError):
        save_draft(world.anna, world.ivar, {trust.id: ScoreValue(6, "")})
    with pytest.raises(VacancyError):
        save_draft(world.anna, world.ivar, {_expectation("leader.feedback").id: ScoreValue(3, "")})
    card = submit_scorecard(world.anna, world.ivar, world.scores(4, 3, 2))
    assert card.is_submitted
    with pytest.raises(VacancyError):
        save_draft(world.anna, world.ivar, world.scores(1, 1, 1))
    # The interview is done on the candidate's journey once it has passed and is scored.
    assert (
        db.session.scalar(select(Activity.completed_on).where(Activity.kind == ActivityKind.INTERVIEW))
        is None
    )


def test_an_amendment_keeps_the_original_and_the_latest_counts(world: Recruitment) -> None:
    world.interview(world.anna)
    card = submit_scorecard(world.anna, world.ivar, world.scores(4, 3, 2))
    trust = world.expectations[0]
    with pytest.raises(VacancyError) as refused:
        amend_scorecard(card, world.ivar, {trust.id: ScoreValue(2)}, reason="  ")
    assert refused.value.field == "reason"
    with pytest.raises(VacancyError):
        amend_scorecard(card, world.karin, {trust.id: ScoreValue(2)}, reason="Inte min")
    with pytest.raises(VacancyError):
        amend_scorecard(card, world.ivar, {trust.id: ScoreValue(4)}, reason="Samma som förut")
    amend_scorecard(
        card, world.ivar, {trust.id: ScoreValue(3, "Referenserna")}, reason="Efter referenstagningen"
    )
    amend_scorecard(card, world.ivar, {trust.id: ScoreValue(2)}, reason="Andra intervjun")
    now = effective_scores(card)[trust.id]
    assert (now.score, now.evidence) == (2, "Referenserna")
    assert now.original is not None and now.original.score == 4
    assert [a.reason for a in now.amendments] == ["Efter referenstagningen", "Andra intervjun"]
    first = db.session.scalars(select(ScorecardAmendment).order_by(ScorecardAmendment.id)).first()
    assert first is not None
    first.score = 5
    with pytest.raises(HistoryIsAppendOnlyError):
        db.session.flush()
    db.session.rollback()


def test_a_scorecard_is_not_written_after_the_decision(world: Recruitment) -> None:
    world.interview(world.anna)
    card = submit_scorecard(world.anna, world.ivar, world.scores(4, 3, 2))
    record_decision(world.vacancy, world.anna, "Bäst lämpad", world.boss)
    with pytest.raises(VacancyError):
        save_draft(world.anna, world.karin, world.scores(1, 1, 1))
    with pytest.raises(VacancyError):
        amend_scorecard(card, world.ivar, {world.expectations[0].id: ScoreValue(1)}, reason="Sent")


# -- the matrix -----------------------------------------------------------------------------------------


def test_the_matrix_shows_every_score_the_spread_and_the_weighted_total(world: Recruitment) -> None:
    world.interview(world.anna)
    world.interview(world.bo)
    card = submit_scorecard(world.anna, world.ivar, world.scores(4, 3, 5))
    submit_scorecard(world.anna, world.karin, world.scores(2, 3, 4))
    submit_scorecard(world.bo, world.ivar, world.scores(5, 5, 5))
    save_draft(world.bo, world.karin, world.scores(1, 1, 1))  # a draft never counts
    amend_scorecard(card, world.ivar, {world.expectations[2].id: ScoreValue(3)}, reason="Omvärdering")
    matrix = scorecard_matrix(world.vacancy, score_visibility(world.hr))
    assert [row.candidacy.id for row in matrix.rows] == [world.bo.id, world.anna.id]
    bo, anna = matrix.rows
    trust, _decide, drive = (e.id for e in world.expectations)
    assert [(s.author_name, s.score) for s in anna.cells[trust].scores] == [
        ("Ivar Intervjuare", 4),
        ("Karin Intervjuare", 2),
    ]
    assert (anna.cells[trust].mean, anna.cells[trust].spread) == (3.0, 2)
    assert [(s.score, s.amended) for s in anna.cells[drive].scores] == [(3, True), (4, False)]
    # (3·3 + 2·3 + 1·3.5) / 6
    assert anna.weighted_total == pytest.approx(18.5 / 6)
    assert (bo.weighted_total, bo.scored_by) == (5.0, 1)
    by_name = scorecard_matrix(world.vacancy, score_visibility(world.hr), MatrixOrder.NAME)
    assert [row.candidacy.manager.name for row in by_name.rows] == ["Anna Sökande", "Bo Internsson"]
    # Karin, who has not submitted hers for Bo, sees none of Bo's scores.
    karin = scorecard_matrix(world.vacancy, score_visibility(world.karin))
    assert {row.candidacy.id: row.scored_by for row in karin.rows} == {world.anna.id: 2, world.bo.id: 0}
    # Nor does Bo's place give his total away: he is listed last, without one.
    assert [(row.candidacy.id, row.weighted_total) for row in karin.rows] == [
        (world.anna.id, pytest.approx(18.5 / 6)),
        (world.bo.id, None),
    ]
    # By name reads as people read names: a lower-case "de" sorts among the D's, not after every capital.
    de_wit = add_candidate(world.vacancy, make_manager("de Wit, Cecilia"), world.hr, date(2026, 11, 2))
    world.interview(de_wit)
    erik = add_candidate(world.vacancy, make_manager("Erik Ek"), world.hr, date(2026, 11, 2))
    world.interview(erik)
    by_name = scorecard_matrix(world.vacancy, score_visibility(world.hr), MatrixOrder.NAME)
    assert [row.candidacy.manager.name for row in by_name.rows] == [
        "Anna Sökande",
        "Bo Internsson",
        "de Wit, Cecilia",
        "Erik Ek",
    ]


def test_the_stored_totals_the_matrix_orders_by_follow_scores_amendments_and_weights(
    world: Recruitment,
) -> None:
    world.interview(world.anna)
    assert (world.anna.weighted_total, world.anna.submitted_scorecards) == (None, 0)
    save_draft(world.anna, world.karin, world.scores(1, 1, 1))
    assert (world.anna.weighted_total, world.anna.submitted_scorecards) == (None, 0)  # drafts never count
    card = submit_scorecard(world.anna, world.ivar, world.scores(4, 3, 5))
    assert (world.anna.weighted_total, world.anna.submitted_scorecards) == (pytest.approx(23 / 6), 1)
    submit_scorecard(world.anna, world.karin, world.scores(2, 3, 4))
    amend_scorecard(card, world.ivar, {world.expectations[2].id: ScoreValue(3)}, reason="Omvärdering")
    assert (world.anna.weighted_total, world.anna.submitted_scorecards) == (pytest.approx(18.5 / 6), 2)
    # Weighed alike now: (3 + 3 + 3.5) / 3; an expectation no longer weighed stops counting.
    set_weights(world.vacancy, dict.fromkeys(world.expectations, 1))
    assert world.anna.weighted_total == pytest.approx(9.5 / 3)
    set_weights(world.vacancy, {world.expectations[0]: 2})
    assert world.anna.weighted_total == pytest.approx(3.0)
    [row] = scorecard_matrix(world.vacancy, score_visibility(world.hr)).rows
    assert row.weighted_total == pytest.approx(world.anna.weighted_total)


def test_the_matrix_query_count_does_not_grow_with_the_data(
    world: Recruitment, count_queries: Callable[[], Any]
) -> None:
    def measure() -> int:
        with count_queries() as counter:
            scorecard_matrix(world.vacancy, score_visibility(world.ivar))
        return int(counter.count)

    world.interview(world.anna)
    submit_scorecard(world.anna, world.ivar, world.scores(3, 3, 3))
    few = measure()
    for number in range(8):
        person = add_external_candidate(
            world.vacancy, name=f"Sökande {number}", email=None, actor=world.hr, applied_on=date(2026, 11, 2)
        )
        world.interview(person)
        for author in (world.ivar, world.karin):
            card = submit_scorecard(person, author, world.scores(number % 5 + 1, 2, 4))
            amend_scorecard(card, author, {world.expectations[1].id: ScoreValue(5)}, reason="Ny bedömning")
    assert measure() == few


def test_lowest_scored_expectations_by_the_groups_mean_then_weight_then_order(world: Recruitment) -> None:
    world.interview(world.anna)
    decide = world.expectations[1]
    assert lowest_scored_expectations(world.anna) == []
    save_draft(world.anna, world.karin, world.scores(1, 1, 1))  # drafts never count
    submit_scorecard(world.anna, world.ivar, world.scores(4, 2, 2))
    # decide and drive tie at 2: the heavier (decide, weight 2) comes first.
    assert [e.key for e in lowest_scored_expectations(world.anna)] == ["secure.decide", "developer.drive"]
    card = db.session.scalar(select(Scorecard).where(Scorecard.author_id == world.ivar.id))
    assert card is not None
    amend_scorecard(card, world.ivar, {decide.id: ScoreValue(5)}, reason="Referenser")
    assert [e.key for e in lowest_scored_expectations(world.anna, limit=1)] == ["developer.drive"]
    assert [e.key for e in lowest_scored_expectations(world.anna, limit=3)] == [
        "developer.drive",
        "leader.trust",
        "secure.decide",
    ]


# -- the decision ---------------------------------------------------------------------------------------


def test_the_hiring_manager_hires_one_and_the_others_stay_for_hr(world: Recruitment) -> None:
    # Bo only applied: nobody is hired without an interview, and the decision does not offer him.
    with pytest.raises(VacancyError) as unheard:
        record_decision(world.vacancy, world.bo, "Bra ansökan", world.boss)
    assert unheard.value.field == "candidacy"
    world.interview(world.anna)
    assert decidable_candidates(world.vacancy) == [world.anna]
    with pytest.raises(VacancyError) as refused:
        record_decision(world.vacancy, world.anna, " ", world.boss)
    assert refused.value.field == "reason"
    decision = record_decision(world.vacancy, world.anna, "Starkast på förtroende", world.boss)
    assert (world.anna.step, world.vacancy.status) == (CandidateStep.HIRED, VacancyStatus.DECIDED)
    assert world.bo.step is CandidateStep.APPLIED
    assert (decision.reason, decision.decided_by_id) == ("Starkast på förtroende", world.boss.id)
    with pytest.raises(VacancyError):
        record_decision(world.vacancy, world.bo, "Ändrade mig", world.boss)
    not_select(world.bo, NotSelectedReason.OTHER_CANDIDATE, world.hr, date(2026, 11, 4))
    assert world.bo.step is CandidateStep.NOT_SELECTED
    decision.reason = "Omskrivet"
    with pytest.raises(HistoryIsAppendOnlyError):
        db.session.flush()
    db.session.rollback()


def test_changes_are_audited_about_the_candidate(world: Recruitment) -> None:
    world.interview(world.anna)
    submit_scorecard(world.anna, world.ivar, world.scores(4, 3, 2))
    db.session.flush()
    kinds = {
        (event.object_type, event.subject_manager_id)
        for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.subject_manager_id == world.anna.manager_id)
        )
    }
    assert {("interview", world.anna.manager_id), ("scorecard", world.anna.manager_id)} <= kinds


# -- the pages --------------------------------------------------------------------------------------------


@pytest.fixture
def as_user(app: Flask, login: Callable[..., Any]) -> Callable[[User], FlaskClient]:
    """A browser of its own, logged in as the user."""

    def browser(user: User) -> FlaskClient:
        client = app.test_client()
        login(user.email, test_client=client)
        return client

    return browser


def _score_form(world: Recruitment, *scores: int, action: str = "submit") -> dict[str, str]:
    form = {"action": action}
    for e, score in zip(world.expectations, scores, strict=True):
        form[f"score_{e.id}"] = str(score)
        form[f"evidence_{e.id}"] = f"Exempel om {e.key}"
    return form


def test_two_interviewers_submit_the_matrix_shows_both_and_the_hiring_manager_hires_one(
    world: Recruitment, as_user: Callable[[User], FlaskClient]
) -> None:
    vacancy, anna = world.vacancy, world.anna
    base = f"/vacancies/{vacancy.id}/candidates/{anna.id}"
    db.session.commit()
    client = as_user(world.hr)
    scheduled = post_form(
        client,
        f"{base}/interviews/new",
        {
            "starts_on": "2026-11-05",
            "starts_time": "10:00",
            "duration_minutes": "60",
            "location": "Rum 3",
            "interviewers": [str(world.ivar.id), str(world.karin.id)],
        },
    )
    assert scheduled.status_code == 302
    assert "Rum 3" in client.get(base).get_data(as_text=True)

    client = as_user(world.ivar)
    assert "Exempel" not in client.get(base).get_data(as_text=True)
    draft = post_form(client, f"{base}/scorecard", _score_form(world, 4, 3, 5, action="save"))
    assert draft.status_code == 302
    missing = post_form(client, f"{base}/scorecard", {"action": "submit"})
    assert missing.status_code == 400 and "field-error" in missing.get_data(as_text=True)
    assert post_form(client, f"{base}/scorecard", _score_form(world, 4, 3, 5)).status_code == 302

    client = as_user(world.karin)
    page = client.get(base).get_data(as_text=True)
    assert 'id="scorecards-hidden"' in page and "Exempel om" not in page
    matrix = client.get(f"/vacancies/{vacancy.id}/matrix").get_data(as_text=True)
    assert "Ivar Intervjuare" not in matrix
    assert post_form(client, f"{base}/scorecard", _score_form(world, 2, 3, 4)).status_code == 302
    page = client.get(base).get_data(as_text=True)
    assert "Ivar Intervjuare" in page and "Exempel om leader.trust" in page
    matrix = client.get(f"/vacancies/{vacancy.id}/matrix").get_data(as_text=True)
    assert "Ivar Intervjuare" in matrix and "Karin Intervjuare" in matrix
    assert ">3,3<" in matrix  # (3·3 + 2·3 + 1·4.5) / 6 = 3.25, with one decimal in Swedish
    assert client.get(f"/vacancies/{vacancy.id}/decision").status_code == 404  # not Karin's decision

    client = as_user(world.boss)
    refused = post_form(
        client, f"/vacancies/{vacancy.id}/decision", {"candidacy": str(anna.id), "reason": ""}
    )
    assert refused.status_code == 400
    hired = post_form(
        client, f"/vacancies/{vacancy.id}/decision", {"candidacy": str(anna.id), "reason": "Tydligast"}
    )
    assert hired.status_code == 302
    db.session.expire_all()
    assert anna.step is CandidateStep.HIRED and vacancy.status is VacancyStatus.DECIDED
    assert db.session.scalar(select(VacancyDecision.reason)) == "Tydligast"


def test_amending_on_the_page_shows_the_original(
    world: Recruitment, as_user: Callable[[User], FlaskClient]
) -> None:
    world.interview(world.anna)
    submit_scorecard(world.anna, world.ivar, world.scores(4, 3, 5))
    db.session.commit()
    client = as_user(world.ivar)
    url = f"/vacancies/{world.vacancy.id}/candidates/{world.anna.id}/scorecard/amend"
    trust = world.expectations[0]
    no_reason = post_form(client, url, {f"score_{trust.id}": "2", "reason": ""})
    assert no_reason.status_code == 400
    nothing = post_form(client, url, {"reason": "Ingen ändring"})
    assert nothing.status_code == 400
    assert post_form(client, url, {f"score_{trust.id}": "2", "reason": "Referenser"}).status_code == 302
    page = client.get(url.removesuffix("/amend")).get_data(as_text=True)
    assert "Referenser" in page and "4" in page


def test_someone_outside_the_group_gets_404_on_all_of_it(
    world: Recruitment, as_user: Callable[[User], FlaskClient]
) -> None:
    interview = world.interview(world.anna)
    submit_scorecard(world.anna, world.ivar, world.scores(4, 3, 5))
    db.session.commit()
    base = f"/vacancies/{world.vacancy.id}/candidates/{world.anna.id}"
    client = as_user(world.outsider)
    for url in (
        base,
        f"{base}/scorecard",
        f"{base}/scorecard/amend",
        f"{base}/interviews/new",
        f"{base}/interviews/{interview.id}/edit",
        f"/vacancies/{world.vacancy.id}/matrix",
        f"/vacancies/{world.vacancy.id}/decision",
    ):
        assert client.get(url).status_code == 404, url
    # The group member, too, cannot schedule or decide, nor open someone else's candidate of another vacancy.
    client = as_user(world.ivar)
    assert client.get(f"{base}/interviews/new").status_code == 404
    assert client.get(f"/vacancies/{world.vacancy.id}/decision").status_code == 404


def test_a_four_pillar_platform_works_for_the_whole_flow(
    app_ctx: Flask, client: FlaskClient, login: Callable[..., Any]
) -> None:
    load_platform(parse_platform(NORDBY.read_bytes()))
    nordby = list(db.session.scalars(select(Expectation).order_by(Expectation.id)))
    by_pillar: dict[int, Expectation] = {}
    for expectation in nordby:
        by_pillar.setdefault(expectation.pillar_id, expectation)
    assert len(by_pillar) == 4
    world = Recruitment(weights={e: 1 + i % 3 for i, e in enumerate(by_pillar.values())})
    interview = world.interview(world.anna)
    assert interview.activity is not None and len(interview.activity.pillars) == 4
    submit_scorecard(world.anna, world.ivar, world.scores(1, 2, 3, 4))
    submit_scorecard(world.anna, world.karin, world.scores(2, 2, 3, 5))
    db.session.commit()
    login(world.boss.email)
    matrix = client.get(f"/vacancies/{world.vacancy.id}/matrix").get_data(as_text=True)
    assert all(e.text_sv in matrix for e in by_pillar.values())
    assert len(lowest_scored_expectations(world.anna)) == 2
    assert (
        post_form(
            client,
            f"/vacancies/{world.vacancy.id}/decision",
            {"candidacy": str(world.anna.id), "reason": "Bäst"},
        ).status_code
        == 302
    )


def test_interview_reminders_go_to_the_interviewers_never_to_the_candidate(world: Recruitment) -> None:
    # Monday 9 November: reminded on Friday the 6th, the scorecard owed from Tuesday the 10th.
    interview = world.interview(world.anna, at=datetime(2026, 11, 9, 13, 0, tzinfo=STOCKHOLM))
    rows = list(db.session.scalars(select(Reminder).order_by(Reminder.id)))
    assert {(r.item_key.split(":")[0], r.recipient_id) for r in rows} == {
        ("interview", world.ivar.id),
        ("interview", world.karin.id),
        ("scorecard", world.ivar.id),
        ("scorecard", world.karin.id),
    }
    assert not any(r.activity_id for r in rows)
    days = {(r.item_key.split(":")[0], r.due_at.astimezone(STOCKHOLM).date()) for r in rows}
    assert days == {("interview", date(2026, 11, 6)), ("scorecard", date(2026, 11, 10))}
    submit_scorecard(world.anna, world.ivar, world.scores(4, 3, 5))
    db.session.expire_all()
    left = {
        r.recipient_id
        for r in db.session.scalars(select(Reminder).where(Reminder.panelist_id.is_not(None)))
        if r.status.value == "pending"
    }
    assert left == {world.karin.id}
    cancel_interview(interview)
    db.session.expire_all()
    assert all(r.status.value != "pending" for r in db.session.scalars(select(Reminder)))
    assert db.session.scalar(select(Vacancy.status)) is VacancyStatus.INTERVIEWING


def test_the_matrix_page_shows_those_in_process_a_page_at_a_time_and_all_on_request(
    world: Recruitment,
    as_user: Callable[[User], FlaskClient],
    count_queries: Callable[[], Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lifecycle.blueprints.recruitment import interviews

    monkeypatch.setattr(interviews, "MATRIX_PAGE", 2)
    people = [world.anna, world.bo] + [
        add_external_candidate(
            world.vacancy, name=f"Sökande {n}", email=None, actor=world.hr, applied_on=date(2026, 11, 2)
        )
        for n in range(2)
    ]
    for score, person in enumerate(people, start=1):
        world.interview(person)
        submit_scorecard(person, world.ivar, world.scores(score, score, score))
    not_select(people[3], NotSelectedReason.WITHDREW, world.hr, date(2026, 11, 20))
    db.session.commit()
    client = as_user(world.hr)
    url = f"/vacancies/{world.vacancy.id}/matrix"

    def rows(address: str) -> list[int]:
        html = client.get(address).get_data(as_text=True)
        return [
            p.id
            for p in sorted(people, key=lambda p: html.find(f'id="matrix-{p.id}"'))
            if f'id="matrix-{p.id}"' in html
        ]

    # By weighted total, highest first; the withdrawn candidate (the highest) only among all.
    assert rows(url) == [people[2].id, world.bo.id]
    assert rows(f"{url}?page=2") == [world.anna.id]
    assert "Kandidat 3–3 av 3" in client.get(f"{url}?page=2").get_data(as_text=True)
    assert rows(f"{url}?show=all") == [people[3].id, people[2].id]
    assert rows(f"{url}?show=all&page=2") == [world.bo.id, world.anna.id]
    assert rows(f"{url}?sort=name&show=all") == [world.anna.id, world.bo.id]
    assert rows(f"{url}?page=99") == [] and rows(f"{url}?page=x") == [people[2].id, world.bo.id]

    def queries() -> int:
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return int(counter.count)

    few = queries()
    for n in range(6):
        person = add_external_candidate(
            world.vacancy, name=f"Fler {n}", email=None, actor=world.hr, applied_on=date(2026, 11, 2)
        )
        world.interview(person)
        submit_scorecard(person, world.ivar, world.scores(3, 3, 3))
        submit_scorecard(person, world.karin, world.scores(2, 4, 5))
    db.session.commit()
    assert queries() == few
