"""Reminder e-mails: HR's rules, the outbox rows they give, claiming due rows and recording delivery.

The rows are the outbox. `sync_reminders_for()` writes them in the same transaction as the change that
makes them due (an activity's date, its completion, a review, a manager leaving). The dispatcher
(`claim_due_reminders`) claims due rows with a lease; a send task takes the claimed rows of a few
e-mails (`start_deliveries`), and for each e-mail in turn stores its marker (`take_delivery`), sends it
and records the outcome (`record_sent`, `record_failure`).

Each row is one e-mail to one person about one item at one occasion. Its `item_key` is
"activity:<id>:<due date>" or "review:<id>:<due date>": a new due date is a new occurrence (a fresh
set of reminders), while recomputing the same date never duplicates a row.

The one window where an e-mail may go out twice: the SMTP server accepted it but the "sent" commit did
not happen (the worker died). Before talking to SMTP a send stores the row's Message-ID (the marker);
a row that still has its marker when it is taken again (reclaimed after its lease, or its task given
back by Celery after a pool process died) is re-sent once, flagged `possible_duplicate` and with the
same Message-ID; if that happens a second time the row is parked as failed instead of sent a third time.
"""

from __future__ import annotations

import logging
import random
import smtplib
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from enum import StrEnum
from typing import Any
from typing import cast

from flask import current_app
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement
from sqlalchemy import Table
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import case
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import literal_column
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import tuple_
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm import aliased
from sqlalchemy.orm import joinedload

from lifecycle.db import utcnow
from lifecycle.enums import ActivityKind
from lifecycle.enums import Language
from lifecycle.enums import ReminderOccurrence
from lifecycle.enums import ReminderStatus
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import AppSetting
from lifecycle.models import DevelopmentPlan
from lifecycle.models import DevelopmentReview
from lifecycle.models import Manager
from lifecycle.models import Reminder
from lifecycle.models import User
from lifecycle.models.activities import activity_participants
from lifecycle.notifications import describe_failure
from lifecycle.services.workdays import is_working_day
from lifecycle.services.workdays import next_working_day
from lifecycle.timeutil import STOCKHOLM

logger = logging.getLogger(__name__)

RULES_KEY = "reminder_rules"
#: reminders go out at this local time on working days
SEND_TIME = time(8, 0)
#: the largest number of days before or after HR may choose
MAX_DAYS = 60
#: how many items one sync statement covers
_CHUNK = 500

#: the statuses in which a row may still be sent; everything else is final (until HR sends it again)
OPEN_STATUSES = (ReminderStatus.PENDING, ReminderStatus.SENDING)


class ReminderKind(StrEnum):
    """What a rule applies to."""

    INTRODUCTION = "introduction_milestone"
    REVIEW = "development_review"
    ACTIVITY = "activity"

    @property
    def title(self) -> LazyString:
        return {
            ReminderKind.INTRODUCTION: _l("Introduction milestones"),
            ReminderKind.REVIEW: _l("Development reviews"),
            ReminderKind.ACTIVITY: _l("Other activities with a planned date"),
        }[self]


class ReminderRuleError(ValueError):
    """A rule HR entered breaks a limit; `field` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Rule:
    """When to remind about one kind of item: N days before, on the day, and M days after (escalation)."""

    #: None: no reminder before the due date
    days_before: int | None = 3
    on_due_day: bool = True
    #: None: no escalation to the line manager and HR partner
    days_after: int | None = 2

    def as_json(self) -> dict[str, Any]:
        return {"days_before": self.days_before, "on_due_day": self.on_due_day, "days_after": self.days_after}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Rule:
        before, after = value.get("days_before"), value.get("days_after")
        return cls(
            days_before=int(before) if before else None,
            on_due_day=bool(value.get("on_due_day", True)),
            days_after=int(after) if after else None,
        )


DEFAULT_RULE = Rule()


# -- settings ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliverySettings:
    """How delivery behaves; every value comes from the app's configuration (and so the environment)."""

    lease: timedelta
    retry_base_seconds: float
    retry_max_seconds: float
    max_attempts: int
    batch_size: int
    #: e-mails per send task: fewer broker round trips and queries per e-mail, each still marked on its own
    send_batch: int = 10

    @classmethod
    def current(cls) -> DeliverySettings:
        config = current_app.config
        return cls(
            lease=timedelta(seconds=float(config.get("REMINDER_LEASE_SECONDS", 600))),
            retry_base_seconds=float(config.get("REMINDER_RETRY_BASE_SECONDS", 30)),
            retry_max_seconds=float(config.get("REMINDER_RETRY_MAX_SECONDS", 600)),
            max_attempts=int(config.get("REMINDER_MAX_ATTEMPTS", 12)),
            batch_size=int(config.get("REMINDER_BATCH_SIZE", 1000)),
            send_batch=max(1, int(config.get("REMINDER_SEND_BATCH", 10))),
        )

    def backoff(self, attempt: int) -> float:
        """Return the wait before the next try after `attempt` tries: exponential, capped, with jitter."""
        ceiling = min(self.retry_max_seconds, self.retry_base_seconds * 2 ** max(0, attempt - 1))
        # Full jitter in the upper half keeps retries of a burst from arriving together.
        return float(ceiling * (0.5 + random.random() / 2))  # noqa: S311 (not security)


def get_rules() -> dict[ReminderKind, Rule]:
    """Return HR's rule for every kind of item (the defaults where HR set none)."""
    setting = db.session.get(AppSetting, RULES_KEY)
    stored = setting.value if setting and isinstance(setting.value, dict) else {}
    return {
        kind: Rule.from_json(stored[kind.value]) if isinstance(stored.get(kind.value), dict) else DEFAULT_RULE
        for kind in ReminderKind
    }


