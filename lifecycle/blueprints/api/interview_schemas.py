"""The API's recruitment interviews, declared once: interviews, scorecards, the matrix and the decision.

Bodies are `contract.Body` models and responses `contract.Out` models, as in `schemas`. A scorecard is
shown to whom `lifecycle.policy.visible_scorecards_clause` lets read it, here as on the pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator
from pydantic import Field

from lifecycle import models
from lifecycle.blueprints.api.contract import IDENTIFIER
from lifecycle.blueprints.api.contract import Body
from lifecycle.blueprints.api.contract import Check
from lifecycle.blueprints.api.contract import FieldError
from lifecycle.blueprints.api.contract import Id
from lifecycle.blueprints.api.contract import Moment
from lifecycle.blueprints.api.contract import Out
from lifecycle.blueprints.api.contract import nullable
from lifecycle.blueprints.api.contract import text
from lifecycle.blueprints.api.contract import unique
from lifecycle.blueprints.api.contract import whole_number
from lifecycle.blueprints.api.schemas import Actor
from lifecycle.models.interviews import MAX_MINUTES
from lifecycle.models.interviews import MIN_MINUTES
from lifecycle.models.recruitment import CandidateStep
from lifecycle.services.recruitment import Matrix as MatrixResult
from lifecycle.services.recruitment import effective_scores
from lifecycle.services.recruitment.decision import REASON_MAX_LENGTH as DECISION_REASON_MAX_LENGTH
from lifecycle.services.recruitment.interviews import LOCATION_MAX_LENGTH
from lifecycle.services.recruitment.scorecards import EVIDENCE_MAX_LENGTH
from lifecycle.services.recruitment.scorecards import REASON_MAX_LENGTH

MAX_INTERVIEWERS = 50
MAX_SCORES = 50
KEY_MAX_LENGTH = 120


def _moment(value: Any) -> datetime:
    message = _("Must be a date and time with its offset, e.g. 2026-11-05T10:00:00+01:00.")
    if not isinstance(value, str) or len(value) > 40:
        raise FieldError(message)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise FieldError(message) from exc
    if moment.tzinfo is None or "T" not in value.upper():
        raise FieldError(message)
    return moment


MOMENT = Check(_moment, {"type": "string", "format": "date-time"})
Key = Annotated[str, text(KEY_MAX_LENGTH, required=True)]
Interviewers = Annotated[
    list[Annotated[int, IDENTIFIER]],
    Field(
        max_length=MAX_INTERVIEWERS,
        description="User ids of the recruitment group or the hiring manager; left out: the whole group.",
    ),
    AfterValidator(unique(_l("Each interviewer only once."))),
]


# -- interviews -----------------------------------------------------------------------------------


class InterviewCreate(Body):
    """A new interview of the candidate, with its time (an offset is required: it is shown in Stockholm)."""

    starts_at: Annotated[datetime, MOMENT]
    duration_minutes: Annotated[int, whole_number(MIN_MINUTES, MAX_MINUTES)] = 60
    location: Annotated[str | None, text(LOCATION_MAX_LENGTH)] = None
    interviewers: Interviewers = []


class InterviewUpdate(Body):
    """The interview moved or changed; a field left out stays as it is."""

    starts_at: Annotated[datetime | None, nullable(MOMENT)] = None
    duration_minutes: Annotated[int | None, nullable(whole_number(MIN_MINUTES, MAX_MINUTES))] = None
    location: Annotated[str | None, text(LOCATION_MAX_LENGTH)] = None
    interviewers: Interviewers = []


class Interview(Out):
    """An interview of a candidate, on their journey as the activity `activity_id`."""

    id: Id
    vacancy_id: Id
    candidacy_id: Id
    starts_at: Moment
    duration_minutes: int
    location: str
    cancelled_at: Moment | None
    interviewers: list[Actor]
    activity_id: Id | None

    @classmethod
    def of(cls, interview: models.Interview) -> Interview:
        """The interview; its panel must be loaded with it."""
        return cls(
            id=interview.id,
            vacancy_id=interview.candidacy.vacancy_id,
            candidacy_id=interview.candidacy_id,
            starts_at=interview.starts_at,
            duration_minutes=interview.duration_minutes,
            location=interview.location,
            cancelled_at=interview.cancelled_at,
            interviewers=[Actor(id=seat.user.id, name=seat.user.name) for seat in interview.panel],
            activity_id=interview.activity_id,
        )


# -- scorecards -----------------------------------------------------------------------------------


class ScoreIn(Body):
    """One expectation's score (1–5, null: not yet) and the evidence heard."""

    expectation: Key
    score: Annotated[int | None, nullable(whole_number(1, 5))] = None
    evidence: Annotated[str | None, text(EVIDENCE_MAX_LENGTH)] = None


