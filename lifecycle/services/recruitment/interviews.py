"""Interviews: scheduling one for a candidate, moving it, cancelling it; its activity and reminders in step.

An interview is the candidate's `Activity` (kind interview, stage recruit, dated the interview's day,
tagged with the vacancy's weighed expectations and their pillars) plus what the activity does not
hold: the time, the length, the place and the interviewers. Its reminders are its own (the interview
to each interviewer the working day before; "scorecard not submitted" the working day after), never
the activity's, which would go to the candidate and escalate to their line manager.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lifecycle.db import utcnow
from lifecycle.enums import ActivityKind
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import Pillar
from lifecycle.models import User
from lifecycle.models.interviews import MAX_MINUTES
from lifecycle.models.interviews import MIN_MINUTES
from lifecycle.models.interviews import Interview
from lifecycle.models.interviews import Panelist
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import CandidateStep
from lifecycle.models.recruitment import Vacancy
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.services.activities import add_activity
from lifecycle.services.activities import cancel_activity
from lifecycle.services.recruitment.vacancies import VacancyError
from lifecycle.services.reminders import sync_reminder_items
from lifecycle.timeutil import STOCKHOLM
from lifecycle.timeutil import local_today

logger = logging.getLogger(__name__)

LOCATION_MAX_LENGTH = 200
#: an interview is planned at most this far ahead, and recorded at most this far back
MAX_DAYS_AHEAD = 730
MAX_DAYS_BACK = 365
#: the vacancies whose candidates are interviewed
INTERVIEWING = (VacancyStatus.OPEN, VacancyStatus.INTERVIEWING)


@dataclass(frozen=True)
class InterviewValues:
    """When and where an interview is, and who interviews (None: the whole recruitment group)."""

    starts_at: datetime
    duration_minutes: int = 60
    location: str = ""
    interviewers: Sequence[User] | None = None


def panel_choices(vacancy: Vacancy) -> list[User]:
    """Who may interview for the vacancy: its recruitment group, and its hiring manager."""
    people = list(vacancy.interviewers)
    if vacancy.hiring_manager is not None and vacancy.hiring_manager not in people:
        people.append(vacancy.hiring_manager)
    return people


def _checked_panel(vacancy: Vacancy, values: InterviewValues) -> list[User]:
    allowed = panel_choices(vacancy)
    chosen = list(
        dict.fromkeys(values.interviewers if values.interviewers is not None else vacancy.interviewers)
    )
    if not chosen:
        raise VacancyError("interviewers", _l("Choose at least one interviewer from the recruitment group."))
    if any(person not in allowed for person in chosen):
        raise VacancyError(
            "interviewers", _l("Interviewers come from the recruitment group or are the hiring manager.")
        )
    if any(not person.is_enabled for person in chosen):
        raise VacancyError("interviewers", _l("An interviewer's user account is disabled."))
    return chosen


def _check_time(values: InterviewValues) -> None:
    if values.starts_at.tzinfo is None:
        raise ValueError("an interview's time must be timezone-aware")
    if not MIN_MINUTES <= values.duration_minutes <= MAX_MINUTES:
        raise VacancyError(
            "duration_minutes",
            _l("An interview lasts %(low)d to %(high)d minutes.", low=MIN_MINUTES, high=MAX_MINUTES),
        )
    if len(values.location.strip()) > LOCATION_MAX_LENGTH:
        raise VacancyError("location", _l("At most %(num)d characters.", num=LOCATION_MAX_LENGTH))
    if not 2000 <= values.starts_at.year <= 2999:  # year 1 or 9999 has no Stockholm day on either side
        raise VacancyError("starts_on", _l("Choose a day within a year back and two years ahead."))
    day = local_day(values.starts_at)
    today = local_today()
    if not today - timedelta(days=MAX_DAYS_BACK) <= day <= today + timedelta(days=MAX_DAYS_AHEAD):
        raise VacancyError("starts_on", _l("Choose a day within a year back and two years ahead."))


def local_day(moment: datetime) -> date:
    """The interview's day in Stockholm."""
    return moment.astimezone(STOCKHOLM).date()


def _tags(vacancy: Vacancy) -> tuple[list[Pillar], list[Expectation]]:
    """The pillars and expectations the interview assesses: the vacancy's weighed ones still current."""
    expectations = [w.expectation for w in vacancy.weights if not w.expectation.is_retired]
    pillars = list(
        dict.fromkeys(e.pillar for e in expectations if not e.pillar.is_retired),
    )
    if not pillars:
        raise VacancyError("starts_on", _l("Choose the expectations the vacancy weighs before interviewing."))
    pillars.sort(key=lambda p: p.position)
    return pillars, expectations