def set_rules(rules: dict[ReminderKind, Rule]) -> None:
    """Store HR's rules; reminders already computed follow with `resync_open_items()`."""
    for rule in rules.values():
        for name, days in (("days_before", rule.days_before), ("days_after", rule.days_after)):
            if days is not None and not 1 <= days <= MAX_DAYS:
                raise ReminderRuleError(name, _l("Choose between 1 and %(max)s days.", max=MAX_DAYS))
    value = {kind.value: rule.as_json() for kind, rule in rules.items()}
    setting = db.session.get(AppSetting, RULES_KEY)
    if setting is None:
        db.session.add(AppSetting(key=RULES_KEY, value=value))
    else:
        setting.value = value
    db.session.flush()


# -- when ----------------------------------------------------------------------------------------------------


def previous_working_day(day: date) -> date:
    """Return `day` if it is a working day, else the last working day before it."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def send_time_utc(day: date) -> datetime:
    """Return 08:00 in Stockholm on `day`, in UTC (zoneinfo makes it right on both sides of DST)."""
    return datetime.combine(day, SEND_TIME, tzinfo=STOCKHOLM).astimezone(UTC)


def schedule_days(due_on: date, rule: Rule) -> dict[ReminderOccurrence, date]:
    """Return the day each reminder of an item due on `due_on` goes out.

    A reminder never goes out on a weekend or holiday. The one before and the one on the due day move
    to the previous working day (they are meant to arrive while there is still time to act); the
    escalation moves to the next working day (it must come after the due date). A reminder "before"
    that would fall on the same day as the due-day reminder is dropped.
    """
    days: dict[ReminderOccurrence, date] = {}
    # A date at the very edge of the calendar (year 1 or 9999, typed by mistake) has no day before or
    # after it: those reminders cannot exist, and the item is saved all the same.
    with suppress(OverflowError):
        due_day = previous_working_day(due_on)
        if rule.on_due_day:
            days[ReminderOccurrence.DUE] = due_day
        if rule.days_before:
            before = previous_working_day(due_on - timedelta(days=rule.days_before))
            if before < due_day:
                days[ReminderOccurrence.BEFORE] = before
    if rule.days_after:
        with suppress(OverflowError):
            days[ReminderOccurrence.ESCALATION] = next_working_day(due_on + timedelta(days=rule.days_after))
    return days


def next_send_slot(now: datetime) -> datetime:
    """Return the first 08:00 on a working day after `now`: when a reminder that is already late goes out."""
    local = now.astimezone(STOCKHOLM)
    day = local.date() if local.time() < SEND_TIME else local.date() + timedelta(days=1)
    return send_time_utc(next_working_day(day))


# -- who and what: the rows an item wants --------------------------------------------------------------------


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
class _ItemFacts:
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


def _load_facts(activity_ids: Sequence[int], review_ids: Sequence[int]) -> _ItemFacts:
    """Load the items, their people and who of them may be e-mailed: two or three queries per batch."""
    facts = _ItemFacts()
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


def _wanted(facts: _ItemFacts, rules: dict[ReminderKind, Rule] | None) -> dict[str, list[Wanted]]:
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


# -- sync: the outbox written with the change ----------------------------------------------------------------


def _insert(dialect: str) -> Any:
    return pg_insert if dialect == "postgresql" else sqlite_insert


#: the table itself: the send path's statements skip the ORM's per-statement work (it is the hot path)
_R = cast(Table, Reminder.__table__)
_U = cast(Table, User.__table__)


def _status_is(status: ReminderStatus) -> ColumnElement[bool]:
    # A literal, not a bound parameter, so PostgreSQL matches the partial indexes on status.
    return _R.c.status == literal_column(f"'{status.value}'")


def sync_reminders(
    activities: Iterable[Activity | int] = (),
    reviews: Iterable[DevelopmentReview | int] = (),
    now: datetime | None = None,
) -> None:
    """Bring the reminder rows of these items in line with their dates, state and people.

    Missing future rows are added (a row that exists is never added twice), waiting rows follow a
    changed time, and waiting rows the item no longer wants (done, cancelled, moved, the manager has
    left, another person is responsible) become cancelled; nothing is deleted. Flushes, never commits.
    """
    activity_ids = sorted({a if isinstance(a, int) else a.id for a in activities})
    review_ids = sorted({r if isinstance(r, int) else r.id for r in reviews})
    if not activity_ids and not review_ids:
        return
    db.session.flush()
    now = now or utcnow()
    rules = get_rules()
    for start in range(0, max(len(activity_ids), len(review_ids)), _CHUNK):
        _sync_chunk(activity_ids[start : start + _CHUNK], review_ids[start : start + _CHUNK], rules, now)


def sync_reminders_for(item: Activity | DevelopmentReview, now: datetime | None = None) -> None:
    """Bring one activity's or review's reminder rows in line with it (see `sync_reminders`)."""
    if isinstance(item, Activity):
        sync_reminders(activities=[item], now=now)
    else:
        sync_reminders(reviews=[item], now=now)


def catch_up(rows: Sequence[Wanted], now: datetime) -> list[Wanted]:
    """Return an item's rows as they go out when some of their times have already passed.

    An item can be late the moment its reminders are computed: created, imported or launched with a date
    in the past, or given an escalation by a rule change. What is late goes out at the next send slot
    instead of never: the on-the-day reminder (its text then says the item was due) and the escalation,
    each once. A reminder "before" that is late has nothing left to announce and is dropped, and whoever
    gets the escalation in the same slot is not also sent the on-the-day reminder.
    """
    if all(w.due_at > now for w in rows):
        return list(rows)
    slot = next_send_slot(now)
    moved = [
        replace(w, due_at=slot, late=True) if w.due_at <= now else w
        for w in rows
        if not (w.occurrence is ReminderOccurrence.BEFORE and w.due_at <= now)
    ]
    escalated_now = {
        w.recipient_id for w in moved if w.occurrence is ReminderOccurrence.ESCALATION and w.due_at == slot
    }
    return [
        w
        for w in moved
        if not (w.occurrence is ReminderOccurrence.DUE and w.late and w.recipient_id in escalated_now)
    ]


def _sync_chunk(
    activity_ids: Sequence[int], review_ids: Sequence[int], rules: dict[ReminderKind, Rule], now: datetime
) -> None:
    wanted_by_item = _wanted(_load_facts(activity_ids, review_ids), rules)
    wanted = {w.key: w for rows in wanted_by_item.values() for w in catch_up(rows, now)}
    conditions = []
    if activity_ids:
        conditions.append(Reminder.activity_id.in_(activity_ids))
    if review_ids:
        conditions.append(Reminder.review_id.in_(review_ids))
    existing = db.session.execute(
        select(Reminder.id, Reminder.item_key, Reminder.recipient_id, Reminder.occurrence, Reminder.status)
        .add_columns(Reminder.due_at)
        .where(or_(*conditions))
    ).all()
    seen: set[tuple[str, int, ReminderOccurrence]] = set()
    to_cancel: list[int] = []
    to_move: list[dict[str, Any]] = []
    to_revive: list[dict[str, Any]] = []
    for row in existing:
        key = (row.item_key, row.recipient_id, row.occurrence)
        seen.add(key)
        want = wanted.get(key)
        if want is None:
            if row.status is ReminderStatus.PENDING:
                to_cancel.append(row.id)
        elif row.status is ReminderStatus.PENDING and row.due_at != want.due_at:
            # A late row already due is left to the dispatcher: moving it to the next slot would delay it.
            if not (want.late and row.due_at <= now):
                to_move.append({"id": row.id, "due_at": want.due_at})
        elif row.status is ReminderStatus.CANCELLED and want.due_at > now:
            to_revive.append({"id": row.id, "due_at": want.due_at})
    new = [
        {
            "item_key": w.item_key,
            "activity_id": w.activity_id,
            "review_id": w.review_id,
            "recipient_id": w.recipient_id,
            "occurrence": w.occurrence,
            "due_at": w.due_at,
            "status": ReminderStatus.PENDING,
            "attempts": 0,
            "possible_duplicate": False,
            "created_at": now,
        }
        for key, w in wanted.items()
        if key not in seen and w.due_at > now
    ]
    if to_cancel:
        db.session.execute(
            update(Reminder)
            .where(Reminder.id.in_(to_cancel), _status_is(ReminderStatus.PENDING))
            .values(status=ReminderStatus.CANCELLED, lease_until=None),
            execution_options={"synchronize_session": False},
        )
    if to_move:
        db.session.execute(update(Reminder), to_move, execution_options={"synchronize_session": False})
    if to_revive:
        db.session.execute(
            update(Reminder),
            [
                {**r, "status": ReminderStatus.PENDING, "last_error": None, "message_id": None}
                for r in to_revive
            ],
            execution_options={"synchronize_session": False},
        )
    if new:
        dialect = db.session.get_bind().dialect.name
        # Two transactions syncing the same item at once: the unique key decides, the loser adds nothing.
        statement = _insert(dialect)(Reminder).on_conflict_do_nothing(
            index_elements=["item_key", "recipient_id", "occurrence"]
        )
        db.session.execute(statement, new)
    if to_cancel or to_move or to_revive or new:
        logger.info(
            "reminders synced: %d added, %d moved, %d revived, %d cancelled",
            len(new),
            len(to_move),
            len(to_revive),
            len(to_cancel),
        )


def _open_items_of(manager_ids: Sequence[int]) -> tuple[list[int], list[int]]:
    """Return the open activities and reviews (with a date) of these managers."""
    activity_ids = list(
        db.session.scalars(
            select(Activity.id)
            .join(activity_participants, activity_participants.c.activity_id == Activity.id)
            .where(
                activity_participants.c.manager_id.in_(manager_ids),
                Activity.due_on.is_not(None),
                Activity.completed_on.is_(None),
                Activity.cancelled_at.is_(None),
            )
            .distinct()
        )
    )
    review_ids = list(
        db.session.scalars(
            select(DevelopmentReview.id)
            .join(DevelopmentPlan, DevelopmentPlan.id == DevelopmentReview.plan_id)
            .where(DevelopmentPlan.manager_id.in_(manager_ids), DevelopmentReview.completed_on.is_(None))
        )
    )
    return activity_ids, review_ids


def sync_reminders_for_manager(manager: Manager, now: datetime | None = None) -> None:
    """Re-sync everything a manager's change touches: their own items and the reminders they receive.

    Called when they move on the journey (offboarded or closed: their reminders stop), and when their
    line manager, HR partner or account changes (escalations go to the new people).
    """
    db.session.flush()
    activity_ids, review_ids = _open_items_of([manager.id])
    # Items of others about which this person receives reminders (as line manager or responsible).
    user_ids = [u for u in (manager.user_id,) if u is not None]
    if user_ids:
        for activity_id, review_id in db.session.execute(
            select(Reminder.activity_id, Reminder.review_id)
            .where(Reminder.recipient_id.in_(user_ids), _status_is(ReminderStatus.PENDING))
            .distinct()
        ):
            if activity_id is not None:
                activity_ids.append(activity_id)
            if review_id is not None:
                review_ids.append(review_id)
        # The direct reports' open items, whose escalations go to this line manager.
        reports = list(db.session.scalars(select(Manager.id).where(Manager.line_manager_id == manager.id)))
        if reports:
            more_activities, more_reviews = _open_items_of(reports)
            activity_ids += more_activities
            review_ids += more_reviews
    sync_reminders(activities=activity_ids, reviews=review_ids, now=now)


def resync_open_items(
    now: datetime | None = None, batch: int = 2000, after_batch: Callable[[], None] | None = None
) -> int:
    """Re-sync every open item with a date (after HR changed the rules); returns how many were looked at.

    Works through the items by id in batches, flushing each and then calling `after_batch` (the task
    passes its commit, so no transaction grows with the number of items).
    """
    count = 0
    open_activities = (
        Activity.due_on.is_not(None),
        Activity.completed_on.is_(None),
        Activity.cancelled_at.is_(None),
    )
    for ids in _ids_in_batches(Activity.id, open_activities, batch):
        sync_reminders(activities=ids, now=now)
        if after_batch:
            after_batch()
        count += len(ids)
    for ids in _ids_in_batches(DevelopmentReview.id, (DevelopmentReview.completed_on.is_(None),), batch):
        sync_reminders(reviews=ids, now=now)
        if after_batch:
            after_batch()
        count += len(ids)
    return count


def _ids_in_batches(
    id_column: InstrumentedAttribute[int], conditions: Sequence[ColumnElement[bool]], batch: int
) -> Iterator[list[int]]:
    """Yield the ids of the matching rows in ascending batches (keyset paging, so each query is cheap)."""
    last = 0
    while ids := list(
        db.session.scalars(
            select(id_column).where(id_column > last, *conditions).order_by(id_column).limit(batch)
        )
    ):
        yield ids
        last = ids[-1]


# -- claiming: the dispatcher ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """A row the dispatcher claimed: the send task must present `attempt` to act on it."""

    reminder_id: int
    attempt: int
    recipient_id: int


@dataclass(frozen=True)
class ClaimBatch:
    """What one claim gave: single e-mails, and per digest reader all their rows for one e-mail."""

    single: list[Claim]
    digests: dict[int, list[Claim]]
    parked: int = 0
    #: a digest reader's rows taken back from an e-mail that may have arrived: each such e-mail again on
    #: its own, never with newer rows (the copy keeps the Message-ID, under which a mail system that drops
    #: duplicates would drop the newer rows with it)
    resends: list[list[Claim]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.single) + sum(len(c) for c in self.digests.values()) + sum(map(len, self.resends))

    def emails(self) -> list[list[Claim]]:
        """Return the claims of each e-mail to send."""
        return [[claim] for claim in self.single] + list(self.digests.values()) + self.resends


# Stored reasons are diagnostics in plain English, like the SMTP servers' own answers: the row is read
# by HR in whatever language they use, long after the worker that wrote it.
NO_ADDRESS = "The recipient has no e-mail address."
UNCERTAIN = (
    "delivery uncertain: the e-mail may have been sent twice already; it is not sent again automatically"
)


def claim_due_reminders(now: datetime | None = None, limit: int | None = None) -> ClaimBatch:
    """Claim due rows and rows whose lease expired: mark them sending with a lease, count the attempt.

    `FOR UPDATE SKIP LOCKED` on PostgreSQL lets several dispatchers run at once without claiming the
    same row; the guarded UPDATE makes a double claim impossible on every database. A digest reader's
    due rows are claimed all together, for one e-mail. Flushes; the caller commits before queueing.
    """
    settings = DeliverySettings.current()
    now = now or utcnow()
    limit = limit or settings.batch_size
    expired = db.session.execute(
        select(Reminder.id, Reminder.message_id, Reminder.possible_duplicate, Reminder.attempts)
        .where(_status_is(ReminderStatus.SENDING), Reminder.lease_until < now)
        .order_by(Reminder.lease_until)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    park: list[int] = []
    give_up: list[int] = []
    flag: list[int] = []
    reclaim: list[int] = []
    for row in expired:
        if row.attempts >= settings.max_attempts:
            give_up.append(row.id)
        elif row.message_id is not None and row.possible_duplicate:
            park.append(row.id)
        elif row.message_id is not None:
            flag.append(row.id)
        else:
            reclaim.append(row.id)
    if park:
        _finish(park, ReminderStatus.FAILED, UNCERTAIN, guard=_status_is(ReminderStatus.SENDING))
        logger.error("reminders %s parked: delivery uncertain after a second interrupted send", park)
    if give_up:
        _finish(
            give_up,
            ReminderStatus.FAILED,
            f"Gave up after {settings.max_attempts} attempts.",
            guard=_status_is(ReminderStatus.SENDING),
        )
    if flag:
        # A send reached SMTP and never confirmed: it may have arrived. Send once more, flagged.
        db.session.execute(
            update(Reminder)
            .where(Reminder.id.in_(flag))
            .values(possible_duplicate=True, message_id=None)
            .execution_options(synchronize_session=False)
        )
        logger.warning("reminders %s were interrupted after reaching SMTP; re-sending, flagged", flag)
    room = limit - len(expired)
    due_ids: list[int] = []
    if room > 0:
        due_ids = list(
            db.session.scalars(
                select(Reminder.id)
                .where(_status_is(ReminderStatus.PENDING), Reminder.due_at <= now)
                .order_by(Reminder.due_at, Reminder.id)
                .limit(room)
                .with_for_update(skip_locked=True)
            )
        )
    due_ids = _without_superseded(due_ids, now)
    flagged, reclaimed = set(flag), set(reclaim)
    marker_of = {row.id: row.message_id for row in expired if row.id in flagged}
    unsure = {row.id for row in expired if row.id in reclaimed and row.possible_duplicate}
    candidates = reclaim + flag + due_ids
    if not candidates:
        return ClaimBatch([], {}, parked=len(park) + len(give_up))
    claimed = _mark_sending(candidates, now, settings)
    digest_readers = set(
        db.session.scalars(
            select(User.id).where(User.id.in_({c.recipient_id for c in claimed}), User.wants_digest.is_(True))
        )
    )
    if digest_readers:
        # The rest of their due rows go into the same e-mail.
        claimed_ids = {c.reminder_id for c in claimed}
        more = [
            i
            for i in db.session.scalars(
                select(Reminder.id)
                .where(
                    _status_is(ReminderStatus.PENDING),
                    Reminder.due_at <= now,
                    Reminder.recipient_id.in_(digest_readers),
                )
                .with_for_update(skip_locked=True)
            )
            if i not in claimed_ids
        ]
        more = _without_superseded(more, now)
        if more:
            claimed += _mark_sending(more, now, settings)
    single = [c for c in claimed if c.recipient_id not in digest_readers]
    digests: dict[int, list[Claim]] = {}
    resends: dict[tuple[int, str], list[Claim]] = {}
    for claim in claimed:
        if claim.recipient_id not in digest_readers:
            continue
        # Rows taken back from an e-mail that may have arrived go out as that e-mail again: grouped by
        # the marker they carried, and those flagged without one (an ambiguous failure) apart too.
        taken_back = marker_of.get(claim.reminder_id) or ("" if claim.reminder_id in unsure else None)
        if taken_back is None:
            digests.setdefault(claim.recipient_id, []).append(claim)
        else:
            resends.setdefault((claim.recipient_id, taken_back), []).append(claim)
    return ClaimBatch(single, digests, parked=len(park) + len(give_up), resends=list(resends.values()))


SUPERSEDED = "Superseded: a later reminder of the same item to the same person was due as well."

#: how far along an item's reminders each occurrence is
_ADVANCE = {ReminderOccurrence.BEFORE: 0, ReminderOccurrence.DUE: 1, ReminderOccurrence.ESCALATION: 2}


def _without_superseded(ids: list[int], now: datetime) -> list[int]:
    """Cancel the due rows that a more advanced due row of the same item and person supersedes.

    After an outage (the worker or beat down for days) an item's reminder before, on the day and its
    escalation can all be due at once: each person gets the latest one only, not one per missed slot.
    Returns the ids left to claim.
    """
    if not ids:
        return ids
    later = aliased(Reminder, name="later")
    advance = case(_ADVANCE, value=Reminder.occurrence)
    later_advance = case(_ADVANCE, value=later.occurrence)
    superseded = list(
        db.session.scalars(
            select(Reminder.id).where(
                Reminder.id.in_(ids),
                exists().where(
                    later.item_key == Reminder.item_key,
                    later.recipient_id == Reminder.recipient_id,
                    later.status.in_([ReminderStatus.PENDING, ReminderStatus.SENDING, ReminderStatus.SENT]),
                    later.due_at <= now,
                    later_advance > advance,
                ),
            )
        )
    )
    if not superseded:
        return ids
    _finish(superseded, ReminderStatus.CANCELLED, SUPERSEDED, _status_is(ReminderStatus.PENDING))
    logger.info("reminders %s superseded by a later reminder due at the same time", superseded)
    gone = set(superseded)
    return [i for i in ids if i not in gone]


def _mark_sending(ids: list[int], now: datetime, settings: DeliverySettings) -> list[Claim]:
    claimable = or_(
        _status_is(ReminderStatus.PENDING),
        and_(_status_is(ReminderStatus.SENDING), _R.c.lease_until < now),
    )
    rows = db.session.execute(
        update(_R)
        .where(_R.c.id.in_(ids), claimable)
        .values(status=ReminderStatus.SENDING, lease_until=now + settings.lease, attempts=_R.c.attempts + 1)
        .returning(_R.c.id, _R.c.attempts, _R.c.recipient_id)
    ).all()
    return [Claim(row.id, row.attempts, row.recipient_id) for row in sorted(rows)]


def _finish(ids: Iterable[int], status: ReminderStatus, error: str | None, guard: ColumnElement[bool]) -> int:
    result = db.session.execute(
        update(_R)
        .where(_R.c.id.in_(list(ids)), guard)
        .values(status=status, last_error=error, lease_until=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# -- delivering: the send task -----------------------------------------------------------------------------


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


@dataclass
class Delivery:
    """One e-mail about to be sent: the rows it covers (each with its attempt) and the rendered message."""

    claims: list[Claim]
    recipient: Recipient
    message_id: str
    items: list[ItemSummary]
    possible_duplicate: bool
    message: Any = None


def message_id_for(reminder_ids: Sequence[int]) -> str:
    """Return the stable Message-ID of the e-mail carrying these rows: the same on every re-send."""
    base = current_app.config.get("BASE_URL") or "http://localhost"
    host = base.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    first = min(reminder_ids)
    name = f"reminder-{first}" if len(reminder_ids) == 1 else f"reminder-digest-{first}"
    return f"<{name}@chefsresan.{host}>"


def _owned(claims: Sequence[Claim]) -> ColumnElement[bool]:
    """Rows still sending under these very attempts: anything else belongs to a later claim."""
    # One row-value IN, whatever the number of claims: one cached statement shape, not an OR of
    # conditions that grows with the claims.
    return and_(
        tuple_(_R.c.id, _R.c.attempts).in_([(c.reminder_id, c.attempt) for c in claims]),
        _status_is(ReminderStatus.SENDING),
    )


# The two statements every e-mail runs, built once with parameters: building a statement costs more
# than running it on the database. "owned" takes the (id, attempt) pairs of `_owned`.
_OWNED = and_(
    tuple_(_R.c.id, _R.c.attempts).in_(bindparam("owned", expanding=True)),
    _status_is(ReminderStatus.SENDING),
)
# Taking also requires the row to be unmarked. Ownership is (id, attempt) while `sending`, and HR's
# "send again" starts the count at 0 again, so a very late copy of a task from before the resend presents
# the same (id, 1) as the new claim. Whoever marks the rows first sends; the other finds them marked and
# does not send (or, if it read them marked, re-sends once, flagged, like any task given back after SMTP).
# A task given back after SMTP, and the dispatcher taking a row back, clear the marker when they flag it.
_TAKE = (
    update(_R)
    .where(_OWNED, _R.c.message_id.is_(None))
    .values(message_id=bindparam("marker"), lease_until=bindparam("lease"))
    .returning(_R.c.id)
)
# Undoes a partial take: only the rows this very take marked.
_UNTAKE = (
    update(_R)
    .where(_R.c.id.in_(bindparam("ids", expanding=True)), _R.c.message_id == bindparam("marker"))
    .values(message_id=None)
)
_RENEW = update(_R).where(_OWNED).values(lease_until=bindparam("lease"))
_SENT = (
    update(_R)
    .where(_OWNED)
    .values(status=ReminderStatus.SENT, sent_at=bindparam("at"), lease_until=None, last_error=None)
)


def _owned_pairs(claims: Sequence[Claim]) -> list[tuple[int, int]]:
    return [(c.reminder_id, c.attempt) for c in claims]


def _summaries(rows: Sequence[Any], facts: _ItemFacts | None = None) -> dict[int, ItemSummary]:
    """Describe the items of these rows (from `facts` when the caller has loaded them already)."""
    if facts is None:
        facts = _load_facts(
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


@dataclass(frozen=True)
class Recipient:
    """What an e-mail needs to know about the person it goes to."""

    id: int
    email: str
    name: str
    language: Language | None
    wants_digest: bool


def start_deliveries(groups: Sequence[Sequence[Claim]]) -> list[Delivery]:
    """Take the claimed rows of one or more e-mails for sending; return the e-mails to send, rendered.

    Each group of claims is one e-mail (one row, or a digest reader's rows). Rows that belong to a later
    claim are left alone; rows no longer wanted (the item was done, moved, its manager left) are
    cancelled; an e-mail that cannot be sent (no address, a template error) fails alone, with the
    reason, and the others go on. A row that already carries its marker under this very attempt was
    handed to SMTP by an earlier run of the same task that died (a killed pool process gives its task
    back): like a reclaim by the dispatcher, it is sent once more, flagged, or parked if that already
    happened. Loads everything for all the e-mails with a fixed number of queries; stores no marker
    (`take_delivery` does, just before each e-mail goes out). Flushes.
    """
    from lifecycle.notifications import render_reminder_email

    claims = [c for group in groups for c in group]
    if not claims:
        return []
    rows = db.session.execute(
        select(
            _R.c.id,
            _R.c.item_key,
            _R.c.activity_id,
            _R.c.review_id,
            _R.c.recipient_id,
            _R.c.occurrence,
            _R.c.due_at,
            _R.c.message_id,
            _R.c.possible_duplicate,
            _U.c.email,
            _U.c.name,
            _U.c.language,
            _U.c.wants_digest,
        )
        .join(_U, _U.c.id == _R.c.recipient_id)
        .where(_owned(claims))
    ).all()
    if not rows:
        return []
    by_id = {r.id: r for r in rows}
    mine = [c for c in claims if c.reminder_id in by_id]
    # Still wanted? The item may have been done, moved or its manager may have left since the claim.
    facts = _load_facts(
        sorted({r.activity_id for r in rows if r.activity_id is not None}),
        sorted({r.review_id for r in rows if r.review_id is not None}),
    )
    # Whether each row is still wanted depends on the item and its people, not on when it goes out.
    wanted = _wanted(facts, None)
    wanted_keys = {w.key for ws in wanted.values() for w in ws}
    stale = [
        c
        for c in mine
        if (by_id[c.reminder_id].item_key, by_id[c.reminder_id].recipient_id, by_id[c.reminder_id].occurrence)
        not in wanted_keys
    ]
    if stale:
        _finish([c.reminder_id for c in stale], ReminderStatus.CANCELLED, None, _owned(stale))
        logger.info(
            "reminders %s no longer wanted; cancelled instead of sent", [c.reminder_id for c in stale]
        )
    marked = [c for c in mine if c not in stale and by_id[c.reminder_id].message_id is not None]
    park = [c for c in marked if by_id[c.reminder_id].possible_duplicate]
    flag = [c for c in marked if not by_id[c.reminder_id].possible_duplicate]
    if park:
        _finish([c.reminder_id for c in park], ReminderStatus.FAILED, UNCERTAIN, _owned(park))
        logger.error("reminders %s parked: delivery uncertain after a second interrupted send", park)
    if flag:
        # The marker is cleared as the dispatcher clears it on a take-back: `take_delivery` only marks
        # unmarked rows, and the flag alone now says that a copy may have arrived.
        db.session.execute(update(_R).where(_owned(flag)).values(possible_duplicate=True, message_id=None))
        logger.warning("reminders %s were interrupted after reaching SMTP; re-sending, flagged", flag)
    left_out = {c.reminder_id for c in stale} | {c.reminder_id for c in park}
    live = [c for c in mine if c.reminder_id not in left_out]
    if live:
        # A fresh lease for every e-mail of the task, not only the one at SMTP: behind a queue backlog or
        # a slow relay (each e-mail may take MAIL_TIMEOUT) the later e-mails' leases from claim time would
        # run out, and the dispatcher would take them back (an attempt each time) before they are tried.
        # Owned rows only: a row reclaimed meanwhile belongs to its new claim and is left alone.
        lease = utcnow() + DeliverySettings.current().lease
        db.session.execute(_RENEW, {"owned": _owned_pairs(live), "lease": lease})
    flagged = {c.reminder_id for c in flag}
    deliveries = []
    for group in groups:
        taken = sorted(
            (c for c in group if c.reminder_id in by_id and c.reminder_id not in left_out),
            key=lambda c: c.reminder_id,
        )
        if not taken:
            continue
        group_rows = [by_id[c.reminder_id] for c in taken]
        first = group_rows[0]
        recipient = Recipient(
            first.recipient_id, first.email or "", first.name, first.language, first.wants_digest
        )
        ids = [c.reminder_id for c in taken]
        if not recipient.email.strip():
            _finish(ids, ReminderStatus.FAILED, NO_ADDRESS, _owned(taken))
            continue
        # Described and rendered inside the try: whatever breaks for one e-mail fails it alone, with the
        # reason, and never leaves its rows `sending` or holds up the others of the task.
        try:
            summaries = _summaries(group_rows, facts)
            delivery = Delivery(
                claims=taken,
                recipient=recipient,
                message_id=message_id_for(ids),
                items=[summaries[r.id] for r in group_rows if r.id in summaries],
                possible_duplicate=any(r.possible_duplicate or r.id in flagged for r in group_rows),
            )
            delivery.message = render_reminder_email(delivery)
        except Exception as exc:  # a broken row must not hold up the others: it fails alone, with the reason
            logger.exception("reminders %s could not be rendered", ids)
            _finish(ids, ReminderStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000], _owned(taken))
            continue
        deliveries.append(delivery)
    return deliveries


def take_delivery(delivery: Delivery, now: datetime | None = None) -> bool:
    """Store the e-mail's Message-ID on its rows (the marker) and renew their lease, just before SMTP.

    Returns False when a row was lost to a reclaim since it was read, or another task holding the same
    claim marked it first: then nothing is marked and the e-mail is not sent (the new claim, or the next
    one after the lease, does the work). Flushes; the caller commits before talking to SMTP, so the
    marker is stored when the e-mail may leave.
    """
    now = now or utcnow()
    owned = _owned_pairs(delivery.claims)
    lease = now + DeliverySettings.current().lease
    taken = list(db.session.scalars(_TAKE, {"owned": owned, "marker": delivery.message_id, "lease": lease}))
    if len(taken) != len(owned):
        if taken:
            db.session.execute(_UNTAKE, {"ids": taken, "marker": delivery.message_id})
        return False
    return True


def record_sent(delivery: Delivery, now: datetime | None = None) -> bool:
    """Mark the delivery's rows sent; False if a later claim took them over meanwhile.

    The send task commits this together with the next e-mail's marker (or on its own after the last
    e-mail), so each e-mail costs one commit that waits for the disk.
    """
    now = now or utcnow()
    result = db.session.execute(_SENT, {"owned": _owned_pairs(delivery.claims), "at": now})
    done = int(getattr(result, "rowcount", 0) or 0)
    if done != len(delivery.claims):
        logger.warning(
            "reminder e-mail %s was sent after its lease passed to a new claim", delivery.message_id
        )
    return done == len(delivery.claims)


class Failure(StrEnum):
    PERMANENT = "permanent"
    #: the server refused for now; nothing was delivered
    TRANSIENT = "transient"
    #: the connection broke or timed out: the e-mail may or may not have been accepted
    AMBIGUOUS = "ambiguous"


def classify(exc: BaseException, reached_server: bool = True) -> Failure:
    """Tell a permanent SMTP failure (5xx, refused recipients) from one worth retrying.

    Before the connection stood (`reached_server` False) nothing can have been delivered. After it, an
    answer from the server is definite (4xx: later, 5xx: never), while a broken or timed-out
    connection leaves it open whether the server took the e-mail.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return Failure.PERMANENT if codes and all(c >= 500 for c in codes) else Failure.TRANSIENT
    if isinstance(exc, smtplib.SMTPResponseException):
        return Failure.PERMANENT if exc.smtp_code >= 500 else Failure.TRANSIENT
    if not reached_server:
        # Connection refused, a DNS failure, a connect timeout, TLS or login problems: worth a retry.
        return Failure.TRANSIENT if isinstance(exc, OSError) else Failure.PERMANENT
    if isinstance(exc, smtplib.SMTPServerDisconnected | TimeoutError | ConnectionError):
        return Failure.AMBIGUOUS
    if isinstance(exc, OSError):  # smtplib's other errors and socket errors
        return Failure.AMBIGUOUS
    return Failure.PERMANENT


