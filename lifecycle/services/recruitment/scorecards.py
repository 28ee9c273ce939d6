"""Scorecards: an interviewer's draft, its submission, and amendments that keep the original.

One scorecard per interviewer and candidacy, over all of the candidate's interviews: a second
interview refines the same draft, and what is learnt after submitting is an amendment with its reason.
Who may read which scorecard is `lifecycle.policy`'s (a draft only its author; the others' only once
one's own is submitted); these services never decide it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from lifecycle.db import utcnow
from lifecycle.extensions import db
from lifecycle.models import User
from lifecycle.models.interviews import SCORES
from lifecycle.models.interviews import Interview
from lifecycle.models.interviews import Panelist
from lifecycle.models.interviews import Scorecard
from lifecycle.models.interviews import ScorecardAmendment
from lifecycle.models.interviews import ScorecardScore
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import CandidateStep
from lifecycle.services.activities import complete_activity
from lifecycle.services.recruitment.interviews import local_day
from lifecycle.services.recruitment.interviews import sync_interview_reminders
from lifecycle.services.recruitment.matrix import refresh_matrix_facts
from lifecycle.services.recruitment.vacancies import VacancyError
from lifecycle.timeutil import local_today

logger = logging.getLogger(__name__)

EVIDENCE_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 2000


@dataclass(frozen=True)
class ScoreValue:
    """What an interviewer writes about one expectation: 1–5 (None: not yet) and the evidence heard."""

    score: int | None
    evidence: str = ""


@dataclass(frozen=True)
class EffectiveScore:
    """One expectation of a scorecard as it counts now: the latest amendment, else the original."""

    expectation_id: int
    score: int | None
    evidence: str
    original: ScorecardScore | None
    amendments: list[ScorecardAmendment]

    @property
    def is_amended(self) -> bool:
        return bool(self.amendments)


def _refuse_when_decided(candidacy: Candidacy) -> None:
    if candidacy.step not in CandidateStep.in_process():
        raise VacancyError(
            "scores", _l("The decision about this candidate is made; scorecards no longer change.")
        )


def _weighed_ids(candidacy: Candidacy) -> list[int]:
    return [weight.expectation_id for weight in candidacy.vacancy.weights]


def _check_value(expectation_id: int, value: ScoreValue) -> None:
    if value.score is not None and value.score not in SCORES:
        raise VacancyError(f"score_{expectation_id}", _l("A score is 1, 2, 3, 4 or 5."))
    if len(value.evidence.strip()) > EVIDENCE_MAX_LENGTH:
        raise VacancyError(
            f"evidence_{expectation_id}", _l("At most %(num)d characters.", num=EVIDENCE_MAX_LENGTH)
        )


def scorecard_of(candidacy: Candidacy, author: User) -> Scorecard | None:
    """The author's scorecard for the candidate, with its scores and amendments."""
    return db.session.scalar(
        select(Scorecard)
        .where(Scorecard.candidacy_id == candidacy.id, Scorecard.author_id == author.id)
        .options(selectinload(Scorecard.scores), selectinload(Scorecard.amendments))
    )


def save_draft(candidacy: Candidacy, author: User, values: Mapping[int, ScoreValue]) -> Scorecard:
    """Save the author's draft scores (by expectation id); a submitted scorecard is refused."""
    _refuse_when_decided(candidacy)
    scorecard = scorecard_of(candidacy, author)
    if scorecard is not None and scorecard.is_submitted:
        raise VacancyError("scores", _l("The scorecard is submitted; change a score with an amendment."))
    weighed = set(_weighed_ids(candidacy))
    unknown = set(values) - weighed
    if unknown:
        raise VacancyError("scores", _l("Score only the expectations the vacancy weighs."))
    for expectation_id, value in values.items():
        _check_value(expectation_id, value)
    if scorecard is None:
        scorecard = Scorecard(candidacy=candidacy, author=author, scores=[], amendments=[])
        db.session.add(scorecard)
    rows = {row.expectation_id: row for row in scorecard.scores}
    for expectation_id, value in values.items():
        row = rows.get(expectation_id)
        if row is None:
            row = ScorecardScore(expectation_id=expectation_id)
            scorecard.scores.append(row)
        row.score = value.score
        row.evidence = value.evidence.strip()
    scorecard.updated_at = utcnow()
    db.session.flush()
    return scorecard


def submit_scorecard(
    candidacy: Candidacy, author: User, values: Mapping[int, ScoreValue] | None = None
) -> Scorecard:
    """Save the last changes and submit: every weighed expectation needs a score and its evidence.

    Once submitted the scorecard is final, the author sees the others' submitted scorecards for the
    candidate, and the interviews the author has held are marked done on the candidate's journey.
    """
    scorecard = save_draft(candidacy, author, values or {})
    rows = {row.expectation_id: row for row in scorecard.scores}
    for expectation_id in _weighed_ids(candidacy):
        row = rows.get(expectation_id)
        if row is None or row.score is None:
            raise VacancyError(
                f"score_{expectation_id}", _l("Give every expectation a score before submitting.")
            )
        if not row.evidence:
            raise VacancyError(
                f"evidence_{expectation_id}", _l("Write down the evidence you heard for each score.")
            )
    scorecard.submitted_at = utcnow()
    db.session.flush()
    refresh_matrix_facts(candidacy.vacancy, [candidacy.id])
    _complete_held_interviews(candidacy, author)
    logger.info("scorecard %s submitted for candidacy %s", scorecard.id, candidacy.id)
    return scorecard


