"""The reminder schedule for every day of two calendar years, as due date and as "now".

Whatever day an item is due, and whatever day its reminders are computed, every reminder lands at 08:00
Stockholm time on a working day, on the right side of the due date, and nothing late is lost.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from lifecycle.enums import ReminderOccurrence as Occ
from lifecycle.services.reminders import DEFAULT_RULE
from lifecycle.services.reminders import Rule
from lifecycle.services.reminders import Wanted
from lifecycle.services.reminders import catch_up
from lifecycle.services.reminders import next_send_slot
from lifecycle.services.reminders import schedule_days
from lifecycle.services.reminders import send_time_utc
from lifecycle.services.workdays import is_working_day
from lifecycle.timeutil import STOCKHOLM

FIRST, LAST = date(2026, 1, 1), date(2027, 12, 31)
DAYS = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
RULES = [DEFAULT_RULE, Rule(days_before=1, on_due_day=True, days_after=1), Rule(14, False, 30)]


def _working_days_between(start: date, end: date) -> list[date]:
    return [
        start + timedelta(days=n)
        for n in range((end - start).days + 1)
        if is_working_day(start + timedelta(n))
    ]


def test_every_due_date_of_two_years_gets_its_reminders_on_working_days_at_eight() -> None:
    assert len(DAYS) == 730
    for rule in RULES:
        for due in DAYS:
            days = schedule_days(due, rule)
            for occurrence, day in days.items():
                assert is_working_day(day), (due, occurrence, day)
                local = send_time_utc(day).astimezone(STOCKHOLM)
                assert (local.date(), local.time()) == (day, time(8, 0)), (due, occurrence)
            if rule.on_due_day:
                # The last working day on or before the due date.
                assert days[Occ.DUE] <= due and not _working_days_between(days[Occ.DUE] + timedelta(1), due)
            if Occ.BEFORE in days:
                latest = due - timedelta(days=rule.days_before or 0)
                assert days[Occ.BEFORE] <= latest
                assert not _working_days_between(days[Occ.BEFORE] + timedelta(1), latest)
                assert Occ.DUE not in days or days[Occ.BEFORE] < days[Occ.DUE]
            if rule.days_after:
                earliest = due + timedelta(days=rule.days_after)
                assert days[Occ.ESCALATION] >= earliest > due
                assert not _working_days_between(earliest, days[Occ.ESCALATION] - timedelta(1))


def test_computed_on_any_day_of_two_years_nothing_late_is_lost_or_sent_twice() -> None:
    """An item due a week before `now`, on `now`'s day, and a week after, at 07:00 and 09:00 local time."""
    for today in DAYS:
        for hour in (7, 9):
            now = datetime.combine(today, time(hour, 0), tzinfo=STOCKHOLM)
            slot = next_send_slot(now)
            local_slot = slot.astimezone(STOCKHOLM)
            assert slot > now and local_slot.time() == time(8, 0) and is_working_day(local_slot.date())
            # The first such slot: no working day's 08:00 between now and it.
            assert all(
                send_time_utc(day) <= now
                for day in _working_days_between(today, local_slot.date() - timedelta(1))
            )
            for due in (today - timedelta(days=7), today, today + timedelta(days=7)):
                wanted = [
                    Wanted("item", recipient, occurrence, send_time_utc(day))
                    for occurrence, day in schedule_days(due, DEFAULT_RULE).items()
                    for recipient in ((2, 3) if occurrence is Occ.ESCALATION else (1,))
                ]
                result = catch_up(wanted, now)
                assert all(w.due_at > now for w in result), (today, hour, due)
                assert len({w.key for w in result}) == len(result)
                # Whatever was due by now and is worth sending still goes out, at the slot.
                for w in wanted:
                    if w.due_at <= now and w.occurrence is not Occ.BEFORE:
                        assert any(r.key == w.key and r.due_at == slot for r in result), (today, hour, due, w)
                    if w.due_at > now:
                        assert w in result
