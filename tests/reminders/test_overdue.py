"""Items that are already late when their reminders are computed, and a backlog after an outage.

The clock is Monday 2 March 2026, 07:00 in Stockholm (the `frozen` fixture): the next send slot is today
at 08:00. Every rule reminds 3 days before, on the day, and escalates 2 days after.
"""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask

from lifecycle import tasks
from lifecycle.enums import Language
from lifecycle.enums import ReminderOccurrence as Occ
from lifecycle.enums import ReminderStatus
from lifecycle.extensions import db
from lifecycle.models import DevelopmentReview
from lifecycle.services.plans import ensure_plan
from lifecycle.services.reminders import SUPERSEDED
from lifecycle.services.reminders import ReminderKind
from lifecycle.services.reminders import Rule
from lifecycle.services.reminders import claim_due_reminders
from lifecycle.services.reminders import next_send_slot
from lifecycle.services.reminders import resync_open_items
from lifecycle.services.reminders import set_rules
from lifecycle.services.reminders import sync_reminders
from tests.reminders.conftest import People
from tests.reminders.conftest import make_activity
from tests.reminders.conftest import rows
from tests.reminders.conftest import summary

SLOT_TODAY = "2026-03-02 08:00"


@pytest.fixture(autouse=True)
def outbox(app: Flask) -> Any:
    state = app.extensions["mailman"]
    state.outbox = []
    yield state.outbox
    state.outbox = []


def deliver_due(now: datetime) -> int:
    """One dispatcher run and its send tasks, in this process, at `now`; returns the e-mails claimed."""
    with time_machine.travel(now, tick=False):
        batch = claim_due_reminders()
        db.session.commit()
        for claims in batch.emails():
            tasks.send_reminder.run([[c.reminder_id, c.attempt, c.recipient_id] for c in claims])
        return len(batch.emails())


@pytest.mark.parametrize(
    ("now", "slot"),
    [
        (datetime(2026, 3, 2, 6, 59, tzinfo=UTC), datetime(2026, 3, 2, 7, 0, tzinfo=UTC)),  # Monday 07:59
        (datetime(2026, 3, 2, 7, 0, tzinfo=UTC), datetime(2026, 3, 3, 7, 0, tzinfo=UTC)),  # Monday 08:00
        (datetime(2026, 3, 6, 12, 0, tzinfo=UTC), datetime(2026, 3, 9, 7, 0, tzinfo=UTC)),  # Friday noon
        (datetime(2026, 4, 2, 12, 0, tzinfo=UTC), datetime(2026, 4, 7, 6, 0, tzinfo=UTC)),  # Easter, CEST
        (datetime(2026, 12, 23, 18, 0, tzinfo=UTC), datetime(2026, 12, 28, 7, 0, tzinfo=UTC)),  # Christmas
    ],
)
def test_the_next_send_slot_is_the_next_working_day_at_eight(now: datetime, slot: datetime) -> None:
    assert next_send_slot(now) == slot


def test_an_item_created_overdue_is_reminded_and_escalated_at_the_next_slot(
    app_ctx: Flask, people: People
) -> None:
    make_activity(people.manager, date(2026, 2, 20), title="Försenad kurs")
    assert summary(rows()) == {
        (Occ.DUE.value, people.user.id, "pending", SLOT_TODAY),
        (Occ.ESCALATION.value, people.boss.id, "pending", SLOT_TODAY),
        (Occ.ESCALATION.value, people.hr_partner.id, "pending", SLOT_TODAY),
    }


def test_an_item_due_today_after_the_slot_is_reminded_tomorrow_and_escalated_on_time(
    app_ctx: Flask, people: People
) -> None:
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        make_activity(people.manager, date(2026, 3, 2), title="Samma dag")
    assert summary(rows()) == {
        (Occ.DUE.value, people.user.id, "pending", "2026-03-03 08:00"),
        (Occ.ESCALATION.value, people.boss.id, "pending", "2026-03-04 08:00"),
        (Occ.ESCALATION.value, people.hr_partner.id, "pending", "2026-03-04 08:00"),
    }


