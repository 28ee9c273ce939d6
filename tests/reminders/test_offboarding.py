"""Offboarding tasks: the person responsible is reminded before and on the task's date (counted back from
the last working day), the line manager and HR partner after HR's offboarding rule; nothing once done."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from lifecycle.enums import ReminderOccurrence as Occ
from lifecycle.enums import ReminderStatus
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.services.journey import move_to_stage
from lifecycle.services.offboarding import checklist_of
from lifecycle.services.offboarding import complete_task
from lifecycle.services.reminders import ReminderKind
from lifecycle.services.reminders import Rule
from lifecycle.services.reminders import get_rules
from lifecycle.services.reminders import resync_open_items
from lifecycle.services.reminders import send_time_utc
from lifecycle.services.reminders import set_rules
from lifecycle.services.workdays import next_working_day
from tests.reminders.conftest import NOW
from tests.reminders.conftest import People
from tests.reminders.conftest import rows
from tests.reminders.test_delivery import deliver_due

pytestmark = pytest.mark.usefixtures("outbox")

#: the last working day, a Friday; the hand-over is due ten working days before it
END = date(2026, 3, 20)
HAND_OVER_ON = date(2026, 3, 6)


def _hand_over(people: People) -> Activity:
    move_to_stage(people.manager, Stage.OFFBOARD, None, "Slutar", NOW.date(), end_date=END)
    checklist = checklist_of(people.manager.id)
    assert checklist is not None
    task = next(t for t in checklist.tasks if t.title == "Överlämning av verksamheten")
    assert task.due_on == HAND_OVER_ON
    return task


def _pending(task: Activity) -> set[tuple[str, int]]:
    return {
        (r.occurrence.value, r.recipient_id)
        for r in rows(activity_id=task.id)
        if r.status is ReminderStatus.PENDING
    }


def test_the_responsible_person_is_reminded_and_the_line_manager_and_hr_partner_after(
    app_ctx: Flask, people: People, outbox: list[Any]
) -> None:
    task = _hand_over(people)
    assert _pending(task) == {
        ("before", people.user.id),
        ("due", people.user.id),
        ("escalation", people.boss.id),
        ("escalation", people.hr_partner.id),
    }
    db.session.commit()
    deliver_due(send_time_utc(HAND_OVER_ON) - timedelta(hours=1))
    sent = len(outbox)
    deliver_due(send_time_utc(HAND_OVER_ON))
    # the line manager's own tasks (budget and staff) fall due on the same day
    about = [m for m in outbox[sent:] if "Överlämning av verksamheten" in m.subject]
    assert [m.to for m in about] == [[people.user.email]]
    sent = len(outbox)
    deliver_due(send_time_utc(next_working_day(HAND_OVER_ON + timedelta(days=2))))
    escalated = [m.to[0] for m in outbox[sent:] if "Överlämning av verksamheten" in m.subject]
    assert sorted(escalated) == sorted([people.boss.email, people.hr_partner.email])


def test_hrs_offboarding_rule_applies_and_a_done_task_is_not_reminded(app_ctx: Flask, people: People) -> None:
    task = _hand_over(people)
    rules = get_rules()
    set_rules({**rules, ReminderKind.OFFBOARDING: Rule(days_before=None, on_due_day=True, days_after=None)})
    resync_open_items()
    assert _pending(task) == {("due", people.user.id)}
    assert rows(activity_id=task.id, occurrence=Occ.DUE)[0].due_at == send_time_utc(HAND_OVER_ON)
    checklist = checklist_of(people.manager.id)
    assert checklist is not None
    complete_task(checklist, task, None, NOW.date())
    assert _pending(task) == set()
