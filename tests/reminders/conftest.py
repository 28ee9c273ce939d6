"""Fixtures for the reminder tests: the platform, a manager with a line manager and an HR partner."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ActivityKind
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import Manager
from lifecycle.models import Pillar
from lifecycle.models import Reminder
from lifecycle.models import User
from lifecycle.services.activities import add_activity
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from tests.factories import make_manager
from tests.factories import make_user

#: a Monday morning before 08:00 Stockholm time; every test below runs at this moment unless it moves
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


@pytest.fixture
def frozen() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def outbox(app: Flask) -> Iterator[list[Any]]:
    """The e-mails sent, empty at the start and the end of the test."""
    state = app.extensions["mailman"]
    state.outbox = []
    yield state.outbox
    state.outbox = []


@pytest.fixture
def platform(app_ctx: Flask) -> None:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))


@dataclass
class People:
    manager: Manager
    line_manager: Manager
    hr_partner: User

    @property
    def user(self) -> User:
        assert self.manager.user is not None
        return self.manager.user

    @property
    def boss(self) -> User:
        assert self.line_manager.user is not None
        return self.line_manager.user


def make_people(name: str = "Anna") -> People:
    hr_partner = make_user(Role.HR, name=f"HR-partner för {name}")
    line_manager = make_manager(f"Chef för {name}", with_account=True)
    manager = make_manager(name, line_manager=line_manager, with_account=True)
    manager.hr_partner = hr_partner
    db.session.flush()
    return People(manager, line_manager, hr_partner)


@pytest.fixture
def people(platform: None, frozen: time_machine.Coordinates) -> People:
    return make_people()


def pillar(key: str = "leader") -> Pillar:
    found = db.session.scalar(select(Pillar).where(Pillar.key == key))
    assert found is not None
    return found


def make_activity(
    manager: Manager,
    due_on: date | None,
    *,
    kind: ActivityKind = ActivityKind.COURSE,
    responsible: User | None = None,
    title: str = "Ledarskapskurs",
    stage: Stage | None = None,
    participants: list[Manager] | None = None,
) -> Activity:
    return add_activity(
        kind=kind,
        title=title,
        participants=participants or [manager],
        pillars=[pillar()],
        actor=None,
        due_on=due_on,
        responsible=responsible,
        stage=stage,
    )


def rows(**where: object) -> list[Reminder]:
    query = select(Reminder).order_by(Reminder.id)
    for name, value in where.items():
        query = query.where(getattr(Reminder, name) == value)
    db.session.expire_all()
    return list(db.session.scalars(query))


def summary(reminders: list[Reminder]) -> set[tuple[str, int, str, str]]:
    """(occurrence, recipient, status, local send time) of each row."""
    from lifecycle.timeutil import STOCKHOLM

    return {
        (
            r.occurrence.value,
            r.recipient_id,
            r.status.value,
            r.due_at.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M"),
        )
        for r in reminders
    }
