"""The items reminders are about: who receives which rows of an item, and what an e-mail says about it.

Each row is one e-mail to one person about one item at one occasion. Its `item_key` is
"activity:<id>:<due date>" or "review:<id>:<due date>": a new due date is a new occurrence (a fresh
set of reminders), while recomputing the same date never duplicates a row.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from lifecycle.enums import ActivityKind
from lifecycle.enums import ReminderOccurrence
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import DevelopmentPlan
from lifecycle.models import DevelopmentReview
from lifecycle.models import Manager
from lifecycle.models import User
from lifecycle.models.activities import activity_participants
from lifecycle.services.reminders.rules import ReminderKind
from lifecycle.services.reminders.rules import Rule
from lifecycle.services.reminders.schedule import schedule_days
from lifecycle.services.reminders.schedule import send_time_utc


@dataclass(frozen=True)
class Wanted:
    """A reminder row an item should have."""

    item_key: str
    recipient_id: int
    occurrence: ReminderOccurrence
    due_at: datetime
    activity_id: int | None = None
    review_id: int | None = None
    #: its own time had passed when it was computed: it goes out at the next send slot instead
    late: bool = False

    @property
    def key(self) -> tuple[str, int, ReminderOccurrence]:
        return (self.item_key, self.recipient_id, self.occurrence)


@dataclass
class _Person:
    """What deciding about a manager needs, loaded in bulk."""

    id: int
    name: str
    stage: Stage
    user_id: int | None
    line_manager_user_id: int | None
    hr_partner_id: int | None
    #: an anonymised person's items remind no one, whatever the stage says
    anonymised: bool = False


@dataclass
class ItemFacts:
    """Everything sync needs to know about a batch of items, loaded with a fixed number of queries."""

    activities: dict[int, Any] = field(default_factory=dict)
    participants: dict[int, list[int]] = field(default_factory=dict)
    reviews: dict[int, Any] = field(default_factory=dict)
    people: dict[int, _Person] = field(default_factory=dict)
    #: users who may receive e-mail (enabled, not a closed journey)
    reachable: set[int] = field(default_factory=set)


# Built once: a new alias on every call would cost SQLAlchemy a fresh adaptation (and its statement cache).
_LINE = aliased(Manager, name="line_manager")
_OWN_USER = aliased(User, name="own_user")
_LINE_USER = aliased(User, name="line_user")
_PARTNER = aliased(User, name="partner_user")
_PARTNER_OWN = aliased(Manager, name="partner_manager")
_RESPONSIBLE = aliased(User, name="responsible_user")
_RESPONSIBLE_OWN = aliased(Manager, name="responsible_manager")


def activity_key(activity_id: int, due_on: date) -> str:
    return f"activity:{activity_id}:{due_on.isoformat()}"


def review_key(review_id: int, due_on: date) -> str:
    return f"review:{review_id}:{due_on.isoformat()}"


def _reachable(user_id: int | None, enabled: bool | None, own_stage: Stage | None) -> bool:
    """Whether a user may receive e-mail: an enabled account whose own journey (if any) is not closed."""
    return bool(user_id) and bool(enabled) and own_stage is not Stage.CLOSED


def load_facts(activity_ids: Sequence[int], review_ids: Sequence[int]) -> ItemFacts:
    """Load the items, their people and who of them may be e-mailed: two or three queries per batch."""
    facts = ItemFacts()
    if activity_ids:
        for row in db.session.execute(
            select(
                Activity.id,
                Activity.kind,
                Activity.stage,
                Activity.due_on,
                Activity.completed_on,
                Activity.cancelled_at,
                Activity.responsible_id,
                Activity.title,
                activity_participants.c.manager_id,
                _RESPONSIBLE.is_enabled.label("responsible_enabled"),
                _RESPONSIBLE_OWN.stage.label("responsible_stage"),
            )
            .outerjoin(activity_participants, activity_participants.c.activity_id == Activity.id)
            .outerjoin(_RESPONSIBLE, _RESPONSIBLE.id == Activity.responsible_id)
            .outerjoin(_RESPONSIBLE_OWN, _RESPONSIBLE_OWN.user_id == Activity.responsible_id)
            .where(Activity.id.in_(activity_ids))
        ):
            facts.activities[row.id] = row
            if row.manager_id is not None:
                facts.participants.setdefault(row.id, []).append(row.manager_id)
            if _reachable(row.responsible_id, row.responsible_enabled, row.responsible_stage):
                facts.reachable.add(row.responsible_id)
    if review_ids:
        for review_row in db.session.execute(
            select(
                DevelopmentReview.id,
                DevelopmentReview.scheduled_on,
                DevelopmentReview.completed_on,
                DevelopmentPlan.manager_id,
            )
            .join(DevelopmentPlan, DevelopmentPlan.id == DevelopmentReview.plan_id)
            .where(DevelopmentReview.id.in_(review_ids))
        ):
            facts.reviews[review_row.id] = review_row
    manager_ids = {m for ids in facts.participants.values() for m in ids}
    manager_ids.update(row.manager_id for row in facts.reviews.values())
    if manager_ids:
        for row in db.session.execute(
            select(
                Manager.id,
                Manager.name,
                Manager.stage,
                Manager.user_id,
                Manager.hr_partner_id,
                Manager.anonymised_at,
                _OWN_USER.is_enabled.label("own_enabled"),
                _LINE.user_id.label("line_user_id"),
                _LINE.stage.label("line_stage"),
                _LINE_USER.is_enabled.label("line_enabled"),
                _PARTNER.is_enabled.label("partner_enabled"),
                _PARTNER_OWN.stage.label("partner_stage"),
            )
            .outerjoin(_OWN_USER, _OWN_USER.id == Manager.user_id)
            .outerjoin(_LINE, _LINE.id == Manager.line_manager_id)
            .outerjoin(_LINE_USER, _LINE_USER.id == _LINE.user_id)
            .outerjoin(_PARTNER, _PARTNER.id == Manager.hr_partner_id)
            .outerjoin(_PARTNER_OWN, _PARTNER_OWN.user_id == Manager.hr_partner_id)
            .where(Manager.id.in_(manager_ids))
        ):
            facts.people[row.id] = _Person(
                row.id,
                row.name,
                row.stage,
                row.user_id,
                row.line_user_id,
                row.hr_partner_id,
                anonymised=row.anonymised_at is not None,
            )
            # A user's own journey is the manager row whose account it is (user_id is unique).
            for user_id, enabled, stage in (
                (row.user_id, row.own_enabled, row.stage),
                (row.line_user_id, row.line_enabled, row.line_stage),
                (row.hr_partner_id, row.partner_enabled, row.partner_stage),
            ):
                if _reachable(user_id, enabled, stage):
                    facts.reachable.add(user_id)
    return facts


def _is_live(person: _Person, activity_stage: Stage | None = None) -> bool:
    """Whether reminders about this person's items still go out: not after they have left.

    Offboarding stops them, except for the offboarding's own activities (the exit interview);
    anonymisation stops them all, even on a journey still open.
    """
    if person.anonymised or person.stage is Stage.CLOSED:
        return False
    if person.stage is Stage.OFFBOARD:
        return activity_stage is Stage.OFFBOARD
    return True


def _rows(
    key: str,
    due_on: date,
    rule: Rule | None,
    first: Iterable[int | None],
    escalate: Iterable[int | None],
    reachable: set[int],
    *,
    activity_id: int | None = None,
    review_id: int | None = None,
) -> list[Wanted]:
    days = schedule_days(due_on, rule) if rule else dict.fromkeys(ReminderOccurrence, due_on)
    first_ids = sorted({u for u in first if u is not None and u in reachable})
    escalate_ids = sorted({u for u in escalate if u is not None and u in reachable})
    wanted: list[Wanted] = []
    for occurrence, day in days.items():
        recipients = escalate_ids if occurrence is ReminderOccurrence.ESCALATION else first_ids
        wanted.extend(
            Wanted(key, user_id, occurrence, send_time_utc(day), activity_id, review_id)
            for user_id in recipients
        )
    return wanted


def wanted_rows(facts: ItemFacts, rules: dict[ReminderKind, Rule] | None) -> dict[str, list[Wanted]]:
    """Return, per item ("activity:42" / "review:7"), the rows it should have now.

    Without `rules`, every occurrence counts (with a nominal time): who may receive what, for checking
    a row just before it is sent.
    """
    result: dict[str, list[Wanted]] = {}
    for activity_id, row in facts.activities.items():
        wanted: list[Wanted] = []
        if row.due_on is not None and row.completed_on is None and row.cancelled_at is None:
            subjects = [
                facts.people[m]
                for m in facts.participants.get(activity_id, [])
                if m in facts.people and _is_live(facts.people[m], row.stage)
            ]
            if subjects:
                kind = (
                    ReminderKind.INTRODUCTION
                    if row.kind is ActivityKind.INTRODUCTION_MILESTONE
                    else ReminderKind.ACTIVITY
                )
                first = [row.responsible_id] if row.responsible_id else [p.user_id for p in subjects]
                escalate = [u for p in subjects for u in (p.line_manager_user_id, p.hr_partner_id)]
                wanted = _rows(
                    activity_key(activity_id, row.due_on),
                    row.due_on,
                    rules[kind] if rules else None,
                    first,
                    escalate,
                    facts.reachable,
                    activity_id=activity_id,
                )
        result[f"activity:{activity_id}"] = wanted
    for review_id, row in facts.reviews.items():
        wanted = []
        person = facts.people.get(row.manager_id)
        if row.completed_on is None and person is not None and _is_live(person):
            wanted = _rows(
                review_key(review_id, row.scheduled_on),
                row.scheduled_on,
                rules[ReminderKind.REVIEW] if rules else None,
                [person.user_id, person.line_manager_user_id],
                [person.line_manager_user_id, person.hr_partner_id],
                facts.reachable,
                review_id=review_id,
            )
        result[f"review:{review_id}"] = wanted
    return result


# -- what an e-mail says about an item ----------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSummary:
    """What an e-mail says about one reminder: minimal, never review content."""

    reminder_id: int
    occurrence: ReminderOccurrence
    title: str
    subject_name: str
    due_on: date
    #: the manager the item is about
    manager_id: int
    #: the endpoint and its values of the page the recipient follows (their own plan is "plans.me")
    endpoint: str
    values: dict[str, int]

    @property
    def page(self) -> tuple[str, dict[str, int]]:
        """Return the endpoint and values of the item's page for anyone allowed to see it (HR)."""
        if self.endpoint == "plans.me":
            return "plans.show", {"manager_id": self.manager_id}
        return self.endpoint, self.values


