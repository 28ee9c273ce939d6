"""Recruitment interviews: to each interviewer the working day before the interview, and "scorecard not
submitted" from the working day after it, escalated to the vacancy's HR partner.

Two sources. An interview (prefix "interview") reminds its panel. A panel seat (prefix "scorecard",
one interviewer at one interview) reminds its interviewer until their scorecard for the candidate is
submitted. Neither goes to the candidate, nor to the candidate's line manager (an internal candidate's
application is theirs to tell). The e-mail names the interview and the candidate, never a score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import exists
from sqlalchemy import select
from sqlalchemy.orm import aliased

from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import Reminder
from lifecycle.models import User
from lifecycle.models.interviews import Interview
from lifecycle.models.interviews import Panelist
from lifecycle.models.interviews import Scorecard
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import CandidateStep
from lifecycle.models.recruitment import Vacancy
from lifecycle.services.reminders.rules import ReminderKind
from lifecycle.services.reminders.sources import ItemFacts
from lifecycle.services.reminders.sources import ItemSummary
from lifecycle.services.reminders.sources import Occasion
from lifecycle.services.reminders.sources import ReminderSource
from lifecycle.services.reminders.sources import is_live
from lifecycle.services.reminders.sources import is_reachable
from lifecycle.services.workdays import next_working_day
from lifecycle.timeutil import STOCKHOLM

# Built once: a new alias on every call would cost SQLAlchemy a fresh adaptation (and its statement cache).
_PANEL_USER = aliased(User, name="panel_user")
_PANEL_OWN = aliased(Manager, name="panel_manager")
_PARTNER = aliased(User, name="vacancy_partner")
_PARTNER_OWN = aliased(Manager, name="vacancy_partner_manager")

_SUBMITTED = (
    exists()
    .where(
        Scorecard.candidacy_id == Interview.candidacy_id,
        Scorecard.author_id == Panelist.user_id,
        Scorecard.submitted_at.is_not(None),
    )
    .correlate(Interview, Panelist)
)


#: what both sources read of an interview, its candidacy and one of its interviewers
_INTERVIEW_COLUMNS = (
    Interview.starts_at,
    Interview.cancelled_at,
    Interview.candidacy_id,
    Candidacy.manager_id,
    Candidacy.step,
    Candidacy.vacancy_id,
    Vacancy.title.label("vacancy_title"),
    Panelist.user_id,
    _PANEL_USER.is_enabled.label("user_enabled"),
    _PANEL_OWN.stage.label("user_stage"),
)


Rows = Select[*tuple[Any, ...]]


def _with_candidacy_and_interviewer(query: Rows) -> Rows:
    """The query (of interviews joined to their panel) joined to what `_INTERVIEW_COLUMNS` reads."""
    return (
        query.join(Candidacy, Candidacy.id == Interview.candidacy_id)
        .join(Vacancy, Vacancy.id == Candidacy.vacancy_id)
        .outerjoin(_PANEL_USER, _PANEL_USER.id == Panelist.user_id)
        .outerjoin(_PANEL_OWN, _PANEL_OWN.user_id == Panelist.user_id)
    )


def _about(
    query: Select[Any], manager_ids: Sequence[int], conditions: Sequence[ColumnElement[bool]]
) -> list[int]:
    """The ids the query selects of the open items about these candidates."""
    return list(
        db.session.scalars(
            query.join(Candidacy, Candidacy.id == Interview.candidacy_id).where(
                Candidacy.manager_id.in_(manager_ids), *conditions
            )
        )
    )


def _page(item: Any) -> tuple[str, dict[str, int]]:
    return "recruitment.candidate", {"vacancy_id": item.vacancy_id, "candidacy_id": item.candidacy_id}


def _interview_title(item: Any) -> Any:
    time = item.starts_at.astimezone(STOCKHOLM).strftime("%H:%M")
    return _l("Interview at %(time)s, %(vacancy)s", time=time, vacancy=item.vacancy_title)


@dataclass
class LoadedInterview:
    row: Any
    #: the interviewers' user ids
    panel: list[int] = field(default_factory=list)

    @property
    def day(self) -> date:
        day: date = self.row.starts_at.astimezone(STOCKHOLM).date()
        return day


class InterviewSource(ReminderSource[LoadedInterview]):
    def load(self, ids: Sequence[int], facts: ItemFacts) -> set[int]:
        items = self.items(facts)
        for row in db.session.execute(
            _with_candidacy_and_interviewer(
                select(Interview.id, *_INTERVIEW_COLUMNS).outerjoin(
                    Panelist, Panelist.interview_id == Interview.id
                )
            ).where(Interview.id.in_(ids))
        ):
            # One row per interviewer: the interview's own columns are the same on each.
            item = items.setdefault(row.id, LoadedInterview(row))
            if row.user_id is not None:
                item.panel.append(row.user_id)
                if is_reachable(row.user_id, row.user_enabled, row.user_stage):
                    facts.reachable.add(row.user_id)
        return {item.row.manager_id for item in items.values()}

    def occasion(self, item: LoadedInterview, facts: ItemFacts) -> Occasion | None:
        row = item.row
        person = facts.people.get(row.manager_id)
        if row.cancelled_at is not None or row.step not in CandidateStep.in_process():
            return None
        if person is None or not is_live(person):
            return None
        return Occasion(item.day, ReminderKind.INTERVIEW, first=item.panel, escalate=[])

    def summary(self, row: Any, item: LoadedInterview, facts: ItemFacts) -> ItemSummary:
        person = facts.people.get(item.row.manager_id)
        endpoint, values = _page(item.row)
        return ItemSummary(
            row.id,
            row.occurrence,
            _interview_title(item.row),
            person.name if person else "",
            item.day,
            endpoint,
            values,
            page=(endpoint, values),
        )

    def open_items_of(self, manager_ids: Sequence[int]) -> list[int]:
        return _about(select(Interview.id), manager_ids, self.open_conditions)


INTERVIEWS = InterviewSource(
    prefix="interview",
    model=Interview,
    id_column=Interview.id,
    column=Reminder.interview_id,
    open_conditions=(Interview.cancelled_at.is_(None),),
)


class ScorecardSource(ReminderSource[Any]):
    def load(self, ids: Sequence[int], facts: ItemFacts) -> set[int]:
        items = self.items(facts)
        for row in db.session.execute(
            _with_candidacy_and_interviewer(
                select(
                    Panelist.id,
                    *_INTERVIEW_COLUMNS,
                    Vacancy.hr_partner_id,
                    _SUBMITTED.label("submitted"),
                    _PARTNER.is_enabled.label("partner_enabled"),
                    _PARTNER_OWN.stage.label("partner_stage"),
                ).join(Interview, Interview.id == Panelist.interview_id)
            )
            .outerjoin(_PARTNER, _PARTNER.id == Vacancy.hr_partner_id)
            .outerjoin(_PARTNER_OWN, _PARTNER_OWN.user_id == Vacancy.hr_partner_id)
            .where(Panelist.id.in_(ids))
        ):
            items[row.id] = row
            if is_reachable(row.user_id, row.user_enabled, row.user_stage):
                facts.reachable.add(row.user_id)
            if is_reachable(row.hr_partner_id, row.partner_enabled, row.partner_stage):
                facts.reachable.add(row.hr_partner_id)
        return {row.manager_id for row in items.values()}

    @staticmethod
    def due_on(item: Any) -> date:
        """The working day after the interview: the scorecard is written while the interview is fresh."""
        return next_working_day(item.starts_at.astimezone(STOCKHOLM).date() + timedelta(days=1))

    def occasion(self, item: Any, facts: ItemFacts) -> Occasion | None:
        person = facts.people.get(item.manager_id)
        if item.cancelled_at is not None or item.submitted or item.step not in CandidateStep.in_process():
            return None
        if person is None or not is_live(person):
            return None
        return Occasion(
            self.due_on(item), ReminderKind.SCORECARD, first=[item.user_id], escalate=[item.hr_partner_id]
        )

    def summary(self, row: Any, item: Any, facts: ItemFacts) -> ItemSummary:
        person = facts.people.get(item.manager_id)
        endpoint, values = _page(item)
        return ItemSummary(
            row.id,
            row.occurrence,
            _l("Scorecard, %(vacancy)s", vacancy=item.vacancy_title),
            person.name if person else "",
            self.due_on(item),
            "recruitment.scorecard" if row.recipient_id == item.user_id else endpoint,
            values,
            page=(endpoint, values),
        )

    def open_items_of(self, manager_ids: Sequence[int]) -> list[int]:
        query = select(Panelist.id).join(Interview, Interview.id == Panelist.interview_id)
        return _about(query, manager_ids, self.open_conditions)


SCORECARDS = ScorecardSource(
    prefix="scorecard",
    model=Panelist,
    id_column=Panelist.id,
    column=Reminder.panelist_id,
    open_conditions=(
        Panelist.interview_id.in_(select(Interview.id).where(Interview.cancelled_at.is_(None))),
        ~exists().where(
            Scorecard.author_id == Panelist.user_id,
            Scorecard.submitted_at.is_not(None),
            Scorecard.candidacy_id.in_(
                select(Interview.candidacy_id).where(Interview.id == Panelist.interview_id)
            ),
        ),
    ),
)
