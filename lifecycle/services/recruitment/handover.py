"""The hand-over: a hired candidate becomes a new manager in the introduce stage.

One verb, `hand_over`, in the caller's transaction: the candidacy is hired (if it was not yet), the
vacancy decided, the person moves to introduce (recruit → introduce for a candidate from outside or the
pool, develop → introduce for a manager in post taking a new assignment; the history keeps both),
their unit becomes the vacancy's and their line manager the hiring manager's manager record, the
introduction programme is launched for the start date, an account invitation is written, and a goal is
proposed in their development plan for each expectation the recruitment group scored lowest.

It flushes and never commits; the invitation's e-mail is queued by the caller after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta

from flask import current_app
from flask_babel import LazyString
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lifecycle.db import utcnow
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.i18n import BABEL_LOCALES
from lifecycle.models import Expectation
from lifecycle.models import IntroductionLaunch
from lifecycle.models import Invitation
from lifecycle.models import Manager
from lifecycle.models import PlanGoal
from lifecycle.models import StageTransition
from lifecycle.models import User
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import CandidateStep
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.notifications import recipient_locale
from lifecycle.services.invitations import InvitationError
from lifecycle.services.invitations import invite
from lifecycle.services.journey import StageMoveError
from lifecycle.services.journey import move_to_stage
from lifecycle.services.managers import ChangeSet
from lifecycle.services.managers import ManagerDetailsError
from lifecycle.services.managers import update_manager
from lifecycle.services.plan_proposals import propose_goals
from lifecycle.services.plans import ensure_plan
from lifecycle.services.recruitment.decision import decision_of
from lifecycle.services.recruitment.decision import record_decision
from lifecycle.services.recruitment.matrix import lowest_scored_expectations
from lifecycle.services.recruitment.vacancies import VacancyError
from lifecycle.timeutil import STOCKHOLM

logger = logging.getLogger(__name__)

#: how many first goals the hand-over proposes: one per expectation the group scored lowest
PROPOSED_GOALS = 2

#: the steps from which a candidate is handed over: the offer made, or the decision to hire taken
HANDED_OVER_FROM = (CandidateStep.OFFER, CandidateStep.HIRED)
#: the vacancies whose candidates can still be hired
HIRING = (VacancyStatus.OPEN, VacancyStatus.INTERVIEWING, VacancyStatus.DECIDED)
#: the stages a hire leaves for introduce: a candidate's, and a manager's in post (a new assignment)
LEAVING_FOR_INTRODUCE = (Stage.RECRUIT, Stage.DEVELOP)
#: a start further away than this is a typing error, not a plan
LONGEST_WAIT = timedelta(days=366)
#: where the new manager's changed details came from (`ManagerChange.source`)
CHANGE_SOURCE = "recruitment"


class HandOverError(VacancyError):
    """The hand-over is refused; `field` names what to fix (candidacy, vacancy, start_on, hiring_manager,
    reason)."""


@dataclass(frozen=True)
class HandOver:
    """What the hand-over did."""

    candidacy: Candidacy
    #: the move to introduce, in the history next to the person's earlier moves
    transition: StageTransition
    #: the introduction programme launched for the start date; None when HR has no default programme
    launch: IntroductionLaunch | None
    #: the account invitation to e-mail after the commit; None when none is needed or possible
    invitation: Invitation | None
    #: why no invitation was written, when the person cannot log in yet and none could be
    invitation_refused: LazyString | None
    proposed_goals: list[PlanGoal] = field(default_factory=list)


def proposed_expectations(candidacy: Candidacy) -> list[Expectation]:
    """The expectations the recruitment group scored lowest for the candidate: the goals to propose."""
    return lowest_scored_expectations(candidacy, limit=PROPOSED_GOALS)


def decision_date(candidacy: Candidacy) -> date:
    """The day the candidate was hired (in Stockholm); the start cannot be before it."""
    return candidacy.step_changed_at.astimezone(STOCKHOLM).date()


def _check(candidacy: Candidacy) -> None:
    vacancy = candidacy.vacancy
    person = candidacy.manager
    if candidacy.starts_on is not None:
        raise HandOverError(
            "candidacy",
            _l(
                "%(name)s is already handed over to introduction, starting on %(date)s.",
                name=person.name,
                date=candidacy.starts_on.isoformat(),
            ),
        )
    if candidacy.step is CandidateStep.NOT_SELECTED:
        raise HandOverError(
            "candidacy",
            _l("%(name)s is not selected for this vacancy and cannot be hired.", name=person.name),
        )
    if candidacy.step not in HANDED_OVER_FROM:
        raise HandOverError(
            "candidacy", _l("Only a candidate who has been made an offer, or is hired, can be handed over.")
        )
    if vacancy.status not in HIRING:
        raise HandOverError(
            "vacancy",
            _l(
                "The vacancy is %(status)s: nobody can be hired for it.",
                status=str(vacancy.status.title).lower(),
            ),
        )
    if person.anonymised_at is not None or person.stage not in LEAVING_FOR_INTRODUCE:
        raise HandOverError(
            "candidacy",
            _l(
                "%(name)s is at %(stage)s; only a candidate (recruit) or a manager in post (retain and "
                "develop) moves to introduction. A manager still in their introduction finishes it first.",
                name=person.name,
                stage=str(person.stage.title).lower(),
            ),
        )


def _line_manager(candidacy: Candidacy) -> Manager:
    """The hiring manager's own manager record: the new manager reports to it."""
    hiring_manager = candidacy.vacancy.hiring_manager
    if hiring_manager is None:
        raise HandOverError(
            "hiring_manager",
            _l("The vacancy has no hiring manager. Choose one on the vacancy: they become the line manager."),
        )
    line_manager = hiring_manager.manager
    if line_manager is None or line_manager.stage in (Stage.CLOSED, Stage.OFFBOARD):
        raise HandOverError(
            "hiring_manager",
            _l(
                "The hiring manager %(name)s is not on the journey as a manager, so they cannot be the line "
                "manager. Link their user account to their manager record first, or choose another hiring "
                "manager.",
                name=hiring_manager.name,
            ),
        )
    if line_manager.id == candidacy.manager_id:
        raise HandOverError("hiring_manager", _l("A manager cannot be their own line manager."))
    return line_manager