def summarise(rows: Sequence[Any], facts: ItemFacts | None = None) -> dict[int, ItemSummary]:
    """Describe the items of these rows (from `facts` when the caller has loaded them already)."""
    if facts is None:
        facts = load_facts(
            [r.activity_id for r in rows if r.activity_id is not None],
            [r.review_id for r in rows if r.review_id is not None],
        )
    result = {}
    for row in rows:
        if row.activity_id is not None and row.activity_id in facts.activities:
            activity = facts.activities[row.activity_id]
            ids = facts.participants.get(row.activity_id, [])
            people = sorted((facts.people[m] for m in ids if m in facts.people), key=lambda p: (p.name, p.id))
            mine = [p for p in people if p.user_id == row.recipient_id]
            person: _Person | None = (mine or people)[0] if people else None
            own = bool(mine)
            manager_id = person.id if person else 0
            result[row.id] = ItemSummary(
                row.id,
                row.occurrence,
                activity.title,
                person.name if person else "",
                activity.due_on or row.due_at.date(),
                manager_id,
                "plans.me" if own else "plans.show",
                {} if own else {"manager_id": manager_id},
            )
        elif row.review_id is not None and row.review_id in facts.reviews:
            review = facts.reviews[row.review_id]
            subject = facts.people.get(review.manager_id)
            result[row.id] = ItemSummary(
                row.id,
                row.occurrence,
                _l("Development review"),
                subject.name if subject else "",
                review.scheduled_on,
                review.manager_id,
                "plans.review",
                {"manager_id": review.manager_id, "review_id": review.id},
            )
    return result
