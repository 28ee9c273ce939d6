"""Missed mentoring meetings: a running mentorship whose cadence passed with no meeting logged
reminds both the mentor and the mentee, once per missed period.

The periods count from the last meeting (or the start): with a cadence of N weeks the first day of
a missed period is the last meeting plus N weeks and a day, then every N weeks after it while nothing
is logged. The item's due date is the latest such day up to today (or the first one ahead), so a
sync in the same period changes nothing, and the daily resync (`mentoring.resync` in the beat) moves
it to the next period once that one is missed too: a new due date, one new reminder each. Logging a
meeting moves the start of the count; the end of the mentorship (or its being ended) stops it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy import select

from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import Reminder
from lifecycle.models.mentoring import Mentorship
from lifecycle.services.reminders.rules import ReminderKind
from lifecycle.services.reminders.sources import ItemFacts
from lifecycle.services.reminders.sources import ItemSummary
from lifecycle.services.reminders.sources import Occasion
from lifecycle.services.reminders.sources import ReminderSource
from lifecycle.services.reminders.sources import Wording
from lifecycle.services.reminders.sources import is_live
from lifecycle.timeutil import local_today

#: %(title)s is "Mentorship", %(name)s the other party, %(date)s the first day of the missed period
MISSED = Wording(
    before=_l("%(title)s with %(name)s: the next meeting is due before %(date)s."),
    due=_l(
        "%(title)s with %(name)s: no meeting has been logged within the agreed cadence (since %(date)s). "
        "Book a meeting, and log it when it has taken place."
    ),
    overdue=_l("%(title)s with %(name)s: no meeting has been logged since %(date)s."),
    subject_before=_l("Mentoring meeting soon due: %(title)s"),
    subject_due=_l("Mentoring meeting missed: %(title)s"),
    subject_overdue=_l("Mentoring meeting missed: %(title)s"),
)


def missed_period_starts(anchor: date, cadence_weeks: int, today: date) -> date:
    """The first day of the latest period missed by today, counting from `anchor` (or the first ahead)."""
    period = timedelta(weeks=cadence_weeks)
    first = anchor + period + timedelta(days=1)
    if today < first:
        return first
    return first + period * ((today - first) // period)


@dataclass
class LoadedMentorship:
    row: Any

    @property
    def due_on(self) -> date:
        anchor = max(self.row.starts_on, self.row.last_meeting_on or self.row.starts_on)
        return missed_period_starts(anchor, self.row.cadence_weeks, local_today())


class MentorshipSource(ReminderSource[LoadedMentorship]):
    def load(self, ids: Sequence[int], facts: ItemFacts) -> set[int]:
        items = self.items(facts)
        last_meeting = (
            select(func.max(Activity.completed_on))
            .where(Activity.mentorship_id == Mentorship.id, Activity.cancelled_at.is_(None))
            .correlate(Mentorship)
            .scalar_subquery()
        )
        for row in db.session.execute(
            select(
                Mentorship.id,
                Mentorship.mentor_id,
                Mentorship.mentee_id,
                Mentorship.starts_on,
                Mentorship.ends_on,
                Mentorship.cadence_weeks,
                Mentorship.ended_at,
                last_meeting.label("last_meeting_on"),
            ).where(Mentorship.id.in_(ids))
        ):
            items[row.id] = LoadedMentorship(row)
        return {m for item in items.values() for m in (item.row.mentor_id, item.row.mentee_id)}

    def occasion(self, item: LoadedMentorship, facts: ItemFacts) -> Occasion | None:
        row = item.row
        mentor, mentee = facts.people.get(row.mentor_id), facts.people.get(row.mentee_id)
        if row.ended_at is not None or mentor is None or mentee is None:
            return None
        if not (is_live(mentor) and is_live(mentee)):
            return None
        due_on = item.due_on
        if due_on > row.ends_on:
            return None
        return Occasion(due_on, ReminderKind.MENTORSHIP, first=[mentee.user_id, mentor.user_id], escalate=[])

    def summary(self, row: Any, item: LoadedMentorship, facts: ItemFacts) -> ItemSummary:
        mentor, mentee = facts.people.get(item.row.mentor_id), facts.people.get(item.row.mentee_id)
        # Each is told about the other party.
        other = mentee if mentor is not None and row.recipient_id == mentor.user_id else mentor
        values = {"mentorship_id": item.row.id}
        return ItemSummary(
            row.id,
            row.occurrence,
            str(_l("Mentorship")),
            other.name if other else "",
            item.due_on,
            "mentoring.mentorship",
            values,
            page=("mentoring.mentorship", values),
            wording=MISSED,
        )

    def open_items_of(self, manager_ids: Sequence[int]) -> list[int]:
        return list(
            db.session.scalars(
                select(Mentorship.id).where(
                    (Mentorship.mentee_id.in_(manager_ids)) | (Mentorship.mentor_id.in_(manager_ids)),
                    *self.open_conditions,
                )
            )
        )


MENTORSHIPS = MentorshipSource(
    prefix="mentorship",
    model=Mentorship,
    id_column=Mentorship.id,
    column=Reminder.mentorship_id,
    open_conditions=(Mentorship.ended_at.is_(None),),
)
