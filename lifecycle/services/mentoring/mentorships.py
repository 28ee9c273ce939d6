"""Mentorships: HR starts one between a role model and a mentee, meetings are logged, and it ends.

A mentorship runs from `starts_on` to `ends_on` unless it is ended early. While it runs, the mentor
reads the mentee's plan (lifecycle/policy.py); a meeting is an activity of kind mentoring for the
mentee, with the mentor responsible, tagged with the pillars and expectations it built; and a period
of `cadence_weeks` without a meeting reminds both (services/reminders/sources/mentorships.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lifecycle.db import utcnow
from lifecycle.enums import ActivityKind
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import Manager
from lifecycle.models import User
from lifecycle.models.mentoring import MAX_CADENCE_WEEKS
from lifecycle.models.mentoring import Mentorship
from lifecycle.services.activities import ActivityError
from lifecycle.services.activities import add_activity
from lifecycle.services.activities import resolve_tags
from lifecycle.services.managers import ChangeSet
from lifecycle.services.managers import update_manager
from lifecycle.services.mentoring.errors import MentoringError
from lifecycle.services.mentoring.queries import active_role_model_of
from lifecycle.services.mentoring.queries import in_own_line
from lifecycle.services.mentoring.queries import in_progress_clause
from lifecycle.services.mentoring.queries import in_progress_count
from lifecycle.services.mentoring.role_models import checked_text
from lifecycle.services.reminders import sync_reminders_for
from lifecycle.timeutil import local_today

logger = logging.getLogger(__name__)

TITLE_MAX_LENGTH = 200
IN_POST = (Stage.INTRODUCE, Stage.DEVELOP)


def _refuse_unfit(mentor: Manager, mentee: Manager, starts_on: date, ends_on: date, today: date) -> None:
    if mentee.anonymised_at is not None or mentee.stage not in IN_POST:
        raise MentoringError("mentee", _l("Only a manager in post can be mentored."))
    if mentor.id == mentee.id:
        raise MentoringError("mentor", _l("A manager cannot mentor themselves."))
    role_model = active_role_model_of(mentor.id)
    if role_model is None or mentor.anonymised_at is not None or mentor.stage not in IN_POST:
        raise MentoringError("mentor", _l("The mentor must be a role model in post."))
    if in_own_line(mentee.id, mentor.id):
        raise MentoringError(
            "mentor", _l("%(name)s is in the mentee's own line of management.", name=mentor.name)
        )
    if in_progress_count(mentor.id, min(starts_on, today)) >= role_model.capacity:
        raise MentoringError(
            "mentor", _l("%(name)s already has as many mentees as they take at once.", name=mentor.name)
        )
    overlapping = db.session.scalar(
        select(Mentorship.id).where(
            Mentorship.mentee_id == mentee.id,
            in_progress_clause(today),
            Mentorship.starts_on <= ends_on,
            Mentorship.ends_on >= starts_on,
        )
    )
    if overlapping is not None:
        raise MentoringError(
            "starts_on", _l("The mentee already has a mentorship in progress in that period.")
        )


def start_mentorship(
    *,
    mentor: Manager,
    mentee: Manager,
    starts_on: date,
    ends_on: date,
    goals: str,
    cadence_weeks: int,
    actor: User | None,
) -> Mentorship:
    """Start (or agree to start) a mentorship; refused at the field for a mentor at capacity, one in
    the mentee's own line, an overlapping mentorship of the mentee, or bad dates, goals or cadence.

    A mentee with no mentor named on their record gets this one: the introduction checklist's
    "mentor" tasks go to them.
    """
    today = local_today()
    if ends_on <= starts_on:
        raise MentoringError("ends_on", _l("The end date must be after the start date."))
    if ends_on < today:
        raise MentoringError("ends_on", _l("The end date has passed."))
    if not 1 <= cadence_weeks <= MAX_CADENCE_WEEKS:
        raise MentoringError("cadence_weeks", _l("Meet every 1 to %(limit)d weeks.", limit=MAX_CADENCE_WEEKS))
    agreed = checked_text("goals", goals)
    if not agreed:
        raise MentoringError("goals", _l("Write what the mentorship is to work on."))
    _refuse_unfit(mentor, mentee, starts_on, ends_on, today)
    mentorship = Mentorship(
        mentor=mentor,
        mentee=mentee,
        starts_on=starts_on,
        ends_on=ends_on,
        goals=agreed,
        cadence_weeks=cadence_weeks,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(mentorship)
    db.session.flush()
    if mentee.mentor_id is None:
        update_manager(mentee, ChangeSet({"mentor_id": mentor.id}), actor, source="mentorship")
    sync_reminders_for(mentorship)
    logger.info("mentorship %s started: mentor %s, mentee %s", mentorship.id, mentor.id, mentee.id)
    return mentorship


def log_meeting(
    mentorship: Mentorship,
    *,
    held_on: date,
    title: str,
    pillar_keys: Iterable[str],
    expectation_keys: Iterable[str],
    notes: str = "",
    actor: User | None,
) -> Activity:
    """Record a meeting as a completed mentoring activity of the mentee, tagged with what it built."""
    if mentorship.ended_at is not None:
        raise MentoringError("held_on", _l("The mentorship has ended."))
    if not mentorship.starts_on <= held_on <= mentorship.ends_on:
        raise MentoringError("held_on", _l("The meeting must be within the mentorship's period."))
    if held_on > local_today():
        raise MentoringError("held_on", _l("The meeting date cannot be in the future."))
    if len(title.strip()) > TITLE_MAX_LENGTH:
        raise MentoringError("title", _l("Write at most %(limit)d characters.", limit=TITLE_MAX_LENGTH))
    description = checked_text("notes", notes)
    try:
        pillars, expectations = resolve_tags(pillar_keys, expectation_keys)
    except ActivityError as refused:
        raise MentoringError(refused.field, refused.args[0]) from refused
    mentor = mentorship.mentor
    activity = add_activity(
        kind=ActivityKind.MENTORING,
        title=title.strip() or str(_l("Mentoring meeting")),
        participants=[mentorship.mentee],
        pillars=pillars,
        expectations=expectations,
        actor=actor,
        description=description,
        completed_on=held_on,
        responsible=mentor.user,
        responsible_note="" if mentor.user is not None else mentor.name,
    )
    activity.mentorship_id = mentorship.id
    db.session.flush()
    sync_reminders_for(mentorship)
    return activity


def end_mentorship(mentorship: Mentorship, *, reason: str, actor: User | None) -> None:
    """End a mentorship now: the mentor no longer reads the plan, and its reminders stop."""
    if mentorship.ended_at is not None:
        raise MentoringError("reason", _l("The mentorship has already ended."))
    mentorship.ended_reason = checked_text("reason", reason)
    mentorship.ended_at = utcnow()
    db.session.flush()
    sync_reminders_for(mentorship)
    logger.info("mentorship %s ended", mentorship.id)
