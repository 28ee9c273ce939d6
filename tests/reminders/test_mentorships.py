"""Missed mentoring meetings: a running mentorship with no meeting logged within its cadence reminds both
the mentor and the mentee, once per missed period; a meeting starts the count again, and the end stops it."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask

from lifecycle.enums import ReminderStatus
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import Mentorship
from lifecycle.models import User
from lifecycle.services.mentoring import end_mentorship
from lifecycle.services.mentoring import log_meeting
from lifecycle.services.mentoring import mark_role_model
from lifecycle.services.mentoring import start_mentorship
from lifecycle.services.mentoring.reminders import resync_mentorship_reminders
from lifecycle.services.reminders import send_time_utc
from lifecycle.services.reminders.sources.mentorships import missed_period_starts
from tests.factories import make_manager
from tests.factories import make_user
from tests.reminders.conftest import NOW
from tests.reminders.conftest import rows
from tests.reminders.test_delivery import deliver_due

pytestmark = pytest.mark.usefixtures("outbox")

START = NOW.date()
#: every two weeks from Monday 2 March 2026: no meeting by Monday 16 March misses the first period
MISSED = START + timedelta(weeks=2, days=1)


@pytest.fixture
def mentorship(platform: None, frozen: Any) -> Mentorship:
    hr = make_user(Role.HR, name="Hedda HR")
    mentor = make_manager("Maja Mentor", with_account=True)
    mentee = make_manager("Adam Adept", with_account=True)
    mark_role_model(mentor, pillar_keys=["leader"], expectation_keys=[], capacity=1, actor=hr)
    return start_mentorship(
        mentor=mentor,
        mentee=mentee,
        starts_on=START,
        ends_on=START + timedelta(days=180),
        goals="Feedback",
        cadence_weeks=2,
        actor=hr,
    )


def pending(mentorship: Mentorship) -> set[tuple[int, str]]:
    return {
        (r.recipient_id, r.item_key)
        for r in rows(mentorship_id=mentorship.id)
        if r.status is ReminderStatus.PENDING
    }


def users(mentorship: Mentorship) -> tuple[User, User]:
    mentor, mentee = mentorship.mentor.user, mentorship.mentee.user
    assert mentor is not None and mentee is not None
    return mentor, mentee


def test_the_missed_periods_count_from_the_last_meeting() -> None:
    anchor = date(2026, 3, 2)
    assert missed_period_starts(anchor, 2, date(2026, 3, 2)) == date(2026, 3, 17)
    assert missed_period_starts(anchor, 2, date(2026, 3, 17)) == date(2026, 3, 17)
    assert missed_period_starts(anchor, 2, date(2026, 3, 30)) == date(2026, 3, 17)
    assert missed_period_starts(anchor, 2, date(2026, 3, 31)) == date(2026, 3, 31)


def test_both_are_reminded_once_per_missed_period(app_ctx: Flask, mentorship: Mentorship) -> None:
    mentor, mentee = users(mentorship)
    key = f"mentorship:{mentorship.id}:{MISSED.isoformat()}"
    assert pending(mentorship) == {(mentor.id, key), (mentee.id, key)}
    # The daily resync within the same period changes nothing.
    with time_machine.travel(NOW + timedelta(days=16), tick=False):
        resync_mentorship_reminders()
    assert pending(mentorship) == {(mentor.id, key), (mentee.id, key)}
    # Two weeks on, still no meeting: the next period's reminder, one each.
    later = MISSED + timedelta(weeks=2)
    with time_machine.travel(NOW + timedelta(days=29), tick=False):
        resync_mentorship_reminders()
    next_key = f"mentorship:{mentorship.id}:{later.isoformat()}"
    assert pending(mentorship) == {(mentor.id, next_key), (mentee.id, next_key)}


def test_a_meeting_starts_the_count_again_and_the_end_stops_it(
    app_ctx: Flask, mentorship: Mentorship
) -> None:
    held_on = START + timedelta(days=8)
    with time_machine.travel(NOW + timedelta(days=8), tick=False):
        log_meeting(
            mentorship, held_on=held_on, title="", pillar_keys=["leader"], expectation_keys=[], actor=None
        )
    key = f"mentorship:{mentorship.id}:{(held_on + timedelta(weeks=2, days=1)).isoformat()}"
    assert {k for _user, k in pending(mentorship)} == {key}
    end_mentorship(mentorship, reason="", actor=None)
    assert pending(mentorship) == set()


def test_the_reminder_goes_out_through_the_real_path_once(
    app_ctx: Flask, mentorship: Mentorship, outbox: list[Any]
) -> None:
    mentor, mentee = users(mentorship)
    db.session.commit()
    deliver_due(send_time_utc(MISSED) - timedelta(hours=1))
    assert outbox == []
    deliver_due(send_time_utc(MISSED))
    assert sorted(m.to[0] for m in outbox) == sorted([mentor.email, mentee.email])
    assert all(f"/mentorships/{mentorship.id}" in m.body for m in outbox)
    deliver_due(send_time_utc(MISSED) + timedelta(hours=3))
    assert len(outbox) == 2, "not twice"