@dataclass(frozen=True)
class Retry:
    """Try again after `countdown` seconds with these claims (their attempt counted up)."""

    countdown: float
    claims: list[Claim]


def record_failure(
    delivery: Delivery,
    exc: BaseException,
    *,
    reached_server: bool = True,
    now: datetime | None = None,
    countdown: float | None = None,
) -> Retry | None:
    """Record a failed send: permanent → failed at once; transient → the next attempt and its backoff.

    The row stays `sending` during the backoff with a lease that covers it, so if the retry message is
    lost (Redis flushed, worker killed) the dispatcher takes the row again when the lease runs out.
    `countdown` imposes the wait (a task retries all its failed e-mails in one message, after one wait);
    by default it follows the backoff of the attempt.
    """
    now = now or utcnow()
    settings = DeliverySettings.current()
    kind = classify(exc, reached_server)
    error = describe_failure(exc)
    ids = [c.reminder_id for c in delivery.claims]
    attempt = max(c.attempt for c in delivery.claims)
    if kind is Failure.PERMANENT:
        db.session.execute(
            update(_R)
            .where(_owned(delivery.claims))
            .values(status=ReminderStatus.FAILED, last_error=error, lease_until=None, message_id=None)
        )
        logger.warning("reminders %s failed for good: %s", ids, error)
        return None
    if kind is Failure.AMBIGUOUS and delivery.possible_duplicate:
        _finish(ids, ReminderStatus.FAILED, f"{UNCERTAIN} ({error})", _owned(delivery.claims))
        return None
    if attempt >= settings.max_attempts:
        _finish(
            ids,
            ReminderStatus.FAILED,
            f"Gave up after {attempt} attempts. {error}",
            _owned(delivery.claims),
        )
        logger.error("reminders %s: gave up after %d attempts: %s", ids, attempt, error)
        return None
    if countdown is None:
        countdown = settings.backoff(attempt)
    values: dict[str, Any] = {
        "attempts": _R.c.attempts + 1,
        "lease_until": now + timedelta(seconds=countdown) + settings.lease,
        "last_error": error,
        # Known not delivered: clear the marker. Maybe delivered: the next copy is flagged.
        "message_id": None,
    }
    if kind is Failure.AMBIGUOUS:
        values["possible_duplicate"] = True
    result = db.session.execute(update(_R).where(_owned(delivery.claims)).values(**values))
    if not getattr(result, "rowcount", 0):
        return None
    logger.info("reminders %s: %s (attempt %d); retrying in %.0f s", ids, error, attempt, countdown)
    return Retry(countdown, [Claim(c.reminder_id, c.attempt + 1, c.recipient_id) for c in delivery.claims])