def test_the_late_reminder_says_the_item_was_due(app_ctx: Flask, people: People, outbox: list[Any]) -> None:
    people.user.language = Language.EN
    make_activity(people.manager, date(2026, 2, 20), title="Budget")
    db.session.commit()
    assert deliver_due(datetime(2026, 3, 2, 7, 0, tzinfo=UTC)) == 3
    mine = next(m for m in outbox if m.to == [people.user.email])
    assert mine.subject == "Overdue: Budget (Anna)"
    assert "Budget for Anna was due on 20 February 2026 and is not marked as done." in mine.body


def test_an_overdue_review_escalates_to_the_line_manager_once_not_also_as_a_due_reminder(
    app_ctx: Flask, people: People
) -> None:
    plan = ensure_plan(people.manager, date(2026, 3, 2))
    review = DevelopmentReview(plan=plan, scheduled_on=date(2026, 2, 16), next_steps="")
    db.session.add(review)
    db.session.flush()
    sync_reminders(reviews=[review])
    assert summary(rows(review_id=review.id)) == {
        (Occ.DUE.value, people.user.id, "pending", SLOT_TODAY),
        (Occ.ESCALATION.value, people.boss.id, "pending", SLOT_TODAY),
        (Occ.ESCALATION.value, people.hr_partner.id, "pending", SLOT_TODAY),
    }


def test_an_escalation_added_by_a_rule_change_goes_once(
    app_ctx: Flask, people: People, outbox: list[Any]
) -> None:
    no_escalation = Rule(days_before=3, on_due_day=True, days_after=None)
    set_rules(dict.fromkeys(ReminderKind, no_escalation))
    make_activity(people.manager, date(2026, 2, 20))
    db.session.commit()
    deliver_due(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    assert {(r.occurrence, r.status) for r in rows()} == {(Occ.DUE, ReminderStatus.SENT)}
    set_rules(dict.fromkeys(ReminderKind, Rule()))
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False):
        resync_open_items()
        resync_open_items()  # computing again adds nothing
    escalations = rows(occurrence=Occ.ESCALATION)
    assert summary(escalations) == {
        (Occ.ESCALATION.value, people.boss.id, "pending", "2026-03-03 08:00"),
        (Occ.ESCALATION.value, people.hr_partner.id, "pending", "2026-03-03 08:00"),
    }
    db.session.commit()
    assert deliver_due(datetime(2026, 3, 3, 7, 0, tzinfo=UTC)) == 2
    with time_machine.travel(datetime(2026, 3, 9, 10, 0, tzinfo=UTC), tick=False):
        resync_open_items()
    db.session.commit()
    assert deliver_due(datetime(2026, 3, 10, 7, 0, tzinfo=UTC)) == 0
    assert len(outbox) == 3  # the manager's once, each escalation once
    assert rows(occurrence=Occ.DUE)[0].status is ReminderStatus.SENT


def test_a_backlog_after_an_outage_sends_each_person_the_latest_reminder_once(
    app_ctx: Flask, people: People, outbox: list[Any]
) -> None:
    make_activity(people.manager, date(2026, 3, 12), title="Kurs")
    db.session.commit()
    assert {r.occurrence for r in rows()} == {Occ.BEFORE, Occ.DUE, Occ.ESCALATION}
    # Nothing ran from before the first reminder until a week after the escalation.
    back = datetime(2026, 3, 23, 9, 0, tzinfo=UTC)
    assert deliver_due(back) == 3
    assert deliver_due(back + timedelta(minutes=1)) == 0
    sent = {(r.occurrence, r.recipient_id) for r in rows(status=ReminderStatus.SENT)}
    assert sent == {
        (Occ.DUE, people.user.id),
        (Occ.ESCALATION, people.boss.id),
        (Occ.ESCALATION, people.hr_partner.id),
    }
    before = rows(occurrence=Occ.BEFORE)[0]
    assert before.status is ReminderStatus.CANCELLED and before.last_error == SUPERSEDED
    assert sorted(m.to[0] for m in outbox) == sorted(
        [people.user.email, people.boss.email, people.hr_partner.email]
    )
    # A later change to the item does not bring the superseded reminder back.
    with time_machine.travel(back, tick=False):
        resync_open_items()
    assert rows(occurrence=Occ.BEFORE)[0].status is ReminderStatus.CANCELLED