Scores = Annotated[
    list[ScoreIn],
    Field(max_length=MAX_SCORES, description="By expectation key; each weighed expectation at most once."),
    AfterValidator(unique(_l("Each expectation only once."), key=lambda s: s.expectation)),
]


class ScorecardSave(Body):
    """Scores of one's own draft scorecard; expectations left out keep what the draft has."""

    scores: Scores


class ScorecardSubmit(Body):
    """The last scores, if any; then every weighed expectation needs a score and its evidence."""

    scores: Scores = []


class AmendmentCreate(Body):
    """New scores for a submitted scorecard, and why; the original scores stay."""

    scores: Annotated[Scores, Field(min_length=1)]
    reason: Annotated[str, text(REASON_MAX_LENGTH, required=True)]


class Score(Out):
    """An expectation of a scorecard as it counts now, and as first submitted."""

    expectation: str
    score: int | None
    evidence: str
    original_score: int | None
    original_evidence: str
    amended: bool


class Amendment(Out):
    id: Id
    expectation: str
    score: int
    evidence: str
    reason: str
    author: Actor
    created_at: Moment


class Scorecard(Out):
    """An interviewer's scorecard for a candidate: a draft (only its author sees it) or submitted."""

    id: Id
    candidacy_id: Id
    author: Actor
    submitted_at: Moment | None
    scores: list[Score]
    amendments: list[Amendment]

    @classmethod
    def of(cls, card: models.Scorecard, keys: dict[int, str]) -> Scorecard:
        """The scorecard; `keys` names the expectations by id. Its author, scores and amendments loaded."""
        effective = effective_scores(card)
        return cls(
            id=card.id,
            candidacy_id=card.candidacy_id,
            author=Actor(id=card.author.id, name=card.author.name),
            submitted_at=card.submitted_at,
            scores=[
                Score(
                    expectation=keys.get(e.expectation_id, ""),
                    score=e.score,
                    evidence=e.evidence,
                    original_score=e.original.score if e.original else None,
                    original_evidence=e.original.evidence if e.original else "",
                    amended=e.is_amended,
                )
                for e in sorted(effective.values(), key=lambda e: e.expectation_id)
            ],
            amendments=[
                Amendment(
                    id=a.id,
                    expectation=keys.get(a.expectation_id, ""),
                    score=a.score,
                    evidence=a.evidence,
                    reason=a.reason,
                    author=Actor(id=a.author.id, name=a.author.name),
                    created_at=a.created_at,
                )
                for a in card.amendments
            ],
        )


# -- the matrix and the decision --------------------------------------------------------------------


class MatrixScore(Out):
    author: Actor
    score: int
    amended: bool


class MatrixCell(Out):
    expectation: str
    weight: int
    scores: list[MatrixScore]
    mean: float | None
    spread: Annotated[int | None, Field(description="The highest score minus the lowest.")]


class MatrixRow(Out):
    candidacy_id: Id
    name: str
    step: CandidateStep
    cells: list[MatrixCell]
    weighted_total: Annotated[
        float | None, Field(description="Σ weight·mean / Σ weight over scored expectations.")
    ]


class Matrix(Out):
    """Candidate × weighed expectation, from the submitted scorecards the caller may read."""

    vacancy_id: Id
    rows: list[MatrixRow]

    @classmethod
    def of(cls, vacancy_id: int, matrix: MatrixResult) -> Matrix:
        return cls(
            vacancy_id=vacancy_id,
            rows=[
                MatrixRow(
                    candidacy_id=row.candidacy.id,
                    name=row.candidacy.manager.name,
                    step=row.candidacy.step,
                    cells=[
                        MatrixCell(
                            expectation=weight.expectation.key,
                            weight=weight.weight,
                            scores=[
                                MatrixScore(
                                    author=Actor(id=s.author_id, name=s.author_name),
                                    score=s.score,
                                    amended=s.amended,
                                )
                                for s in row.cells[weight.expectation_id].scores
                            ],
                            mean=row.cells[weight.expectation_id].mean,
                            spread=row.cells[weight.expectation_id].spread,
                        )
                        for weight in matrix.weights
                    ],
                    weighted_total=row.weighted_total,
                )
                for row in matrix.rows
            ],
        )


class DecisionCreate(Body):
    """The candidate the vacancy hires, and why."""

    candidacy_id: Annotated[int, IDENTIFIER]
    reason: Annotated[str, text(DECISION_REASON_MAX_LENGTH, required=True)]


class Decision(Out):
    id: Id
    vacancy_id: Id
    candidacy_id: Id
    reason: str
    decided_by: Actor | None
    decided_at: Moment

    @classmethod
    def of(cls, decision: models.VacancyDecision) -> Decision:
        by = decision.decided_by
        return cls(
            id=decision.id,
            vacancy_id=decision.vacancy_id,
            candidacy_id=decision.candidacy_id,
            reason=decision.reason,
            decided_by=Actor(id=by.id, name=by.name) if by else None,
            decided_at=decision.decided_at,
        )