# -- for the pages -------------------------------------------------------------------------------------------


def resend_reminder(reminder: Reminder, now: datetime | None = None) -> None:
    """Send a failed reminder again at the next dispatcher run (HR's "send again")."""
    if reminder.status is not ReminderStatus.FAILED:
        raise ReminderRuleError("status", _l("Only a failed reminder can be sent again."))
    reminder.status = ReminderStatus.PENDING
    reminder.due_at = now or utcnow()
    reminder.attempts = 0
    reminder.last_error = None
    reminder.message_id = None
    reminder.lease_until = None
    reminder.possible_duplicate = False
    db.session.flush()


def set_digest_preference(user: User, wants_digest: bool) -> None:
    """Choose one e-mail a day with all reminders, or one e-mail per reminder."""
    user.wants_digest = wants_digest
    db.session.flush()


def status_counts() -> dict[ReminderStatus, int]:
    """Return how many rows each status has (one aggregate query)."""
    counts = dict.fromkeys(ReminderStatus, 0)
    for status, count in db.session.execute(select(Reminder.status, func.count()).group_by(Reminder.status)):
        counts[status] = count
    return counts


@dataclass(frozen=True)
class ReminderLine:
    """A reminder row as the pages show it."""

    reminder: Reminder
    summary: ItemSummary | None


