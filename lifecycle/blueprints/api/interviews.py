"""JSON API v1, recruitment interviews: a candidate's interviews, scorecards (with their privacy),
amendments, the group's matrix and the hiring manager's decision.

Registered on the same blueprint as `views`, under the same rules as the pages: every object loads
through `lifecycle.policy` (someone outside the vacancy's people gets 404 for all of it), scorecards
through `policy.visible_scorecards_clause`, bodies and responses are the models of
`interview_schemas`, a service makes the change and flushes, and the view commits once.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

from flask import abort
from flask import jsonify
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from lifecycle.blueprints.api.contract import MAX_ID
from lifecycle.blueprints.api.contract import Items
from lifecycle.blueprints.api.contract import json_body
from lifecycle.blueprints.api.contract import optional_json_body
from lifecycle.blueprints.api.contract import parse_body
from lifecycle.blueprints.api.errors import ApiError
from lifecycle.blueprints.api.errors import refusals_as_422
from lifecycle.blueprints.api.interview_schemas import AmendmentCreate
from lifecycle.blueprints.api.interview_schemas import Decision
from lifecycle.blueprints.api.interview_schemas import DecisionCreate
from lifecycle.blueprints.api.interview_schemas import Interview as InterviewOut
from lifecycle.blueprints.api.interview_schemas import InterviewCreate
from lifecycle.blueprints.api.interview_schemas import InterviewUpdate
from lifecycle.blueprints.api.interview_schemas import Matrix
from lifecycle.blueprints.api.interview_schemas import Scorecard as ScorecardOut
from lifecycle.blueprints.api.interview_schemas import ScorecardSave
from lifecycle.blueprints.api.interview_schemas import ScorecardSubmit
from lifecycle.blueprints.api.operations import WRITE_ERRORS
from lifecycle.blueprints.api.views import _conflicts_as_409
from lifecycle.blueprints.api.views import bp
from lifecycle.extensions import db
from lifecycle.models import User
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import Vacancy
from lifecycle.policy import get_candidacy_or_404
from lifecycle.policy import get_interview_or_404
from lifecycle.policy import get_vacancy_or_404
from lifecycle.policy import may_decide
from lifecycle.policy import may_schedule_interviews
from lifecycle.policy import may_score
from lifecycle.policy import score_visibility
from lifecycle.policy import signed_in
from lifecycle.policy import visible_scorecards_clause
from lifecycle.services.recruitment import InterviewValues
from lifecycle.services.recruitment import ScoreValue
from lifecycle.services.recruitment import VacancyError
from lifecycle.services.recruitment import amend_scorecard
from lifecycle.services.recruitment import cancel_interview
from lifecycle.services.recruitment import candidacy_of
from lifecycle.services.recruitment import interview_of
from lifecycle.services.recruitment import interviews_of
from lifecycle.services.recruitment import panel_choices
from lifecycle.services.recruitment import record_decision
from lifecycle.services.recruitment import reschedule_interview
from lifecycle.services.recruitment import save_draft
from lifecycle.services.recruitment import schedule_interview
from lifecycle.services.recruitment import scorecard_matrix
from lifecycle.services.recruitment import scorecard_of
from lifecycle.services.recruitment import scorecards_for
from lifecycle.services.recruitment import submit_scorecard

VACANCY_ID = f"<int(min=1, max={MAX_ID}):vacancy_id>"
CANDIDACY_ID = f"<int(min=1, max={MAX_ID}):candidacy_id>"
INTERVIEW_ID = f"<int(min=1, max={MAX_ID}):interview_id>"
CANDIDATE = f"/vacancies/{VACANCY_ID}/candidates/{CANDIDACY_ID}"
INTERVIEWS, SCORECARDS, DECISIONS = ["interviews"], ["scorecards"], ["recruitment"]
VACANCY_PEOPLE = "For HR, the vacancy's hiring manager and its recruitment group."
SCHEDULERS = "HR and the vacancy's hiring manager."
PRIVACY = (
    "A draft is read by its author alone; an interviewer of the candidate reads the others' submitted "
    "scorecards once their own is submitted; HR and the hiring manager, when not interviewing the "
    "candidate, read the submitted ones."
)
#: the services' names for fields the API calls otherwise
API_FIELD_NAMES = {"starts_on": "starts_at", "candidacy": "candidacy_id"}


def _api_field(field: str) -> str:
    """The API's name for a field the services name: a scorecard's per-expectation fields are `scores`."""
    if field.startswith(("score_", "evidence_")):
        return "scores"
    return API_FIELD_NAMES.get(field, field)


def _refusals_as_422() -> AbstractContextManager[None]:
    return refusals_as_422(VacancyError, rename=_api_field)


def _scheduler(vacancy_id: int, candidacy_id: int) -> tuple[User, Vacancy, Candidacy]:
    user = signed_in()
    vacancy, candidacy = get_candidacy_or_404(user, vacancy_id, candidacy_id)
    if not may_schedule_interviews(user, vacancy):
        abort(404)
    return user, vacancy, candidacy


def _interviewers(vacancy: Vacancy, ids: Sequence[int] | None) -> list[User] | None:
    if ids is None:
        return None
    people = {person.id: person for person in panel_choices(vacancy)}
    unknown = [i for i in ids if i not in people]
    if unknown:
        message = _("Interviewers come from the recruitment group or are the hiring manager.")
        raise ApiError(422, message, fields={"interviewers": [message]})
    return [people[i] for i in ids]


def _interview_response(candidacy: Candidacy, interview_id: int, status: int = 200) -> tuple[Response, int]:
    interview = interview_of(candidacy, interview_id)
    if interview is None:  # removed by someone else since this request wrote it
        abort(404)
    return jsonify(InterviewOut.of(interview).dump()), status


def _keys(vacancy: Vacancy) -> dict[int, str]:
    return {weight.expectation_id: weight.expectation.key for weight in vacancy.weights}


def _score_values(vacancy: Vacancy, scores: Sequence[dict[str, Any]] | None) -> dict[int, ScoreValue]:
    by_key = {key: expectation_id for expectation_id, key in _keys(vacancy).items()}
    unknown = sorted({s["expectation"] for s in scores or []} - by_key.keys())
    if unknown:
        message = _("Score only the expectations the vacancy weighs: %(keys)s.", keys=", ".join(unknown))
        raise ApiError(422, message, fields={"scores": [message]})
    return {
        by_key[s["expectation"]]: ScoreValue(s.get("score"), s.get("evidence") or "") for s in scores or []
    }


def _own_scorecard(
    vacancy: Vacancy, candidacy: Candidacy, user: User, status: int = 200
) -> tuple[Response, int]:
    card = scorecard_of(candidacy, user)
    if card is None:  # pragma: no cover - the caller has just written it
        abort(404)
    visible = scorecards_for(candidacy, visible_scorecards_clause(user))
    mine = next(c for c in visible if c.id == card.id)
    return jsonify(ScorecardOut.of(mine, _keys(vacancy)).dump()), status


def _scorer(vacancy_id: int, candidacy_id: int, submitted: bool) -> tuple[User, Vacancy, Candidacy]:
    """The caller, who interviews the candidate, with their own scorecard in the state the operation needs.

    The draft's operations find no draft once it is submitted, and amendments find no submitted
    scorecard before: both are a 404, as for anyone who does not interview the candidate.
    """
    user = signed_in()
    vacancy, candidacy = get_candidacy_or_404(user, vacancy_id, candidacy_id)
    own = scorecard_of(candidacy, user)
    if own is None and not may_score(user, candidacy):
        abort(404)
    if (own is not None and own.is_submitted) != submitted:
        abort(404)
    return user, vacancy, candidacy


# -- interviews -----------------------------------------------------------------------------------------


@bp.operation(
    "GET",
    f"{CANDIDATE}/interviews",
    summary="The candidate's interviews",
    description=VACANCY_PEOPLE,
    tags=INTERVIEWS,
    response=Items[InterviewOut],
    response_description="The interviews in time order.",
    errors=(404,),
)
def list_interviews(vacancy_id: int, candidacy_id: int) -> Response:
    _vacancy, candidacy = get_candidacy_or_404(signed_in(), vacancy_id, candidacy_id)
    items = [InterviewOut.of(interview) for interview in interviews_of(candidacy)]
    return jsonify(Items[InterviewOut](items=items).dump())


@bp.operation(
    "POST",
    f"{CANDIDATE}/interviews",
    summary="Schedule an interview of the candidate",
    description=f"{SCHEDULERS} The interview is the candidate's activity, tagged with what the vacancy "
    "weighs; the interviewers are reminded the working day before.",
    tags=INTERVIEWS,
    body=InterviewCreate,
    response=InterviewOut,
    status=201,
    response_description="The interview.",
    errors=WRITE_ERRORS,
)
def create_interview(vacancy_id: int, candidacy_id: int) -> tuple[Response, int]:
    user, vacancy, candidacy = _scheduler(vacancy_id, candidacy_id)
    values = parse_body(InterviewCreate, json_body())
    with _refusals_as_422():
        interview = schedule_interview(
            candidacy,
            InterviewValues(
                starts_at=values["starts_at"],
                duration_minutes=values.get("duration_minutes", 60),
                location=values.get("location") or "",
                interviewers=_interviewers(vacancy, values.get("interviewers")),
            ),
            user,
        )
    db.session.commit()
    return _interview_response(candidacy, interview.id, 201)


@bp.operation(
    "PATCH",
    f"{CANDIDATE}/interviews/{INTERVIEW_ID}",
    summary="Move an interview, or change its place or interviewers",
    description=SCHEDULERS,
    tags=INTERVIEWS,
    body=InterviewUpdate,
    response=InterviewOut,
    response_description="The interview.",
    errors=WRITE_ERRORS,
)
def update_interview(vacancy_id: int, candidacy_id: int, interview_id: int) -> tuple[Response, int]:
    user, vacancy, candidacy = _scheduler(vacancy_id, candidacy_id)
    _v, _c, interview = get_interview_or_404(user, vacancy_id, candidacy_id, interview_id)
    values = parse_body(InterviewUpdate, json_body())
    chosen = _interviewers(vacancy, values.get("interviewers"))
    with _refusals_as_422():
        reschedule_interview(
            interview,
            InterviewValues(
                starts_at=values.get("starts_at") or interview.starts_at,
                duration_minutes=values.get("duration_minutes") or interview.duration_minutes,
                location=(values["location"] or "") if "location" in values else interview.location,
                interviewers=chosen if chosen is not None else [seat.user for seat in interview.panel],
            ),
        )
    db.session.commit()
    return _interview_response(candidacy, interview_id)


@bp.operation(
    "POST",
    f"{CANDIDATE}/interviews/{INTERVIEW_ID}/cancel",
    summary="Cancel an interview",
    description=f"{SCHEDULERS} Its activity is cancelled with it and its reminders stop.",
    tags=INTERVIEWS,
    response=InterviewOut,
    response_description="The interview.",
    errors=(404,),
)
def mark_interview_cancelled(vacancy_id: int, candidacy_id: int, interview_id: int) -> tuple[Response, int]:
    user, _vacancy, candidacy = _scheduler(vacancy_id, candidacy_id)
    _v, _c, interview = get_interview_or_404(user, vacancy_id, candidacy_id, interview_id)
    cancel_interview(interview)
    db.session.commit()
    return _interview_response(candidacy, interview_id)


# -- scorecards -----------------------------------------------------------------------------------------


@bp.operation(
    "GET",
    f"{CANDIDATE}/scorecards",
    summary="The candidate's scorecards the caller may read",
    description=PRIVACY,
    tags=SCORECARDS,
    response=Items[ScorecardOut],
    response_description="The scorecards, by author.",
    errors=(404,),
)
def list_scorecards(vacancy_id: int, candidacy_id: int) -> Response:
    user = signed_in()
    vacancy, candidacy = get_candidacy_or_404(user, vacancy_id, candidacy_id)
    keys = _keys(vacancy)
    cards = scorecards_for(candidacy, visible_scorecards_clause(user))
    return jsonify(Items[ScorecardOut](items=[ScorecardOut.of(card, keys) for card in cards]).dump())


@bp.operation(
    "PUT",
    f"{CANDIDATE}/scorecard",
    summary="Save one's own draft scorecard for the candidate",
    description="An interviewer of the candidate, until it is submitted (then 404: amend it). " + PRIVACY,
    tags=SCORECARDS,
    body=ScorecardSave,
    response=ScorecardOut,
    response_description="One's own scorecard.",
    errors=WRITE_ERRORS,
)
def save_scorecard(vacancy_id: int, candidacy_id: int) -> tuple[Response, int]:
    user, vacancy, candidacy = _scorer(vacancy_id, candidacy_id, submitted=False)
    values = _score_values(vacancy, parse_body(ScorecardSave, json_body())["scores"])
    with _conflicts_as_409(), _refusals_as_422():
        save_draft(candidacy, user, values)
        db.session.commit()
    return _own_scorecard(vacancy, candidacy, user)


@bp.operation(
    "POST",
    f"{CANDIDATE}/scorecard/submit",
    summary="Submit one's own scorecard for the candidate",
    description="Every weighed expectation needs a score and the evidence heard; then it is final "
    "(submitting again is a 404).",
    tags=SCORECARDS,
    body=ScorecardSubmit,
    body_optional=True,
    response=ScorecardOut,
    response_description="One's own scorecard, submitted.",
    errors=WRITE_ERRORS,
)
def submit_scorecard_now(vacancy_id: int, candidacy_id: int) -> tuple[Response, int]:
    user, vacancy, candidacy = _scorer(vacancy_id, candidacy_id, submitted=False)
    values = _score_values(vacancy, parse_body(ScorecardSubmit, optional_json_body()).get("scores"))
    with _conflicts_as_409(), _refusals_as_422():
        submit_scorecard(candidacy, user, values)
        db.session.commit()
    return _own_scorecard(vacancy, candidacy, user)


@bp.operation(
    "POST",
    f"{CANDIDATE}/scorecard/amendments",
    summary="Amend one's own submitted scorecard",
    description="New scores with the reason; the original scores stay, and the latest counts. A draft "
    "has no amendments (404).",
    tags=SCORECARDS,
    body=AmendmentCreate,
    response=ScorecardOut,
    status=201,
    response_description="One's own scorecard with the amendment.",
    errors=WRITE_ERRORS,
)
def create_scorecard_amendment(vacancy_id: int, candidacy_id: int) -> tuple[Response, int]:
    user, vacancy, candidacy = _scorer(vacancy_id, candidacy_id, submitted=True)
    body = parse_body(AmendmentCreate, json_body())
    values = _score_values(vacancy, body["scores"])
    card = scorecard_of(candidacy, user)
    if card is None:  # pragma: no cover - _scorer found it submitted
        abort(404)
    with _refusals_as_422():
        amend_scorecard(card, user, values, body["reason"])
    db.session.commit()
    return _own_scorecard(vacancy, candidacy, user, 201)


# -- the matrix and the decision -----------------------------------------------------------------------


@bp.operation(
    "GET",
    f"/vacancies/{VACANCY_ID}/matrix",
    summary="Candidate × weighed expectation: every score, the spread and the weighted total",
    description=f"{VACANCY_PEOPLE} From the submitted scorecards the caller may read: {PRIVACY}",
    tags=SCORECARDS,
    response=Matrix,
    response_description="The matrix, by weighted total.",
    errors=(404,),
)
def show_matrix(vacancy_id: int) -> Response:
    user = signed_in()
    vacancy = get_vacancy_or_404(user, vacancy_id)
    return jsonify(Matrix.of(vacancy.id, scorecard_matrix(vacancy, score_visibility(user))).dump())


@bp.operation(
    "POST",
    f"/vacancies/{VACANCY_ID}/decision",
    summary="Record whom the vacancy hires, and why",
    description="The hiring manager, or HR. The candidate becomes hired and the vacancy decided; the "
    "others stay for HR to close as not selected.",
    tags=DECISIONS,
    body=DecisionCreate,
    response=Decision,
    status=201,
    response_description="The decision.",
    errors=(*WRITE_ERRORS, 409),
)
def create_decision(vacancy_id: int) -> tuple[Response, int]:
    user = signed_in()
    vacancy = get_vacancy_or_404(user, vacancy_id)
    if not may_decide(user, vacancy):
        abort(404)
    body = parse_body(DecisionCreate, json_body())
    candidacy = candidacy_of(vacancy, body["candidacy_id"])
    if candidacy is None:
        message = _("Choose one of this vacancy's candidates.")
        raise ApiError(422, message, fields={"candidacy_id": [message]})
    with _conflicts_as_409(), _refusals_as_422():
        decision = record_decision(vacancy, candidacy, body["reason"], user)
        db.session.commit()
    return jsonify(Decision.of(decision).dump()), 201
