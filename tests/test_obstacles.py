"""The obstacle log: reporting, HR's handling with its history, who may read what, the reporter's
e-mail, HR's overview with the median time to removal, and the GDPR rules.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func
from sqlalchemy import select

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ObstacleSeverity
from lifecycle.enums import ObstacleStatus
from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import Obstacle
from lifecycle.models import ObstacleEvent
from lifecycle.models import OrgUnit
from lifecycle.models import Pillar
from lifecycle.services.obstacles import ObstacleError
from lifecycle.services.obstacles import report_obstacle
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from tests.factories import make_manager
from tests.factories import make_unit

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def orebro(app_ctx: Flask) -> Flask:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    return app_ctx


def _expectation(key: str = "leader.trust") -> Expectation:
    found = db.session.scalar(select(Expectation).where(Expectation.key == key))
    assert found is not None
    return found


def _pillar(key: str = "secure") -> Pillar:
    found = db.session.scalar(select(Pillar).where(Pillar.key == key))
    assert found is not None
    return found


def report(reporter: Manager | None, unit: OrgUnit | None = None, **more: Any) -> Obstacle:
    values: dict[str, Any] = {
        "title": "Ingen administrativ stöd",
        "description": "Schemaläggningen tar halva veckan.",
        "severity": ObstacleSeverity.HIGH,
        "shared": False,
        "pillar_ids": [],
        "expectation_ids": [_expectation().id],
        "actor": reporter.user if reporter else None,
    }
    values.update(more)
    chosen = unit or (reporter.org_unit if reporter else None)
    assert chosen is not None
    return report_obstacle(reporter=reporter, unit=chosen, **values)


def test_a_manager_reports_an_obstacle_with_its_first_event(orebro: Flask) -> None:
    unit = make_unit("Norra skolan")
    manager = make_manager("Rut Rektor", org_unit=unit, with_account=True)
    obstacle = report(manager, title="  Ingen administrativ stöd  ")
    assert obstacle.id is not None and obstacle.status is ObstacleStatus.REPORTED
    assert (obstacle.reporter, obstacle.unit, obstacle.title) == (manager, unit, "Ingen administrativ stöd")
    # An expectation brings its pillar.
    assert [p.key for p in obstacle.pillars] == ["leader"]
    assert [e.key for e in obstacle.expectations] == ["leader.trust"]
    assert obstacle.last_activity_at == obstacle.reported_at and obstacle.resolved_at is None
    events = list(db.session.scalars(select(ObstacleEvent).where(ObstacleEvent.obstacle_id == obstacle.id)))
    assert [(e.field, e.old_value, e.new_value, e.actor_user_id) for e in events] == [
        ("reported", None, "reported", manager.user_id)
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "x" * 4001}, "description"),
        ({"expectation_ids": [], "pillar_ids": []}, "pillars"),
        ({"expectation_ids": [987654]}, "expectations"),
        ({"expectation_ids": [], "pillar_ids": [987654]}, "pillars"),
        ({"severity": "huge"}, "severity"),
    ],
)
def test_a_refused_report_names_the_field_and_writes_nothing(
    orebro: Flask, change: dict[str, Any], field: str
) -> None:
    manager = make_manager(org_unit=make_unit())
    with pytest.raises(ObstacleError) as refused:
        report(manager, **change)
    assert refused.value.field == field
    assert db.session.scalar(select(func.count()).select_from(Obstacle)) == 0


def test_a_pillar_alone_is_enough(orebro: Flask) -> None:
    obstacle = report(make_manager(org_unit=make_unit()), pillar_ids=[_pillar().id], expectation_ids=[])
    assert [p.key for p in obstacle.pillars] == ["secure"] and obstacle.expectations == []
