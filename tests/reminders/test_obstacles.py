"""Stale obstacles: an open obstacle untouched for OBSTACLE_STALE_DAYS is reminded to its owner on the day
it goes stale, and escalated to HR after HR's rule; once each, never before, and never once it moves."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

from lifecycle.enums import ObstacleSeverity
from lifecycle.enums import ObstacleStatus
from lifecycle.enums import ReminderOccurrence as Occ
from lifecycle.enums import ReminderStatus
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import Obstacle
from lifecycle.models import User
from lifecycle.services.obstacles import ObstacleChange
from lifecycle.services.obstacles import change_obstacle
from lifecycle.services.obstacles import report_obstacle
from lifecycle.services.reminders import next_send_slot
from lifecycle.services.reminders import send_time_utc
from lifecycle.services.workdays import next_working_day
from tests.conftest import Inbox
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user
from tests.reminders.conftest import NOW
from tests.reminders.conftest import rows
from tests.reminders.test_delivery import deliver_due

pytestmark = pytest.mark.usefixtures("outbox")

#: reported at NOW (Monday 2 March 2026): stale 30 days later, on Wednesday 1 April
STALE_ON = NOW.date() + timedelta(days=30)
#: HR's default rule escalates two days after: Friday 3 April is Good Friday, so Tuesday 7 April
ESCALATES_ON = next_working_day(STALE_ON + timedelta(days=2))


@pytest.fixture
def hr(platform: None, frozen: Any) -> User:
    return make_user(Role.HR, name="Hedda HR")


def reporter(partner: User | None = None) -> Manager:
    manager = make_manager("Rut Rektor", org_unit=make_unit("Norra skolan"), with_account=True)
    manager.hr_partner = partner
    db.session.flush()
    return manager


def report(manager: Manager) -> Obstacle:
    trust = db.session.scalar(select(Expectation).where(Expectation.key == "leader.trust"))
    assert trust is not None
    return report_obstacle(
        reporter=manager,
        unit=manager.org_unit,  # type: ignore[arg-type]
        title="Trasig ventilation",
        description="",
        severity=ObstacleSeverity.MEDIUM,
        shared=False,
        pillar_ids=[],
        expectation_ids=[trust.id],
        actor=manager.user,
    )


def pending(obstacle: Obstacle) -> set[tuple[str, int, str]]:
    return {
        (r.occurrence.value, r.recipient_id, r.item_key)
        for r in rows(obstacle_id=obstacle.id)
        if r.status is ReminderStatus.PENDING
    }


def test_the_owner_is_reminded_when_it_goes_stale_and_hr_after_it_once_each(
    app_ctx: Flask, hr: User, outbox: list[Any]
) -> None:
    owner = make_user(name="Olle Fastighet")
    partner = make_user(Role.HR, name="Petra Partner")
    obstacle = report(reporter(partner))
    change_obstacle(obstacle, ObstacleChange(ObstacleStatus.REPORTED, owner, None), hr)
    key = f"obstacle:{obstacle.id}:{STALE_ON.isoformat()}"
    assert pending(obstacle) == {("due", owner.id, key), ("escalation", partner.id, key)}
    due = rows(obstacle_id=obstacle.id, occurrence=Occ.DUE)[0]
    assert due.due_at == send_time_utc(STALE_ON)
    db.session.commit()

    # Not before OBSTACLE_STALE_DAYS: the day before it goes stale, nothing.
    deliver_due(send_time_utc(STALE_ON - timedelta(days=1)) + timedelta(hours=10))
    assert outbox == []
    deliver_due(send_time_utc(STALE_ON))
    assert [m.to for m in outbox] == [[owner.email]]
    assert "Trasig ventilation" in outbox[0].subject
    assert f"/obstacles/{obstacle.id}" in outbox[0].body
    deliver_due(send_time_utc(STALE_ON) + timedelta(hours=3))
    assert len(outbox) == 1, "not twice"
    # Escalated to HR after HR's rule, once.
    deliver_due(send_time_utc(ESCALATES_ON) - timedelta(hours=1))
    assert len(outbox) == 1
    deliver_due(send_time_utc(ESCALATES_ON))
    assert [m.to for m in outbox] == [[owner.email], [partner.email]]
    deliver_due(next_send_slot(send_time_utc(ESCALATES_ON)))
    assert len(outbox) == 2, "not twice"
    sent = {(r.recipient_id, r.occurrence) for r in rows(obstacle_id=obstacle.id, status=ReminderStatus.SENT)}
    assert sent == {(owner.id, Occ.DUE), (partner.id, Occ.ESCALATION)}


def test_any_change_starts_the_period_again_and_resolving_ends_it(app_ctx: Flask, hr: User) -> None:
    obstacle = report(reporter())
    first_key = f"obstacle:{obstacle.id}:{STALE_ON.isoformat()}"
    assert {key for _occ, _user, key in pending(obstacle)} == {first_key}
    # Ten days later, HR comments: the obstacle goes stale thirty days after that instead.
    later = NOW + timedelta(days=10)
    with time_machine.travel(later, tick=False):
        change_obstacle(obstacle, ObstacleChange(ObstacleStatus.REPORTED, None, None, comment="På gång"), hr)
    new_key = f"obstacle:{obstacle.id}:{(later.date() + timedelta(days=30)).isoformat()}"
    assert {key for _occ, _user, key in pending(obstacle)} == {new_key}
    assert {r.status for r in rows(obstacle_id=obstacle.id) if r.item_key == first_key} == {
        ReminderStatus.CANCELLED
    }
    change_obstacle(obstacle, ObstacleChange(ObstacleStatus.REMOVED, None, None), hr)
    assert pending(obstacle) == set(), "a removed obstacle reminds no one"


def test_without_an_owner_the_hr_partner_or_else_all_of_hr_is_reminded(app_ctx: Flask, hr: User) -> None:
    partner = make_user(Role.HR, name="Petra Partner")
    with_partner = report(reporter(partner))
    assert {(occ, user) for occ, user, _key in pending(with_partner)} == {
        ("due", partner.id),
        ("escalation", partner.id),
    }
    another_hr = make_user(Role.HR, name="Hugo HR")
    without = report(reporter())
    assert {(occ, user) for occ, user, _key in pending(without)} == {
        ("due", hr.id),
        ("due", partner.id),
        ("due", another_hr.id),
        ("escalation", hr.id),
        ("escalation", partner.id),
        ("escalation", another_hr.id),
    }
    # A partner who can no longer be e-mailed: all of HR instead.
    partner.is_enabled = False
    change_obstacle(with_partner, ObstacleChange(ObstacleStatus.BEING_HANDLED, None, None), hr)
    assert {user for _occ, user, _key in pending(with_partner)} == {hr.id, another_hr.id}


def test_obstacle_stale_days_is_read_from_the_configuration(
    app: Flask, app_ctx: Flask, hr: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "OBSTACLE_STALE_DAYS", 10)
    obstacle = report(reporter())
    assert {key for _occ, _user, key in pending(obstacle)} == {
        f"obstacle:{obstacle.id}:{(NOW.date() + timedelta(days=10)).isoformat()}"
    }


def test_a_stale_obstacle_sends_exactly_one_escalation_e_mail_a_period_over_smtp(
    app_ctx: Flask, hr: User, inbox: Inbox
) -> None:
    """At the SMTP server, as HR's mailbox sees it: one escalation a period, however often beat ticks."""
    owner = make_user(name="Olle Fastighet", email="olle@kommun.example")
    partner = make_user(Role.HR, name="Petra Partner", email="petra@kommun.example")
    obstacle = report(reporter(partner))
    change_obstacle(obstacle, ObstacleChange(ObstacleStatus.REPORTED, owner, None), hr)
    db.session.commit()

    def tick_through(first_day: date, last_day: date) -> None:
        """Beat's dispatcher every few hours of every day from `first_day` to `last_day`."""
        day = first_day
        while day <= last_day:
            for hour in (0, 7, 10, 16):
                deliver_due(send_time_utc(day) + timedelta(hours=hour))
            day += timedelta(days=1)

    tick_through(STALE_ON - timedelta(days=2), ESCALATES_ON + timedelta(days=5))
    assert len(inbox.to(owner.email)) == 1 and len(inbox.to(partner.email)) == 1
    [escalation] = inbox.to(partner.email)
    assert "Trasig ventilation" in escalation["Subject"]
    assert f"/obstacles/{obstacle.id}" in escalation.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    # HR moves it on: a new period, stale thirty days later, and its own single escalation.
    moved = ESCALATES_ON + timedelta(days=6)
    with time_machine.travel(send_time_utc(moved) + timedelta(hours=2), tick=False):
        change_obstacle(obstacle, ObstacleChange(ObstacleStatus.BEING_HANDLED, owner, None), hr)
        db.session.commit()
    stale_again = moved + timedelta(days=30)
    tick_through(moved, next_working_day(stale_again + timedelta(days=2)) + timedelta(days=5))
    escalations = inbox.to(partner.email)
    assert len(escalations) == 2, "one escalation a period"
    assert len({m["Message-ID"] for m in escalations}) == 2
    assert len(inbox.to(owner.email)) == 2
