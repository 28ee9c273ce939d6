"""Anonymising people: their own rows blanked, their accounts shut, the free texts swept."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import selectinload

from lifecycle.append_only import erasure_window
from lifecycle.db import utcnow
from lifecycle.enums import ReminderStatus
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import ApiToken
from lifecycle.models import Candidacy
from lifecycle.models import DevelopmentPlan
from lifecycle.models import DevelopmentReview
from lifecycle.models import Interview
from lifecycle.models import Invitation
from lifecycle.models import Manager
from lifecycle.models import ManagerChange
from lifecycle.models import Mentorship
from lifecycle.models import Obstacle
from lifecycle.models import Panelist
from lifecycle.models import PasswordResetToken
from lifecycle.models import PlanComment
from lifecycle.models import PlanGoal
from lifecycle.models import Reminder
from lifecycle.models import ReviewAssessment
from lifecycle.models import RoleModel
from lifecycle.models import Scorecard
from lifecycle.models import ScorecardAmendment
from lifecycle.models import ScorecardScore
from lifecycle.models import StageTransition
from lifecycle.models import User
from lifecycle.models.activities import activity_participants
from lifecycle.models.offboarding import ExitInterview
from lifecycle.models.offboarding import ExitPillarScore
from lifecycle.models.talent_pool import TalentProfile
from lifecycle.models.users import new_session_token
from lifecycle.models.workshops import GroupGoal
from lifecycle.services.gdpr.export import event_row
from lifecycle.services.gdpr.export import record_events
from lifecycle.services.gdpr.sweep import PERSONAL_FIELDS
from lifecycle.services.gdpr.sweep import anonymised_email
from lifecycle.services.gdpr.sweep import anonymised_label
from lifecycle.services.gdpr.sweep import identifiers_of
from lifecycle.services.gdpr.sweep import removed_text
from lifecycle.services.gdpr.sweep import sweep_identifiers

logger = logging.getLogger(__name__)


def _blank(column: Any, where: ColumnElement[bool], replacement: str) -> None:
    """Replace the free text in `column` of the rows `where` selects (empty stays empty)."""
    filled = column.is_not(None) & (column != "") & (column != replacement)
    db.session.execute(
        update(column.class_).where(where, filled).values({column.key: replacement}),
        execution_options={"synchronize_session": False},
    )


def _erase_journey(manager_ids: list[int], user_ids: list[int], removed: str) -> None:
    """Erase the free texts written by or about the people; stages, dates, kinds and tags stay."""
    plans = select(DevelopmentPlan.id).where(DevelopmentPlan.manager_id.in_(manager_ids))
    reviews = select(DevelopmentReview.id).where(DevelopmentReview.plan_id.in_(plans))
    # Their own activities; a group activity's texts belong to every participant (the sweep removes
    # their name from it).
    alone = (
        select(activity_participants.c.activity_id)
        .group_by(activity_participants.c.activity_id)
        .having(func.count() == 1, func.max(activity_participants.c.manager_id).in_(manager_ids))
    )
    _blank(DevelopmentPlan.notes, DevelopmentPlan.id.in_(plans), removed)
    _blank(PlanGoal.title, PlanGoal.plan_id.in_(plans), removed)
    _blank(PlanGoal.description, PlanGoal.plan_id.in_(plans), removed)
    comments: ColumnElement[bool] = PlanComment.plan_id.in_(plans)
    if user_ids:
        comments = or_(comments, PlanComment.author_id.in_(user_ids))
    _blank(PlanComment.body, comments, removed)
    _blank(DevelopmentReview.next_steps, DevelopmentReview.id.in_(reviews), removed)
    _blank(ReviewAssessment.comment, ReviewAssessment.review_id.in_(reviews), removed)
    _blank(Activity.description, Activity.id.in_(alone), removed)
    _blank(Activity.responsible_note, Activity.id.in_(alone), removed)
    # Titles from HR's catalogue or an introduction template are HR's words, not about the person.
    own_title = and_(
        Activity.id.in_(alone), Activity.catalogue_item_id.is_(None), Activity.template_milestone_id.is_(None)
    )
    _blank(Activity.title, own_title, removed)
    _blank(StageTransition.reason, StageTransition.manager_id.in_(manager_ids), removed)
    # Their place in the talent pool (source, strengths, note, consent) has no use without them.
    db.session.execute(
        delete(TalentProfile).where(TalentProfile.manager_id.in_(manager_ids)),
        execution_options={"synchronize_session": False},
    )
    # The obstacles they reported stay in the log, in their unit, without them.
    db.session.execute(
        update(Obstacle).where(Obstacle.reporter_id.in_(manager_ids)).values(reporter_id=None),
        execution_options={"synchronize_session": False},
    )
    personal = and_(ManagerChange.manager_id.in_(manager_ids), ManagerChange.field.in_(PERSONAL_FIELDS))
    _blank(ManagerChange.old_value, personal, removed)
    _blank(ManagerChange.new_value, personal, removed)
    # An application's id in the recruitment system leads back to the person's record there.
    db.session.execute(
        update(Candidacy)
        .where(Candidacy.manager_id.in_(manager_ids), Candidacy.import_reference.is_not(None))
        .values(import_reference=None),
        execution_options={"synchronize_session": False},
    )
    # What interviewers wrote about them as a candidate: the evidence and the amendments' reasons.
    candidacies = select(Candidacy.id).where(Candidacy.manager_id.in_(manager_ids))
    scorecards = select(Scorecard.id).where(Scorecard.candidacy_id.in_(candidacies))
    _blank(ScorecardScore.evidence, ScorecardScore.scorecard_id.in_(scorecards), removed)
    _blank(ScorecardAmendment.evidence, ScorecardAmendment.scorecard_id.in_(scorecards), removed)
    _blank(ScorecardAmendment.reason, ScorecardAmendment.scorecard_id.in_(scorecards), removed)
    interviews = select(Interview.id).where(Interview.candidacy_id.in_(candidacies))
    # -- mentoring: they are no longer a role model; their mentorships end, and what was agreed goes.
    db.session.execute(
        delete(RoleModel).where(RoleModel.manager_id.in_(manager_ids)),
        execution_options={"synchronize_session": False},
    )
    theirs = or_(Mentorship.mentor_id.in_(manager_ids), Mentorship.mentee_id.in_(manager_ids))
    db.session.execute(
        update(Mentorship).where(theirs, Mentorship.ended_at.is_(None)).values(ended_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    _blank(Mentorship.goals, theirs, removed)
    _blank(Mentorship.ended_reason, theirs, removed)
    mentorships = select(Mentorship.id).where(theirs)
    # -- offboarding: what they said in the exit interview goes; the scores, reason and unit stay as
    # statistics
    exits = select(ExitInterview.id).where(ExitInterview.manager_id.in_(manager_ids))
    _blank(ExitInterview.comment, ExitInterview.id.in_(exits), removed)
    _blank(ExitPillarScore.comment, ExitPillarScore.interview_id.in_(exits), removed)
    # E-mails waiting to go to them or about their items are cancelled; what they would have said goes.
    waiting = [
        Reminder.mentorship_id.in_(mentorships),
        Reminder.review_id.in_(reviews),
        Reminder.activity_id.in_(alone),
        Reminder.interview_id.in_(interviews),
        Reminder.panelist_id.in_(select(Panelist.id).where(Panelist.interview_id.in_(interviews))),
        # -- workshops ----
        Reminder.group_goal_id.in_(select(GroupGoal.id).where(GroupGoal.owner_id.in_(manager_ids))),
    ]
    if user_ids:
        waiting.append(Reminder.recipient_id.in_(user_ids))
    db.session.execute(
        update(Reminder)
        .where(Reminder.status == ReminderStatus.PENDING, or_(*waiting))
        .values(status=ReminderStatus.CANCELLED, lease_until=None, last_error=None, message_id=None),
        execution_options={"synchronize_session": False},
    )
    if user_ids:
        # An SMTP error about their mailbox quotes their address.
        db.session.execute(
            update(Reminder)
            .where(Reminder.recipient_id.in_(user_ids), Reminder.last_error.is_not(None))
            .values(last_error=None),
            execution_options={"synchronize_session": False},
        )


def _erase_accounts(accounts: Sequence[tuple[User, str]], removed: str, now: datetime) -> None:
    """Disable the accounts for good: sessions end, no password, tokens revoked, no personal data left."""
    for user, label in accounts:
        user.name = label
        user.email = anonymised_email(user.id)
        user.is_enabled = False
        user.session_token = new_session_token()
        user.password_hash = None
        user.calendar_token = None
        user.anonymised_at = now
    user_ids = [user.id for user, _label in accounts]
    if not user_ids:
        return
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id.in_(user_ids), ApiToken.revoked_at.is_(None))
        .values(revoked_at=now),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        update(ApiToken).where(ApiToken.user_id.in_(user_ids)).values(name=removed),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        delete(PasswordResetToken).where(PasswordResetToken.user_id.in_(user_ids)),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        delete(Invitation).where(Invitation.user_id.in_(user_ids)),
        execution_options={"synchronize_session": False},
    )


def _claim(manager_ids: Sequence[int], now: datetime) -> list[Manager]:
    """Mark the people anonymised in one statement; return those this transaction got, freshly read.

    The UPDATE locks each row and checks `anonymised_at` again under the lock, so of two transactions
    anonymising the same person (a double click, two HR users, HR and the retention job) exactly one
    changes the row; the other waits for it to commit, then finds it taken and does nothing.
    """
    managers = db.metadata.tables["managers"]
    claimed = list(
        db.session.execute(
            update(managers)
            .where(managers.c.id.in_(manager_ids), managers.c.anonymised_at.is_(None))
            .values(anonymised_at=now)
            .returning(managers.c.id)
        ).scalars()
    )
    if not claimed:
        return []
    # Read them again now that their rows are ours (a name changed meanwhile is swept too), with their
    # accounts in one query rather than one per person.
    return list(
        db.session.scalars(
            select(Manager)
            .where(Manager.id.in_(claimed))
            .options(selectinload(Manager.user))
            .order_by(Manager.id)
            .execution_options(populate_existing=True)
        )
    )


def anonymise_people(
    managers: Sequence[Manager], actor: User | None, source: str = "web", **detail: Any
) -> list[int]:
    """Anonymise several people in one transaction (one sweep for all); return the ids anonymised.

    See `anonymise_person`; people already anonymised, or being anonymised by another transaction, are
    skipped.
    """
    candidates = sorted({manager.id for manager in managers if manager.anonymised_at is None})
    if not candidates:
        return []
    # Their pending changes are audited as usual before the erasure begins.
    db.session.flush()
    now = utcnow()
    people = _claim(candidates, now)
    if not people:
        return []
    removed = removed_text()
    accounts = [
        (manager, manager.user if manager.user is not None and manager.user.anonymised_at is None else None)
        for manager in people
    ]
    identifiers = identifiers_of(accounts)
    manager_ids = [manager.id for manager in people]
    user_ids = [user.id for _manager, user in accounts if user is not None]
    with erasure_window(db.session()):
        _erase_journey(manager_ids, user_ids, removed)
        for manager in people:
            manager.name = anonymised_label(manager.id)
            manager.email = None
            manager.employee_number = None
            manager.title = None
        record_events([event_row("anonymise", actor, manager, None, source, **detail) for manager in people])
        _erase_accounts(
            [(user, anonymised_label(manager.id)) for manager, user in accounts if user is not None],
            removed,
            now,
        )
        db.session.flush()
        sweep_identifiers(identifiers, removed)
    # Core statements changed rows behind the session's back: read them again.
    db.session.expire_all()
    logger.info("anonymised managers %s", ",".join(str(i) for i in manager_ids))
    return manager_ids


def anonymise_person(manager: Manager, actor: User | None, source: str = "web") -> bool:
    """Erase the person's personal data and keep what statistics need; False if already anonymised.

    Their name becomes a neutral label and their e-mail, employee number and title are cleared; the free
    texts written by or about them (plan notes, goals, comments on their plan and comments they wrote,
    review next steps and assessment comments, their own activities' descriptions, notes and titles,
    the reasons in their history, the old and new values of their personal details in the change log)
    become "[removed]"; their account is disabled with its sessions ended, password, calendar address
    and reset links gone and API tokens revoked; e-mails waiting to go to them or about their items
    are cancelled. Finally the free-text columns that may mention a person (`SWEPT_COLUMNS`: someone
    else's comment or note, a reason, an error message, an imported file) are swept for their full name
    and e-mail address, and for their employee number where it stands next to those or alone in
    imported data; nobody else's words change otherwise.

    The person is claimed with one atomic UPDATE first, so when two requests (or HR and the retention
    job) anonymise them at once, only one does the work and records the event.

    Stages, dates, activity kinds, pillar tags, completions, pillar coverage and assessment scores stay,
    so statistics and pillar counts do not change. One audit event records it. The service flushes;
    the caller commits.
    """
    return bool(anonymise_people([manager], actor, source))
