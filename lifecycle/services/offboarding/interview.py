"""The exit interview: per current pillar a score 1–5 and a comment, and the reason for leaving."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from lifecycle.enums import ActivityKind
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import ExitInterview
from lifecycle.models import ExitPillarScore
from lifecycle.models import ExitReason
from lifecycle.models import OffboardingChecklist
from lifecycle.models import Pillar
from lifecycle.models import User
from lifecycle.models.offboarding import COMMENT_MAX_LENGTH
from lifecycle.models.offboarding import SCORES
from lifecycle.services.activities import add_activity
from lifecycle.services.activities import complete_activity
from lifecycle.services.offboarding.checklist import close_if_complete
from lifecycle.services.offboarding.errors import OffboardingError
from lifecycle.services.platform import get_platform

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PillarAnswer:
    """How the support of one pillar worked: 1 (it failed) to 5 (it worked), and why."""

    score: int | None
    comment: str = ""


@dataclass(frozen=True)
class ExitInterviewValues:
    """What the interview says; pillars by key, as forms and the API give them."""

    held_on: date | None
    voluntary: bool
    regrettable: bool
    reason_code: str
    #: pillar key → answer; every current pillar of the platform needs one
    answers: Mapping[str, PillarAnswer]
    comment: str = ""


def interview_pillars() -> list[Pillar]:
    """Return the pillars the exit interview asks about: the platform's current ones, in order."""
    platform = get_platform()
    return [p for p in (platform.pillars if platform else []) if not p.is_retired]


def _checked_reason(code: str) -> ExitReason:
    reason = db.session.query(ExitReason).filter(ExitReason.code == code.strip()).one_or_none()
    if reason is None or reason.is_retired:
        raise OffboardingError("reason", _l("Choose a reason for leaving from the list."))
    return reason


def _checked_scores(values: ExitInterviewValues, pillars: list[Pillar]) -> list[ExitPillarScore]:
    unknown = sorted(set(values.answers) - {p.key for p in pillars})
    if unknown:
        raise OffboardingError("answers", _l("Unknown pillar: %(key)s.", key=unknown[0]))
    scores = []
    for pillar in pillars:
        answer = values.answers.get(pillar.key)
        if answer is None or answer.score not in SCORES:
            raise OffboardingError(f"{pillar.key}-score", _l("Give a score from 1 to 5."))
        if len(answer.comment.strip()) > COMMENT_MAX_LENGTH:
            raise OffboardingError(
                f"{pillar.key}-comment", _l("The comment is too long (at most 4000 characters).")
            )
        scores.append(ExitPillarScore(pillar=pillar, score=answer.score, comment=answer.comment.strip()))
    return scores


def record_exit_interview(
    checklist: OffboardingChecklist, values: ExitInterviewValues, actor: User | None, today: date
) -> ExitInterview:
    """Record the exit interview of a checklist once; it marks its task done and may close the journey."""
    if checklist.interview is not None:
        raise OffboardingError("held_on", _l("The exit interview is already recorded."))
    if checklist.completed_at is not None or checklist.manager.stage is not Stage.OFFBOARD:
        raise OffboardingError("held_on", _l("This offboarding is complete; its tasks no longer change."))
    if values.held_on is None:
        raise OffboardingError("held_on", _l("Give the date of the interview."))
    if values.held_on > today:
        raise OffboardingError("held_on", _l("The interview cannot be recorded before it is held."))
    if len(values.comment.strip()) > COMMENT_MAX_LENGTH:
        raise OffboardingError("comment", _l("The comment is too long (at most 4000 characters)."))
    pillars = interview_pillars()
    if not pillars:
        raise OffboardingError("answers", _l("Load the leadership platform first."))
    scores = _checked_scores(values, pillars)
    reason = _checked_reason(values.reason_code)
    manager = checklist.manager
    task = next(
        (t for t in checklist.tasks if t.kind is ActivityKind.EXIT_INTERVIEW and t.cancelled_at is None), None
    )
    if task is None:
        # HR's checklist had no exit interview task: the interview is still an activity on the journey.
        task = add_activity(
            kind=ActivityKind.EXIT_INTERVIEW,
            title=str(_l("Exit interview")),
            participants=[manager],
            pillars=pillars,
            actor=actor,
            stage=Stage.OFFBOARD,
        )
        task.offboarding_id = checklist.id
    elif {p.id for p in task.pillars} != {p.id for p in pillars}:
        # It asked about every current pillar, so it is tagged with every one.
        task.pillars = pillars
    complete_activity(task, values.held_on)
    interview = ExitInterview(
        checklist=checklist,
        manager_id=manager.id,
        activity_id=task.id,
        org_unit_id=manager.org_unit_id,
        left_on=manager.end_date or checklist.last_day,
        held_on=values.held_on,
        voluntary=values.voluntary,
        regrettable=values.regrettable,
        reason=reason,
        comment=values.comment.strip(),
        recorded_by=actor,
        scores=scores,
    )
    db.session.add(interview)
    db.session.flush()
    db.session.refresh(checklist, ["tasks", "interview"])
    logger.info("exit interview %s recorded for manager %s", interview.id, manager.id)
    close_if_complete(checklist, actor, today)
    return interview