def reminder_lines(
    status: ReminderStatus,
    *,
    limit: int = 50,
    after: tuple[datetime, int] | None = None,
    recipient: User | None = None,
) -> list[ReminderLine]:
    """Return a page of rows in one status with their items, ordered for the page, keyset-paginated."""
    order_col: Any
    if status is ReminderStatus.PENDING:
        order_col = Reminder.due_at
        ascending = True
    elif status is ReminderStatus.SENT:
        order_col = Reminder.sent_at
        ascending = False
    else:
        order_col = Reminder.due_at
        ascending = False
    # The pages show the recipient's name only: not their roles and journey (eager by default on User).
    query = select(Reminder).where(_status_is(status)).options(joinedload(Reminder.recipient).lazyload("*"))
    if recipient is not None:
        query = query.where(Reminder.recipient_id == recipient.id)
    if after is not None:
        # A row comparison, not "a > x OR (a = x AND id > y)": PostgreSQL takes it as an index bound, so a
        # later page starts where the last one ended instead of scanning everything before it.
        position = tuple_(order_col, Reminder.id)
        query = query.where(position > after if ascending else position < after)
    query = (
        query.order_by(order_col.asc(), Reminder.id.asc())
        if ascending
        else query.order_by(order_col.desc(), Reminder.id.desc())
    )
    rows = list(db.session.scalars(query.limit(limit)).unique())
    summaries = _summaries(rows)
    return [ReminderLine(row, summaries.get(row.id)) for row in rows]