def _check_start(candidacy: Candidacy, start_on: date) -> None:
    decided_on = decision_date(candidacy)
    if start_on < decided_on:
        raise HandOverError(
            "start_on",
            _l("The start date cannot be before the decision (%(date)s).", date=decided_on.isoformat()),
        )
    if start_on > decided_on + LONGEST_WAIT:
        raise HandOverError("start_on", _l("The start date can be at most a year after the decision."))


def _writing_locale(person: Manager) -> str:
    """The language the person's proposed goals are written in: their account's, else the default."""
    if person.user is not None:
        return recipient_locale(person.user)
    return BABEL_LOCALES.get(current_app.config["BABEL_DEFAULT_LOCALE"], "sv")


def _invite(person: Manager, by: User | None) -> tuple[Invitation | None, LazyString | None]:
    """Invite the new manager unless their account already logs in; a refusal is told, not raised."""
    if person.user is not None and person.user.password_hash is not None and person.user.is_enabled:
        return None, None
    try:
        return invite(person, by), None
    except InvitationError as refused:
        logger.info("manager %s handed over without an invitation", person.id)
        return None, refused.message


def hand_over_decides(candidacy: Candidacy) -> bool:
    """Whether handing the candidate over is also the decision (from the offer, before any decision),
    and so needs its reason."""
    return candidacy.step is not CandidateStep.HIRED and decision_of(candidacy.vacancy) is None


def _decide(candidacy: Candidacy, reason: str, by: User | None) -> None:
    """Record the hiring decision with its reason when the hand-over is the decision (from the offer)."""
    try:
        record_decision(candidacy.vacancy, candidacy, reason, by)
    except VacancyError as refused:
        field = "reason" if refused.field == "reason" else "candidacy"
        raise HandOverError(field, refused.args[0]) from refused


def hand_over(
    candidacy: Candidacy,
    start_on: date,
    proposed_expectations: Sequence[Expectation],
    by: User | None,
    *,
    reason: str = "",
) -> HandOver:
    """Hire the candidate and hand them over to introduction, starting on `start_on`.

    Hiring straight from the offer step, before any decision for the vacancy, is the decision: it is
    recorded with `reason` (required then), as the decision page would.

    `proposed_expectations` are the expectations the recruitment group scored lowest: each becomes a
    proposed goal in the plan whose period holds the start date. Refused with a `HandOverError` naming
    the field: a candidate not selected, not yet made an offer or already handed over; a vacancy that is
    not open for hiring; a start before the decision or over a year after it; a hiring manager who
    cannot be the line manager. Nothing is changed by a refusal that the caller rolls back.
    """
    _check(candidacy)
    line_manager = _line_manager(candidacy)
    if hand_over_decides(candidacy):
        _decide(candidacy, reason, by)
    if candidacy.step is not CandidateStep.HIRED:
        candidacy.step = CandidateStep.HIRED
        candidacy.step_changed_at = utcnow()
    _check_start(candidacy, start_on)
    vacancy = candidacy.vacancy
    person = candidacy.manager
    from_stage = person.stage
    candidacy.starts_on = start_on
    if vacancy.status is not VacancyStatus.DECIDED:
        vacancy.status = VacancyStatus.DECIDED
    try:
        # The start date first: entering introduce launches the default programme from it.
        update_manager(
            person,
            ChangeSet(
                {
                    "org_unit_id": vacancy.org_unit_id,
                    "line_manager_id": line_manager.id,
                    "start_date": start_on,
                }
            ),
            actor=by,
            source=CHANGE_SOURCE,
        )
        # The ids changed: the programme's milestones read the line manager through the relationship.
        db.session.expire(person, ["line_manager", "org_unit"])
        transition = move_to_stage(
            person,
            Stage.INTRODUCE,
            actor=by,
            reason=str(_l("Hired as %(title)s", title=vacancy.title)),
            effective_date=max(decision_date(candidacy), person.stage_entered_on),
        )
    except ManagerDetailsError as refused:
        raise HandOverError("hiring_manager", str(refused)) from refused
    except StageMoveError as refused:
        raise HandOverError("start_on", str(refused)) from refused
    # The programme the move launched (an earlier assignment's launches are older than the move).
    launch = db.session.scalar(
        select(IntroductionLaunch)
        .where(
            IntroductionLaunch.manager_id == person.id,
            IntroductionLaunch.launched_at >= transition.recorded_at,
        )
        .order_by(IntroductionLaunch.id.desc())
        .limit(1)
    )
    invitation, invitation_refused = _invite(person, by)
    with force_locale(_writing_locale(person)):
        goals = propose_goals(ensure_plan(person, start_on), proposed_expectations, candidacy)
    db.session.flush()
    logger.info(
        "candidacy %s handed over: manager %s %s -> introduce, starting %s",
        candidacy.id,
        person.id,
        from_stage.value,
        start_on,
    )
    return HandOver(
        candidacy=candidacy,
        transition=transition,
        launch=launch,
        invitation=invitation,
        invitation_refused=invitation_refused,
        proposed_goals=goals,
    )
