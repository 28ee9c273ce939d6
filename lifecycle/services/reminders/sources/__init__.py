"""The kinds of item reminders are about, each declared once: a `ReminderSource`.

A source names its key prefix ("activity" in the item key "activity:42:2026-03-12"), its model, the
`Reminder` column that points at its item (nullable, ON DELETE CASCADE: deleting the item deletes its
rows), and says how to
- `load` a batch of its items with a fixed number of queries, returning the managers they are about
  (whose line manager, HR partner and account the shared code then loads once for every source),
- tell an item's `occasion`: its due date, HR's rule category, who is reminded first and who gets the
  escalation; or None while it wants no reminders (done, cancelled, its person has left),
- describe it for an e-mail and HR's page (`summary`: title, whom it is about, its date, its links),
- find its open items: every one (`open_conditions`, after a rule change) or a few managers' own
  (`open_items_of`, when a manager changes or leaves).

`items.SOURCES` registers them; sync, delivery and HR's pages go through it and never name a kind.
"""

from __future__ import annotations

from abc import ABC
from abc import abstractmethod
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any
from typing import Generic
from typing import NamedTuple
from typing import TypeVar
from typing import cast

from flask_babel import LazyString
from sqlalchemy import ColumnElement
from sqlalchemy.orm import InstrumentedAttribute

from lifecycle.enums import ReminderOccurrence
from lifecycle.enums import Stage
from lifecycle.services.reminders.rules import ReminderKind

T = TypeVar("T")


@dataclass
class Person:
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

    #: per source prefix, its items by id (each source decides what it keeps of an item)
    items: dict[str, dict[int, Any]] = field(default_factory=dict)
    people: dict[int, Person] = field(default_factory=dict)
    #: users who may receive e-mail (enabled, not a closed journey)
    reachable: set[int] = field(default_factory=set)


def is_reachable(user_id: int | None, enabled: bool | None, own_stage: Stage | None) -> bool:
    """Whether a user may receive e-mail: an enabled account whose own journey (if any) is not closed."""
    return bool(user_id) and bool(enabled) and own_stage is not Stage.CLOSED


def is_live(person: Person, item_stage: Stage | None = None) -> bool:
    """Whether reminders about this person's items still go out: not after they have left.

    Offboarding stops them, except for the offboarding's own activities (the exit interview);
    anonymisation stops them all, even on a journey still open.
    """
    if person.anonymised or person.stage is Stage.CLOSED:
        return False
    if person.stage is Stage.OFFBOARD:
        return item_stage is Stage.OFFBOARD
    return True


class Occasion(NamedTuple):
    """When an item is due, which of HR's rules applies, and who is reminded."""

    due_on: date
    rule: ReminderKind
    #: before and on the day (those not reachable are left out)
    first: Iterable[int | None]
    #: the escalation after the day
    escalate: Iterable[int | None]


@dataclass(frozen=True)
class Wording:
    """How an e-mail words a kind of item whose date is not a task "due" (a vacancy's closing date).

    Each text takes %(title)s, %(name)s (whom or what the item is about) and %(date)s.
    """

    before: LazyString
    due: LazyString
    overdue: LazyString
    subject_before: LazyString
    subject_due: LazyString
    subject_overdue: LazyString


@dataclass(frozen=True)
class ItemSummary:
    """What an e-mail says about one reminder: minimal, never review content."""

    reminder_id: int
    occurrence: ReminderOccurrence
    title: str
    subject_name: str
    due_on: date
    #: the endpoint and its values of the page the recipient follows (their own plan is "plans.me")
    endpoint: str
    values: dict[str, int]
    #: the endpoint and values of the item's page for anyone allowed to see it (HR)
    page: tuple[str, dict[str, int]]
    #: the e-mail's own words for this kind of item; None: the general ones ("... is due on ...")
    wording: Wording | None = None


@dataclass(frozen=True, eq=False)
class ReminderSource(ABC, Generic[T]):
    """One kind of item reminders are about (see the module's docstring); `T` is what `load` keeps."""

    #: the item key's first part, never changed once rows exist: "activity" in "activity:42:2026-03-12"
    prefix: str
    #: the item's model: `sync_reminders_for(item)` finds the item's source by it
    model: type[Any]
    #: the model's primary key
    id_column: InstrumentedAttribute[int]
    #: the `Reminder` column pointing at the item
    column: InstrumentedAttribute[int | None]
    #: what makes an item open (wanting reminders, as far as the item alone tells)
    open_conditions: tuple[ColumnElement[bool], ...]

    def key(self, item_id: int, due_on: date) -> str:
        """Return the item key of one occurrence: a new due date is a new set of reminders."""
        return f"{self.prefix}:{item_id}:{due_on.isoformat()}"

    def items(self, facts: ItemFacts) -> dict[int, T]:
        """Return this source's loaded items."""
        return cast(dict[int, T], facts.items.setdefault(self.prefix, {}))

    @abstractmethod
    def load(self, ids: Sequence[int], facts: ItemFacts) -> Iterable[int]:
        """Load these items into `items(facts)`; return the ids of the managers they are about.

        Users whom only the item brings (a responsible person) go into `facts.reachable` here when
        they may receive e-mail (`is_reachable`); the managers' own people are loaded once for all.
        """

    @abstractmethod
    def occasion(self, item: T, facts: ItemFacts) -> Occasion | None:
        """Return when the item is due and who is reminded, or None while it wants no reminders."""

    @abstractmethod
    def summary(self, row: Any, item: T, facts: ItemFacts) -> ItemSummary:
        """Describe the item for the reminder `row` (its id, recipient_id, occurrence and due_at)."""

    @abstractmethod
    def open_items_of(self, manager_ids: Sequence[int]) -> list[int]:
        """Return the ids of the open items about these managers."""
