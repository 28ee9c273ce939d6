"""Activities: adding them (from scratch or from the catalogue), tagging them, completing them."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lifecycle.db import utcnow
from lifecycle.enums import ActivityKind
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.i18n_messages import deferred
from lifecycle.models import Activity
from lifecycle.models import CatalogueItem
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import Pillar
from lifecycle.models import PlanGoal
from lifecycle.models import User
from lifecycle.services.coverage import refresh_coverage
from lifecycle.services.reminders import sync_reminders
from lifecycle.services.reminders import sync_reminders_for
from lifecycle.timeutil import local_today

logger = logging.getLogger(__name__)


class ActivityError(ValueError):
    """An activity breaks a rule; `field` names what to fix, the message is meant for the user."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _refuse_future(completed_on: date | None) -> None:
    """Something cannot be done later than today; a future date would count as coverage it is not."""
    if completed_on is not None and completed_on > local_today():
        raise ActivityError("completed_on", _l("The completion date cannot be in the future."))


def resolve_tags(
    pillar_keys: Iterable[str], expectation_keys: Iterable[str]
) -> tuple[list[Pillar], list[Expectation]]:
    """Return the pillars and expectations named by key; an expectation brings its pillar along.

    New tags may only name current parts of the platform; retired ones stay on history but are not
    handed out again.
    """
    pillar_keys = set(pillar_keys)
    expectation_keys = set(expectation_keys)
    expectations = list(db.session.scalars(select(Expectation).where(Expectation.key.in_(expectation_keys))))
    unknown = expectation_keys - {e.key for e in expectations}
    if unknown:
        raise ActivityError(
            "expectations", deferred("Unknown expectation: %(keys)s.", keys=", ".join(sorted(unknown)))
        )
    if any(e.is_retired for e in expectations):
        raise ActivityError(
            "expectations", deferred("A retired expectation cannot be chosen for something new.")
        )
    wanted_pillars = pillar_keys | {e.key.split(".", 1)[0] for e in expectations}
    pillars = list(db.session.scalars(select(Pillar).where(Pillar.key.in_(wanted_pillars))))
    unknown = wanted_pillars - {p.key for p in pillars}
    if unknown:
        raise ActivityError("pillars", deferred("Unknown pillar: %(keys)s.", keys=", ".join(sorted(unknown))))
    if any(p.is_retired for p in pillars):
        raise ActivityError("pillars", deferred("A retired pillar cannot be chosen for something new."))
    if not pillars:
        raise ActivityError("pillars", deferred("Choose at least one pillar the activity builds."))
    pillars.sort(key=lambda p: p.position)
    expectations.sort(key=lambda e: (e.pillar.position, e.position))
    return pillars, expectations


def add_activity(
    *,
    kind: ActivityKind,
    title: str,
    participants: list[Manager],
    pillars: list[Pillar],
    expectations: list[Expectation] | None = None,
    actor: User | None,
    description: str = "",
    stage: Stage | None = None,
    due_on: date | None = None,
    completed_on: date | None = None,
    responsible: User | None = None,
    responsible_note: str = "",
    catalogue_item: CatalogueItem | None = None,
    goal: PlanGoal | None = None,
    remind: bool = True,
) -> Activity:
    """Add an activity for one manager or a group; it must build at least one pillar.

    With a planned date and not done, its reminder e-mails are written with it (unless `remind` is
    False: a caller adding many syncs them once itself).
    """
    if not title.strip():
        raise ActivityError("title", _l("Give the activity a title."))
    if not participants:
        raise ActivityError("participants", _l("An activity needs at least one participant."))
    _refuse_future(completed_on)
    if not pillars:
        raise ActivityError("pillars", _l("Choose at least one pillar the activity builds."))
    if stage is None and len(participants) == 1:
        stage = participants[0].stage
    activity = Activity(
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        stage=stage,
        due_on=due_on,
        completed_on=completed_on,
        responsible=responsible,
        responsible_note=responsible_note.strip(),
        catalogue_item=catalogue_item,
        goal=goal,
        created_by_id=actor.id if actor else None,
        participants=list(participants),
        pillars=list(pillars),
        expectations=list(expectations or []),
    )
    db.session.add(activity)
    db.session.flush()
    if completed_on is not None:
        refresh_coverage(m.id for m in participants)
    if remind and due_on is not None and completed_on is None:
        sync_reminders_for(activity)
    logger.info("activity %s (%s) added for %d participants", activity.id, kind.value, len(participants))
    return activity