def _complete_held_interviews(candidacy: Candidacy, author: User) -> None:
    """Mark the author's past interviews of the candidate done, and stop their scorecard reminders."""
    interviews = list(
        db.session.scalars(
            select(Interview)
            .join(Panelist, Panelist.interview_id == Interview.id)
            .where(
                Interview.candidacy_id == candidacy.id,
                Interview.cancelled_at.is_(None),
                Panelist.user_id == author.id,
            )
            .options(selectinload(Interview.panel), joinedload(Interview.activity))
        ).unique()
    )
    today = local_today()
    for interview in interviews:
        activity = interview.activity
        day = local_day(interview.starts_at)
        if (
            activity is not None
            and activity.completed_on is None
            and activity.cancelled_at is None
            and day <= today
        ):
            complete_activity(activity, day)
    if interviews:
        sync_interview_reminders(interviews)


def effective_scores(scorecard: Scorecard) -> dict[int, EffectiveScore]:
    """Each scored expectation of the scorecard as it counts now, with its original and amendments."""
    originals = {row.expectation_id: row for row in scorecard.scores}
    amendments: dict[int, list[ScorecardAmendment]] = {}
    for amendment in scorecard.amendments:
        amendments.setdefault(amendment.expectation_id, []).append(amendment)
    result = {}
    for expectation_id in originals.keys() | amendments.keys():
        original = originals.get(expectation_id)
        later = sorted(amendments.get(expectation_id, []), key=lambda a: a.id)
        latest = later[-1] if later else None
        result[expectation_id] = EffectiveScore(
            expectation_id,
            latest.score if latest else (original.score if original else None),
            # An amendment that only changes the score keeps the evidence written before it.
            next((a.evidence for a in reversed(later) if a.evidence), original.evidence if original else ""),
            original,
            later,
        )
    return result


def amend_scorecard(
    scorecard: Scorecard, author: User, changes: Mapping[int, ScoreValue], reason: str
) -> list[ScorecardAmendment]:
    """Give some expectations of a submitted scorecard a new score, with the reason; the original stays.

    Only its author amends it. A change to what already counts is refused as nothing to amend.
    """
    if scorecard.author_id != author.id:
        raise VacancyError("scores", _l("Only the interviewer who wrote the scorecard amends it."))
    if not scorecard.is_submitted:
        raise VacancyError(
            "scores", _l("A draft is changed directly; amendments are for submitted scorecards.")
        )
    _refuse_when_decided(scorecard.candidacy)
    reason = reason.strip()
    if not reason:
        raise VacancyError("reason", _l("Say why the score changes."))
    if len(reason) > REASON_MAX_LENGTH:
        raise VacancyError("reason", _l("At most %(num)d characters.", num=REASON_MAX_LENGTH))
    current = effective_scores(scorecard)
    allowed = set(_weighed_ids(scorecard.candidacy)) | set(current)
    if set(changes) - allowed:
        raise VacancyError("scores", _l("Score only the expectations the vacancy weighs."))
    added = []
    for expectation_id, value in changes.items():
        _check_value(expectation_id, value)
        if value.score is None:
            raise VacancyError(f"score_{expectation_id}", _l("An amendment gives a score from 1 to 5."))
        now = current.get(expectation_id)
        evidence = value.evidence.strip()
        if now is not None and now.score == value.score and (not evidence or evidence == now.evidence):
            continue
        if expectation_id not in {row.expectation_id for row in scorecard.scores}:
            # Weighed after the scorecard was submitted: it had no original score.
            scorecard.scores.append(ScorecardScore(expectation_id=expectation_id, score=None, evidence=""))
        amendment = ScorecardAmendment(
            scorecard=scorecard,
            expectation_id=expectation_id,
            score=value.score,
            evidence=evidence,
            reason=reason,
            author_id=author.id,
        )
        db.session.add(amendment)
        added.append(amendment)
    if not added:
        raise VacancyError("scores", _l("Change at least one score to amend the scorecard."))
    db.session.flush()
    refresh_matrix_facts(scorecard.candidacy.vacancy, [scorecard.candidacy_id])
    logger.info("scorecard %s amended (%d scores)", scorecard.id, len(added))
    return added


def scorecards_for(candidacy: Candidacy, visible: ColumnElement[bool]) -> list[Scorecard]:
    """The candidate's scorecards the caller may read (`policy.visible_scorecards_clause`), by author."""
    return list(
        db.session.scalars(
            select(Scorecard)
            .join(User, User.id == Scorecard.author_id)
            .where(Scorecard.candidacy_id == candidacy.id, visible)
            .options(
                joinedload(Scorecard.author),
                selectinload(Scorecard.scores),
                selectinload(Scorecard.amendments).joinedload(ScorecardAmendment.author),
            )
            .order_by(User.name, Scorecard.id)
        )
    )
