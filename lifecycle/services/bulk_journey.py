"""Many people entering the journey at once (an import): set-based inserts instead of one person at a time.

`enter_journey_many` writes what `journey.enter_journey` writes for each person — the manager, the first
history row, the audit events and, for those entering the introduce stage, the default introduction
programme with its milestones and their reminders — but as a few multi-row statements per batch. The
reminders are computed by the reminder service's own batch entry point (`sync_reminders`), so the rules
live in one place. Flushes, never commits.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from typing import cast

from sqlalchemy import Table
from sqlalchemy import insert

from lifecycle.db import utcnow
from lifecycle.enums import ActivityKind
from lifecycle.enums import ResponsibleRole
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import AuditEvent
from lifecycle.models import IntroductionLaunch
from lifecycle.models import IntroductionTemplate
from lifecycle.models import Manager
from lifecycle.models import StageTransition
from lifecycle.models import User
from lifecycle.models.activities import ACTIVITY_TAGS
from lifecycle.models.activities import activity_participants
from lifecycle.services.audit import CREATE
from lifecycle.services.audit import MOVE
from lifecycle.services.audit import current_context
from lifecycle.services.introductions import default_template
from lifecycle.services.introductions import milestone_due_date
from lifecycle.services.journey import ENTRY_STAGES
from lifecycle.services.reminders import sync_reminders

logger = logging.getLogger(__name__)

_MANAGERS = cast(Table, Manager.__table__)
_TRANSITIONS = cast(Table, StageTransition.__table__)
_LAUNCHES = cast(Table, IntroductionLaunch.__table__)
_ACTIVITIES = cast(Table, Activity.__table__)
_AUDIT = cast(Table, AuditEvent.__table__)


@dataclass(frozen=True)
class NewPerson:
    """One person entering the journey: what `enter_journey` takes, with the line manager by id."""

    name: str
    stage: Stage
    effective_date: date
    employee_number: str | None = None
    email: str | None = None
    title: str | None = None
    org_unit_id: int | None = None
    line_manager_id: int | None = None
    start_date: date | None = None
    end_date: date | None = None


@dataclass(frozen=True)
class LineManagerFacts:
    """What a milestone's responsible person is found from: the line manager's account and name."""

    user_id: int | None
    name: str


def enter_journey_many(
    people: Sequence[NewPerson],
    actor: User | None,
    reason: str,
    line_managers: dict[int, LineManagerFacts],
    template: IntroductionTemplate | None = None,
) -> list[int]:
    """Add people to the journey in a few statements; returns their new ids, in order.

    `line_managers` holds the facts of every line manager the people name (new ones included, added
    to it here as they are created); `template` is the default introduction programme (None: none).
    """
    if not people:
        return []
    for person in people:
        if person.stage not in ENTRY_STAGES:
            raise ValueError(f"a journey cannot start at {person.stage.value}")
    now = utcnow()
    actor_id = actor.id if actor else None
    ids = list(
        db.session.execute(
            insert(_MANAGERS).returning(_MANAGERS.c.id, sort_by_parameter_order=True),
            [
                {
                    "name": person.name.strip(),
                    "employee_number": person.employee_number,
                    "email": person.email,
                    "title": person.title,
                    "org_unit_id": person.org_unit_id,
                    "line_manager_id": person.line_manager_id,
                    "start_date": person.start_date,
                    "end_date": person.end_date,
                    "stage": person.stage,
                    "stage_entered_on": person.effective_date,
                    "created_at": now,
                    "updated_at": now,
                }
                for person in people
            ],
        ).scalars()
    )
    for manager_id, person in zip(ids, people, strict=True):
        line_managers[manager_id] = LineManagerFacts(None, person.name.strip())
    transition_ids = list(
        db.session.execute(
            insert(_TRANSITIONS).returning(_TRANSITIONS.c.id, sort_by_parameter_order=True),
            [
                {
                    "manager_id": manager_id,
                    "from_stage": None,
                    "to_stage": person.stage,
                    "effective_date": person.effective_date,
                    "actor_id": actor_id,
                    "reason": reason,
                    "recorded_at": now,
                }
                for manager_id, person in zip(ids, people, strict=True)
            ],
        ).scalars()
    )
    events: list[dict[str, Any]] = []
    for manager_id, transition_id, person in zip(ids, transition_ids, people, strict=True):
        events.append(_event(manager_id, CREATE, "manager", manager_id, {}))
        events.append(
            _event(manager_id, MOVE, "stage", transition_id, {"from": None, "to": person.stage.value})
        )
    entering = [(i, p) for i, p in zip(ids, people, strict=True) if p.stage is Stage.INTRODUCE]
    if template is not None and template.milestones and entering:
        events.extend(_launch_many(entering, template, actor_id, line_managers, now))
    _record(events, now)
    logger.info("%d managers entered the journey (%d introduced)", len(ids), len(entering))
    return ids


def introduction_template() -> IntroductionTemplate | None:
    """Return the default programme new people in the introduce stage get, if it has milestones."""
    template = default_template()
    return template if template is not None and template.milestones else None


def _responsible(
    role: ResponsibleRole,
    named_user_id: int | None,
    person: NewPerson,
    manager_id: int,
    bosses: dict[int, LineManagerFacts],
) -> tuple[int | None, str]:
    """Mirror `introductions.launching._responsible` for someone just created.

    They have no account, HR partner or mentor yet.
    """
    if role is ResponsibleRole.NAMED:
        return named_user_id, ""
    if role is ResponsibleRole.MANAGER:
        return None, person.name.strip()
    if role is ResponsibleRole.LINE_MANAGER and person.line_manager_id is not None:
        boss = bosses.get(person.line_manager_id)
        if boss is not None:
            return boss.user_id, "" if boss.user_id is not None else boss.name
    return None, ""


def _launch_many(
    entering: list[tuple[int, NewPerson]],
    template: IntroductionTemplate,
    actor_id: int | None,
    bosses: dict[int, LineManagerFacts],
    now: Any,
) -> list[dict[str, Any]]:
    """Launch the programme for everyone entering: launches, milestone activities, their tags, reminders."""
    milestones = []
    for milestone in template.milestones:
        pillar_ids = [p.id for p in milestone.pillars if not p.is_retired]
        if not pillar_ids:
            logger.warning("milestone %s builds no current pillar; not launched", milestone.id)
            continue
        expectation_ids = [e.id for e in milestone.expectations if not e.is_retired]
        milestones.append((milestone, pillar_ids, expectation_ids))
    # The programme runs from the start date, or from the day they enter when there is none.
    starts = [person.start_date or person.effective_date for _id, person in entering]
    launch_ids = list(
        db.session.execute(
            insert(_LAUNCHES).returning(_LAUNCHES.c.id, sort_by_parameter_order=True),
            [
                {
                    "manager_id": manager_id,
                    "template_id": template.id,
                    "start_date": start,
                    "launched_at": now,
                    "launched_by_id": actor_id,
                }
                for (manager_id, _person), start in zip(entering, starts, strict=True)
            ],
        ).scalars()
    )
    rows: list[dict[str, Any]] = []
    owners: list[int] = []
    tags: list[tuple[list[int], list[int]]] = []
    for (manager_id, person), start, launch_id in zip(entering, starts, launch_ids, strict=True):
        for milestone, pillar_ids, expectation_ids in milestones:
            responsible_id, note = _responsible(
                milestone.responsible_role, milestone.responsible_user_id, person, manager_id, bosses
            )
            rows.append(
                {
                    "kind": ActivityKind.INTRODUCTION_MILESTONE,
                    "stage": Stage.INTRODUCE,
                    "title": milestone.title.strip(),
                    "description": (milestone.description or "").strip(),
                    "due_on": milestone_due_date(start, milestone.offset_amount, milestone.offset_unit),
                    "responsible_id": responsible_id,
                    "responsible_note": note.strip()[:200],
                    "created_by_id": actor_id,
                    "created_at": now,
                    "introduction_id": launch_id,
                    "template_milestone_id": milestone.id,
                }
            )
            owners.append(manager_id)
            tags.append((pillar_ids, expectation_ids))
    activity_ids: list[int] = []
    if rows:
        activity_ids = list(
            db.session.execute(
                insert(_ACTIVITIES).returning(_ACTIVITIES.c.id, sort_by_parameter_order=True), rows
            ).scalars()
        )
        db.session.execute(
            insert(activity_participants),
            [{"activity_id": a, "manager_id": m} for a, m in zip(activity_ids, owners, strict=True)],
        )
        db.session.execute(
            insert(ACTIVITY_TAGS.pillars),
            [
                {"activity_id": a, "pillar_id": p}
                for a, (pillar_ids, _e) in zip(activity_ids, tags, strict=True)
                for p in pillar_ids
            ],
        )
        expectation_rows = [
            {"activity_id": a, "expectation_id": e}
            for a, (_p, expectation_ids) in zip(activity_ids, tags, strict=True)
            for e in expectation_ids
        ]
        if expectation_rows:
            db.session.execute(insert(ACTIVITY_TAGS.expectations), expectation_rows)
        # The reminder service's batch entry point: a few queries per chunk of items, not per person.
        sync_reminders(activities=activity_ids, now=now)
    events = [
        _event(manager_id, CREATE, "introduction", launch_id, {})
        for (manager_id, _person), launch_id in zip(entering, launch_ids, strict=True)
    ]
    events.extend(
        _event(manager_id, CREATE, "activity", activity_id, {})
        for activity_id, manager_id in zip(activity_ids, owners, strict=True)
    )
    logger.info("introduction %s launched for %d managers", template.id, len(launch_ids))
    return events


def _event(
    manager_id: int, action: str, object_type: str, object_id: int, detail: dict[str, Any]
) -> dict[str, Any]:
    return {
        "subject_manager_id": manager_id,
        "subject_user_id": None,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "detail": detail,
    }


def _record(events: list[dict[str, Any]], now: Any) -> None:
    """Write the audit events the ORM hook would have written for these rows, in one statement."""
    if not events:
        return
    context = current_context()
    db.session.execute(
        insert(_AUDIT),
        [
            {**event, "occurred_at": now, "actor_id": context.actor_id, "source": context.source}
            for event in events
        ],
    )