def add_from_catalogue(
    item: CatalogueItem,
    manager: Manager,
    actor: User | None,
    *,
    due_on: date | None = None,
    goal: PlanGoal | None = None,
) -> Activity:
    """Add a catalogue activity to a manager with the catalogue's pillars and expectations."""
    if not item.is_active:
        raise ActivityError("catalogue_item", _l("That activity is no longer offered."))
    return add_activity(
        kind=item.kind,
        title=item.title,
        description=item.description,
        participants=[manager],
        pillars=[p for p in item.pillars if not p.is_retired],
        expectations=[e for e in item.expectations if not e.is_retired],
        actor=actor,
        due_on=due_on,
        catalogue_item=item,
        goal=goal,
    )


def complete_activity(activity: Activity, on: date) -> None:
    """Mark the activity done on a date."""
    if activity.cancelled_at is not None:
        raise ActivityError("completed_on", _l("A cancelled activity cannot be completed."))
    _refuse_future(on)
    activity.completed_on = on
    refresh_coverage(m.id for m in activity.participants)
    sync_reminders_for(activity)


def reopen_activity(activity: Activity) -> None:
    """Mark a completed activity as not done after all."""
    activity.completed_on = None
    refresh_coverage(m.id for m in activity.participants)
    sync_reminders_for(activity)


def cancel_activity(activity: Activity) -> None:
    """Cancel an activity that will not happen; it stays in the history as cancelled."""
    activity.cancelled_at = utcnow()
    refresh_coverage(m.id for m in activity.participants)
    sync_reminders_for(activity)


def create_catalogue_item(
    *,
    title: str,
    kind: ActivityKind,
    description: str,
    pillars: list[Pillar],
    expectations: list[Expectation],
) -> CatalogueItem:
    """Add a reusable activity to the catalogue with its default tags."""
    if not title.strip():
        raise ActivityError("title", _l("Give the activity a title."))
    if not pillars:
        raise ActivityError("pillars", _l("Choose at least one pillar the activity builds."))
    item = CatalogueItem(
        title=title.strip(),
        kind=kind,
        description=description.strip(),
        pillars=list(pillars),
        expectations=list(expectations),
    )
    db.session.add(item)
    db.session.flush()
    return item


def set_catalogue_item_active(item: CatalogueItem, active: bool) -> None:
    """Offer a catalogue activity again, or stop offering it; activities made from it are untouched."""
    item.is_active = active
    db.session.flush()


@dataclass(frozen=True)
class ImportedActivity:
    """An activity as another system (a training system, a workshop list) describes it."""

    #: its id in that system, kept on the activity so the same row imported again finds it
    reference: str
    kind: ActivityKind
    title: str
    participants: list[Manager]
    pillars: list[Pillar]
    expectations: list[Expectation]
    description: str = ""
    due_on: date | None = None
    completed_on: date | None = None


def add_imported_activities(items: Sequence[ImportedActivity], actor: User | None) -> list[Activity]:
    """Add activities from another system, each remembering its reference; coverage is refreshed once."""
    activities = [
        add_activity(
            kind=item.kind,
            title=item.title,
            description=item.description,
            participants=item.participants,
            pillars=item.pillars,
            expectations=item.expectations,
            actor=actor,
            due_on=item.due_on,
            remind=False,
        )
        for item in items
    ]
    # Completed and referenced after adding, so coverage is recomputed once for the whole batch (not
    # once an activity) and the updates go to the database together.
    for activity, item in zip(activities, items, strict=True):
        _refuse_future(item.completed_on)
        activity.completed_on = item.completed_on
        activity.import_reference = item.reference
    refresh_coverage(m.id for item in items if item.completed_on for m in item.participants)
    db.session.flush()
    sync_reminders(activities=[a for a in activities if a.due_on is not None and a.completed_on is None])
    return activities


def update_imported_activities(changes: Sequence[tuple[Activity, ImportedActivity]]) -> None:
    """Bring imported activities in line with their source again; coverage follows, also for those removed."""
    touched: set[int] = set()
    for activity, item in changes:
        if activity.import_reference != item.reference:
            raise ValueError("an imported activity is updated only from its own reference")
        if activity.cancelled_at is not None:
            raise ActivityError("completed_on", _l("A cancelled activity cannot be changed by an import."))
        if not item.title.strip():
            raise ActivityError("title", _l("Give the activity a title."))
        if not item.participants:
            raise ActivityError("participants", _l("An activity needs at least one participant."))
        if not item.pillars:
            raise ActivityError("pillars", _l("Choose at least one pillar the activity builds."))
        _refuse_future(item.completed_on)
        touched.update(m.id for m in activity.participants)
        touched.update(m.id for m in item.participants)
        activity.kind = item.kind
        activity.title = item.title.strip()
        activity.description = item.description.strip()
        activity.due_on = item.due_on
        activity.completed_on = item.completed_on
        activity.participants = list(item.participants)
        activity.pillars = list(item.pillars)
        activity.expectations = list(item.expectations)
    refresh_coverage(touched)
    sync_reminders(activities=[activity for activity, _item in changes])
