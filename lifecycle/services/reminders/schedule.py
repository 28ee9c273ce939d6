"""When reminders go out: 08:00 in Stockholm on working days, before, on and after an item's due date."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from lifecycle.enums import ReminderOccurrence
from lifecycle.services.reminders.rules import Rule
from lifecycle.services.workdays import is_working_day
from lifecycle.services.workdays import next_working_day
from lifecycle.timeutil import STOCKHOLM

#: reminders go out at this local time on working days
SEND_TIME = time(8, 0)


def previous_working_day(day: date) -> date:
    """Return `day` if it is a working day, else the last working day before it."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def send_time_utc(day: date) -> datetime:
    """Return 08:00 in Stockholm on `day`, in UTC (zoneinfo makes it right on both sides of DST)."""
    return datetime.combine(day, SEND_TIME, tzinfo=STOCKHOLM).astimezone(UTC)


def schedule_days(due_on: date, rule: Rule) -> dict[ReminderOccurrence, date]:
    """Return the day each reminder of an item due on `due_on` goes out.

    A reminder never goes out on a weekend or holiday. The one before and the one on the due day move
    to the previous working day (they are meant to arrive while there is still time to act); the
    escalation moves to the next working day (it must come after the due date). A reminder "before"
    that would fall on the same day as the due-day reminder is dropped.
    """
    days: dict[ReminderOccurrence, date] = {}
    # A date at the very edge of the calendar (year 1 or 9999, typed by mistake) has no day before or
    # after it: those reminders cannot exist, and the item is saved all the same.
    with suppress(OverflowError):
        due_day = previous_working_day(due_on)
        if rule.on_due_day:
            days[ReminderOccurrence.DUE] = due_day
        if rule.days_before:
            before = previous_working_day(due_on - timedelta(days=rule.days_before))
            if before < due_day:
                days[ReminderOccurrence.BEFORE] = before
    if rule.days_after:
        with suppress(OverflowError):
            days[ReminderOccurrence.ESCALATION] = next_working_day(due_on + timedelta(days=rule.days_after))
    return days


def next_send_slot(now: datetime) -> datetime:
    """Return the first 08:00 on a working day after `now`: when a reminder that is already late goes out."""
    local = now.astimezone(STOCKHOLM)
    day = local.date() if local.time() < SEND_TIME else local.date() + timedelta(days=1)
    return send_time_utc(next_working_day(day))