def _activity_title(vacancy: Vacancy) -> str:
    return str(_l("Interview: %(title)s", title=vacancy.title))[:200]


def sync_interview_reminders(interviews: Sequence[Interview]) -> None:
    """Bring the interviews' reminders (to each interviewer, and the scorecards owed) in line."""
    from lifecycle.services.reminders.sources.interviews import INTERVIEWS
    from lifecycle.services.reminders.sources.interviews import SCORECARDS

    db.session.flush()
    sync_reminder_items(
        {
            INTERVIEWS: [interview.id for interview in interviews],
            SCORECARDS: [seat.id for interview in interviews for seat in interview.panel],
        }
    )


def schedule_interview(candidacy: Candidacy, values: InterviewValues, actor: User | None) -> Interview:
    """Schedule an interview of the candidate; the candidate moves to the interview step if not there yet.

    The first interview of an open vacancy moves it to interviewing.
    """
    vacancy = candidacy.vacancy
    if vacancy.status not in INTERVIEWING:
        raise VacancyError(
            "starts_on", _l("Interviews are scheduled while the vacancy is open or interviewing.")
        )
    if candidacy.step not in CandidateStep.in_process():
        raise VacancyError("starts_on", _l("The decision about this candidate is made; no more interviews."))
    _check_time(values)
    panel = _checked_panel(vacancy, values)
    pillars, expectations = _tags(vacancy)
    activity = add_activity(
        kind=ActivityKind.INTERVIEW,
        title=_activity_title(vacancy),
        participants=[candidacy.manager],
        pillars=pillars,
        expectations=expectations,
        actor=actor,
        stage=Stage.RECRUIT,
        due_on=local_day(values.starts_at),
        remind=False,
    )
    interview = Interview(
        candidacy=candidacy,
        activity=activity,
        starts_at=values.starts_at,
        duration_minutes=values.duration_minutes,
        location=values.location.strip(),
        created_by_id=actor.id if actor else None,
        panel=[Panelist(user=person) for person in panel],
    )
    db.session.add(interview)
    if candidacy.step in (CandidateStep.APPLIED, CandidateStep.SCREENED):
        candidacy.step = CandidateStep.INTERVIEW
        candidacy.step_changed_at = utcnow()
    if vacancy.status is VacancyStatus.OPEN:
        vacancy.status = VacancyStatus.INTERVIEWING
    sync_interview_reminders([interview])
    logger.info("interview %s scheduled for candidacy %s", interview.id, candidacy.id)
    return interview


def reschedule_interview(interview: Interview, values: InterviewValues) -> None:
    """Move the interview, change its place or its interviewers; its activity and reminders follow."""
    if interview.is_cancelled:
        raise VacancyError("starts_on", _l("A cancelled interview is not moved; schedule a new one."))
    if interview.candidacy.step not in CandidateStep.in_process():
        raise VacancyError("starts_on", _l("The decision about this candidate is made; no more interviews."))
    _check_time(values)
    panel = _checked_panel(interview.candidacy.vacancy, values)
    interview.starts_at = values.starts_at
    interview.duration_minutes = values.duration_minutes
    interview.location = values.location.strip()
    kept = {seat.user_id: seat for seat in interview.panel}
    interview.panel = [kept.get(person.id) or Panelist(user=person) for person in panel]
    if interview.activity is not None and interview.activity.completed_on is None:
        interview.activity.due_on = local_day(values.starts_at)
    sync_interview_reminders([interview])
    logger.info("interview %s rescheduled", interview.id)


def cancel_interview(interview: Interview) -> None:
    """Cancel the interview; its activity is cancelled with it and its reminders stop."""
    if interview.is_cancelled:
        return
    interview.cancelled_at = utcnow()
    activity = interview.activity
    if activity is not None and activity.completed_on is None and activity.cancelled_at is None:
        cancel_activity(activity)
    sync_interview_reminders([interview])
    logger.info("interview %s cancelled", interview.id)


def interviews_of(candidacy: Candidacy) -> list[Interview]:
    """The candidate's interviews in time order, each with its interviewers."""
    return list(
        db.session.scalars(
            select(Interview)
            .where(Interview.candidacy_id == candidacy.id)
            .options(selectinload(Interview.panel).joinedload(Panelist.user))
            .order_by(Interview.starts_at, Interview.id)
        )
    )


def interview_of(candidacy: Candidacy, interview_id: int) -> Interview | None:
    return db.session.scalar(
        select(Interview)
        .where(Interview.id == interview_id, Interview.candidacy_id == candidacy.id)
        .options(selectinload(Interview.panel).joinedload(Panelist.user))
    )
