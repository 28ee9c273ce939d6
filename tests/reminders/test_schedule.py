"""When reminders go out: 08:00 Stockholm on working days, right on both sides of daylight saving time."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from lifecycle.enums import ReminderOccurrence as Occ
from lifecycle.enums import ReminderStatus
from lifecycle.extensions import db
from lifecycle.models import Reminder
from lifecycle.services.reminders import DEFAULT_RULE
from lifecycle.services.reminders import Rule
from lifecycle.services.reminders import claim_due_reminders
from lifecycle.services.reminders import previous_working_day
from lifecycle.services.reminders import schedule_days
from lifecycle.services.reminders import send_time_utc
from lifecycle.timeutil import STOCKHOLM
from tests.reminders.conftest import People
from tests.reminders.conftest import make_activity
from tests.reminders.conftest import rows


def test_the_defaults_are_three_days_before_the_day_and_two_days_after() -> None:
    assert Rule(days_before=3, on_due_day=True, days_after=2) == DEFAULT_RULE
    # Thursday 2026-03-12: Monday before, the Thursday itself, escalation on Monday after.
    assert schedule_days(date(2026, 3, 12), DEFAULT_RULE) == {
        Occ.BEFORE: date(2026, 3, 9),
        Occ.DUE: date(2026, 3, 12),
        Occ.ESCALATION: date(2026, 3, 16),
    }


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2026, 3, 27), 7),  # Friday before the spring change: CET, UTC+1
        (date(2026, 3, 30), 6),  # Monday after it: CEST, UTC+2
        (date(2026, 10, 23), 6),  # Friday before the autumn change: CEST
        (date(2026, 10, 26), 7),  # Monday after it: CET
        (date(2027, 3, 29), 6),  # 2027's spring change is on 28 March
    ],
)
def test_eight_in_stockholm_is_stored_in_utc_on_both_sides_of_dst(day: date, utc_hour: int) -> None:
    moment = send_time_utc(day)
    assert moment.tzinfo is UTC
    assert moment == datetime(day.year, day.month, day.day, utc_hour, 0, tzinfo=UTC)
    assert moment.astimezone(STOCKHOLM).hour == 8


def test_a_due_date_on_a_weekend_reminds_on_the_friday_before_and_escalates_on_a_working_day() -> None:
    # Sunday 2026-03-29, the day the clocks go forward.
    assert schedule_days(date(2026, 3, 29), DEFAULT_RULE) == {
        Occ.BEFORE: date(2026, 3, 26),  # Thursday (3 days before)
        Occ.DUE: date(2026, 3, 27),  # the last working day before the Sunday
        Occ.ESCALATION: date(2026, 3, 31),  # two days after, a Tuesday
    }


def test_midsommarafton_is_not_a_working_day() -> None:
    # Midsommarafton 2026 is Friday 19 June; the reminder comes on Thursday, the escalation on Monday.
    days = schedule_days(date(2026, 6, 19), DEFAULT_RULE)
    assert days[Occ.DUE] == date(2026, 6, 18)
    assert days[Occ.BEFORE] == date(2026, 6, 16)
    assert days[Occ.ESCALATION] == date(2026, 6, 22)


def test_christmas_moves_reminders_before_julafton_and_escalations_after_annandag_jul() -> None:
    # Juldagen 2026 is a Friday; julafton (Thursday) is a day off too.
    days = schedule_days(date(2026, 12, 25), DEFAULT_RULE)
    assert days[Occ.DUE] == date(2026, 12, 23)
    assert days[Occ.BEFORE] == date(2026, 12, 22)
    assert days[Occ.ESCALATION] == date(2026, 12, 28)
    assert previous_working_day(date(2026, 12, 27)) == date(2026, 12, 23)


def test_easter_and_ascension() -> None:
    # Långfredagen 2026-04-03, annandag påsk 2026-04-06; Kristi himmelsfärd 2026-05-14 (a Thursday).
    assert schedule_days(date(2026, 4, 6), DEFAULT_RULE)[Occ.DUE] == date(2026, 4, 2)
    assert schedule_days(date(2026, 4, 1), DEFAULT_RULE)[Occ.ESCALATION] == date(2026, 4, 7)
    assert schedule_days(date(2026, 5, 12), DEFAULT_RULE)[Occ.ESCALATION] == date(2026, 5, 15)


def test_a_reminder_before_that_would_coincide_with_the_due_day_reminder_is_dropped() -> None:
    # Due Sunday; one day before is Saturday, which moves to Friday: the due-day reminder's day.
    assert schedule_days(date(2026, 3, 29), Rule(1, True, 2)).keys() == {Occ.DUE, Occ.ESCALATION}
    assert schedule_days(date(2026, 3, 30), Rule(1, True, None)) == {
        Occ.BEFORE: date(2026, 3, 27),
        Occ.DUE: date(2026, 3, 30),
    }


def test_reminders_can_be_turned_off_one_by_one() -> None:
    assert schedule_days(date(2026, 3, 12), Rule(None, False, None)) == {}
    assert schedule_days(date(2026, 3, 12), Rule(None, False, 5)) == {Occ.ESCALATION: date(2026, 3, 17)}


def _tick_every_minute(start: datetime, end: datetime) -> dict[int, list[datetime]]:
    """Run the dispatcher's claim once a minute; return the moments each row was claimed."""
    claimed: dict[int, list[datetime]] = {}
    moment = start
    while moment <= end:
        batch = claim_due_reminders(now=moment)
        for claim in [c for cs in batch.emails() for c in cs]:
            claimed.setdefault(claim.reminder_id, []).append(moment)
            # Sent at once, as a worker would.
            reminder = db.session.get(Reminder, claim.reminder_id)
            assert reminder is not None
            reminder.status = ReminderStatus.SENT
            reminder.sent_at = moment
        db.session.flush()
        moment += timedelta(minutes=1)
    return claimed


