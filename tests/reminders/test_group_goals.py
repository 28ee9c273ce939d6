"""Group goals from a workshop: the owner is reminded before and on the follow-up date, the owner's line
manager and HR partner after HR's rule; nothing once the goal is done."""

from __future__ import annotations

from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from lifecycle.enums import ReminderOccurrence as Occ
from lifecycle.enums import ReminderStatus
from lifecycle.extensions import db
from lifecycle.models.workshops import GroupGoal
from lifecycle.services.reminders import previous_working_day
from lifecycle.services.reminders import send_time_utc
from lifecycle.services.workdays import next_working_day
from lifecycle.services.workshops import GoalDraft
from lifecycle.services.workshops import PillarOutcome
from lifecycle.services.workshops import WorkshopValues
from lifecycle.services.workshops import plan_workshop
from lifecycle.services.workshops import record_outcome
from lifecycle.services.workshops import set_goal_done
from lifecycle.timeutil import STOCKHOLM
from tests.factories import make_unit
from tests.reminders.conftest import NOW
from tests.reminders.conftest import People
from tests.reminders.conftest import pillar
from tests.reminders.conftest import rows
from tests.reminders.test_delivery import deliver_due

pytestmark = pytest.mark.usefixtures("outbox")

#: the workshop is held the Friday before NOW (Monday 2 March 2026); its goal is followed up on 12 March
FOLLOW_UP_ON = NOW.date() + timedelta(days=10)


def _goal(people: People) -> GroupGoal:
    unit = make_unit("Hemtjänst norr")
    people.manager.org_unit = unit
    db.session.flush()
    held_at = datetime.combine(NOW.date() - timedelta(days=3), time(13), tzinfo=STOCKHOLM)
    workshop = plan_workshop(unit, WorkshopValues("Ledningsgrupp", held_at, None, [pillar().id]), None)
    recorded = record_outcome(
        workshop,
        [
            PillarOutcome(
                pillar().id, goals=[GoalDraft("Gemensam introduktion", people.manager.id, FOLLOW_UP_ON)]
            )
        ],
        None,
        NOW.date(),
    )
    return recorded.goals[0]


def _pending(goal: GroupGoal) -> set[tuple[str, int]]:
    return {
        (r.occurrence.value, r.recipient_id)
        for r in rows(group_goal_id=goal.id)
        if r.status is ReminderStatus.PENDING
    }


def test_the_owner_is_reminded_before_and_on_the_day_and_escalated_after(
    app_ctx: Flask, people: People, outbox: list[Any]
) -> None:
    goal = _goal(people)
    assert _pending(goal) == {
        ("before", people.user.id),
        ("due", people.user.id),
        ("escalation", people.boss.id),
        ("escalation", people.hr_partner.id),
    }
    (due,) = rows(group_goal_id=goal.id, occurrence=Occ.DUE)
    assert due.due_at == send_time_utc(FOLLOW_UP_ON)
    assert due.item_key == f"group_goal:{goal.id}:{FOLLOW_UP_ON.isoformat()}"
    db.session.commit()

    (before,) = rows(group_goal_id=goal.id, occurrence=Occ.BEFORE)
    assert before.due_at == send_time_utc(previous_working_day(FOLLOW_UP_ON - timedelta(days=3)))
    deliver_due(before.due_at - timedelta(hours=1))
    assert outbox == []
    deliver_due(before.due_at)
    (ahead,) = outbox
    assert ahead.to == [people.user.email]
    assert ahead.subject.startswith("Gruppmål att följa upp: Gemensam introduktion")
    deliver_due(send_time_utc(FOLLOW_UP_ON))
    assert len(outbox) == 2  # one e-mail ahead, one on the day
    assert outbox[1].to == [people.user.email]
    assert outbox[1].subject.startswith("Följ upp gruppmålet i dag: Gemensam introduktion")
    assert f"/workshops/{goal.workshop_id}" in outbox[1].body
    sent = len(outbox)
    deliver_due(send_time_utc(next_working_day(FOLLOW_UP_ON + timedelta(days=2))))
    assert sorted(m.to[0] for m in outbox[sent:]) == sorted([people.boss.email, people.hr_partner.email])


def test_a_done_goal_is_not_reminded(app_ctx: Flask, people: People) -> None:
    goal = _goal(people)
    set_goal_done(goal, True)
    assert _pending(goal) == set()
    set_goal_done(goal, False)
    assert ("due", people.user.id) in _pending(goal)
