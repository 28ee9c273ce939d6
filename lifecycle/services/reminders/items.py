"""The items reminders are about: who receives which rows of an item, and what an e-mail says about it.

Each row is one e-mail to one person about one item at one occasion. Its `item_key` is the item's
source prefix, id and due date ("activity:<id>:<due date>", "review:<id>:<due date>"): a new due date
is a new occurrence (a fresh set of reminders), while recomputing the same date never duplicates a row.
What differs between kinds of item is declared once per kind, in `sources/`; this module knows none.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from lifecycle.enums import ReminderOccurrence
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import User
from lifecycle.services.reminders.rules import ReminderKind
from lifecycle.services.reminders.rules import Rule
from lifecycle.services.reminders.schedule import schedule_days
from lifecycle.services.reminders.schedule import send_time_utc
from lifecycle.services.reminders.sources import ItemFacts
from lifecycle.services.reminders.sources import ItemSummary
from lifecycle.services.reminders.sources import Occasion
from lifecycle.services.reminders.sources import Person
from lifecycle.services.reminders.sources import ReminderSource
from lifecycle.services.reminders.sources import is_reachable
from lifecycle.services.reminders.sources.activities import ACTIVITIES
from lifecycle.services.reminders.sources.group_goals import GROUP_GOALS
from lifecycle.services.reminders.sources.interviews import INTERVIEWS
from lifecycle.services.reminders.sources.interviews import SCORECARDS
from lifecycle.services.reminders.sources.mentorships import MENTORSHIPS
from lifecycle.services.reminders.sources.obstacles import OBSTACLES
from lifecycle.services.reminders.sources.reviews import REVIEWS
from lifecycle.services.reminders.sources.vacancies import VACANCIES

#: every kind of item reminders are about, in the order sync writes their rows
SOURCES: tuple[ReminderSource[Any], ...] = (
    ACTIVITIES,
    REVIEWS,
    VACANCIES,
    INTERVIEWS,
    SCORECARDS,
    OBSTACLES,
    # -- mentoring --
    MENTORSHIPS,
    # -- workshops ----
    GROUP_GOALS,
)


@dataclass(frozen=True)
class Wanted:
    """A reminder row an item should have."""

    item_key: str
    recipient_id: int
    occurrence: ReminderOccurrence
    due_at: datetime
    #: the `Reminder` column pointing at the item (its source's), and the item's id
    column: str | None = None
    item_id: int | None = None
    #: its own time had passed when it was computed: it goes out at the next send slot instead
    late: bool = False

    @property
    def key(self) -> tuple[str, int, ReminderOccurrence]:
        return (self.item_key, self.recipient_id, self.occurrence)


# Built once: a new alias on every call would cost SQLAlchemy a fresh adaptation (and its statement cache).
_LINE = aliased(Manager, name="line_manager")
_OWN_USER = aliased(User, name="own_user")
_LINE_USER = aliased(User, name="line_user")
_PARTNER = aliased(User, name="partner_user")
_PARTNER_OWN = aliased(Manager, name="partner_manager")


def source_for(item: object) -> ReminderSource[Any]:
    """Return the source of a model instance (an `Activity`, a `DevelopmentReview` ...)."""
    for source in SOURCES:
        if isinstance(item, source.model):
            return source
    raise TypeError(f"no reminders are about a {type(item).__name__}")


def item_ids(rows: Iterable[Any]) -> dict[ReminderSource[Any], list[int]]:
    """Return, per source, the ids of the items these reminder rows are about."""
    rows = list(rows)
    return {
        source: sorted({i for r in rows if (i := getattr(r, source.column.key)) is not None})
        for source in SOURCES
    }


def load_facts(ids: Mapping[ReminderSource[Any], Sequence[int]]) -> ItemFacts:
    """Load the items, their people and who of them may be e-mailed: one query per source, one for people."""
    facts = ItemFacts()
    manager_ids: set[int] = set()
    for source, source_ids in ids.items():
        if source_ids:
            manager_ids.update(source.load(source_ids, facts))
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
            facts.people[row.id] = Person(
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
                if is_reachable(user_id, enabled, stage):
                    facts.reachable.add(user_id)
    return facts


def _rows(
    source: ReminderSource[Any], item_id: int, occasion: Occasion, rule: Rule | None, reachable: set[int]
) -> list[Wanted]:
    key, column = source.key(item_id, occasion.due_on), source.column.key
    days = (
        schedule_days(occasion.due_on, rule) if rule else dict.fromkeys(ReminderOccurrence, occasion.due_on)
    )
    first_ids = sorted({u for u in occasion.first if u is not None and u in reachable})
    escalate_ids = sorted({u for u in occasion.escalate if u is not None and u in reachable})
    wanted: list[Wanted] = []
    for occurrence, day in days.items():
        recipients = escalate_ids if occurrence is ReminderOccurrence.ESCALATION else first_ids
        wanted.extend(
            Wanted(key, user_id, occurrence, send_time_utc(day), column, item_id) for user_id in recipients
        )
    return wanted


def wanted_rows(facts: ItemFacts, rules: dict[ReminderKind, Rule] | None) -> dict[str, list[Wanted]]:
    """Return, per item ("activity:42" / "review:7"), the rows it should have now.

    Without `rules`, every occurrence counts (with a nominal time): who may receive what, for checking
    a row just before it is sent.
    """
    result: dict[str, list[Wanted]] = {}
    for source in SOURCES:
        for item_id, item in source.items(facts).items():
            occasion = source.occasion(item, facts)
            result[f"{source.prefix}:{item_id}"] = (
                _rows(source, item_id, occasion, rules[occasion.rule] if rules else None, facts.reachable)
                if occasion is not None
                else []
            )
    return result


def summarise(rows: Sequence[Any], facts: ItemFacts | None = None) -> dict[int, ItemSummary]:
    """Describe the items of these rows (from `facts` when the caller has loaded them already)."""
    if facts is None:
        facts = load_facts(item_ids(rows))
    result = {}
    for row in rows:
        for source in SOURCES:
            item_id = getattr(row, source.column.key)
            item = source.items(facts).get(item_id) if item_id is not None else None
            if item is not None:
                result[row.id] = source.summary(row, item, facts)
                break
    return result