@pytest.mark.parametrize(
    ("due_on", "first_day", "last_day"),
    [
        (date(2026, 3, 29), date(2026, 3, 26), date(2026, 3, 31)),  # spring forward
        (date(2026, 10, 25), date(2026, 10, 22), date(2026, 10, 27)),  # fall back
    ],
)
def test_schedules_around_the_clock_changes_fire_once_at_eight_stockholm_time(
    app_ctx: Flask, people: People, frozen: object, due_on: date, first_day: date, last_day: date
) -> None:
    make_activity(people.manager, due_on)
    reminders = rows()
    assert len(reminders) == 4  # before and due to the manager, escalation to the line manager and HR partner
    claimed: dict[int, list[datetime]] = {}
    day = first_day
    while day <= last_day:
        # Every minute from 04:30 to 08:30 UTC covers 08:00 local in both CET and CEST, and the hours around.
        start = datetime(day.year, day.month, day.day, 4, 30, tzinfo=UTC)
        claimed.update(_tick_every_minute(start, start + timedelta(hours=4)))
        day += timedelta(days=1)
    assert set(claimed) == {r.id for r in reminders}
    for reminder in rows():
        moments = claimed[reminder.id]
        assert len(moments) == 1, moments
        local = moments[0].astimezone(STOCKHOLM)
        assert (local.hour, local.minute) == (8, 0), local
        assert moments[0] == reminder.due_at


def test_a_date_at_the_edge_of_the_calendar_has_only_the_reminders_that_fit() -> None:
    rule = Rule(days_before=3, on_due_day=True, days_after=2)
    last = schedule_days(date(9999, 12, 30), rule)  # a Thursday; two days later there is no calendar
    assert last == {Occ.BEFORE: date(9999, 12, 27), Occ.DUE: date(9999, 12, 30)}
    first = schedule_days(date(1, 1, 1), rule)  # New Year's Day: no working day before it
    assert first == {Occ.ESCALATION: date(1, 1, 3)}


def test_an_activity_due_at_the_end_of_the_calendar_is_saved_with_its_reminders(
    app_ctx: Flask, people: People
) -> None:
    activity = make_activity(people.manager, date(9999, 12, 30))
    kept = db.session.scalars(
        select(Reminder.occurrence).where(
            Reminder.activity_id == activity.id, Reminder.recipient_id == people.user.id
        )
    ).all()
    assert sorted(kept) == sorted([Occ.BEFORE, Occ.DUE])
