"""Pillar and expectation tags: one mechanism for every tagged thing (activities, milestones, the catalogue).

A tagged model declares its tags once:

    ACTIVITY_TAGS = tag_tables("activities", "activity_id", "activity", needs_pillar=True)

    class Activity(Base):
        pillars: Mapped[list[Pillar]] = ACTIVITY_TAGS.pillar_relationship()
        expectations: Mapped[list[Expectation]] = ACTIVITY_TAGS.expectation_relationship()

`tag_tables` makes the two link tables (`<prefix>_pillars`, `<prefix>_expectations`), each keyed by the
tagged row and the tag, with the reverse index (tag, row) that coverage and "who builds this pillar"
queries need. With `needs_pillar`, a row of the model is refused at flush when it has no pillar,
whichever code path made it. Queries read the tags through `TagTables` (its `pillars` and
`expectations` tables and their `owner` columns), never through hand-written tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import MetaData
from sqlalchemy import Table
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm import relationship

from lifecycle.db import Base


class TaggedWithoutPillarError(ValueError):
    """A row of a model that must build at least one pillar of the leadership platform has none."""


@dataclass(frozen=True)
class TagTables:
    """The pillar and expectation link tables of one tagged model."""

    #: the tagged model's table name, e.g. "activities"
    owner_table: str
    #: the link tables' column naming the tagged row, e.g. "activity_id"
    owner_column: str
    pillars: Table
    expectations: Table
    needs_pillar: bool

    @property
    def pillar_owner(self) -> Column[Any]:
        return self.pillars.c[self.owner_column]

    @property
    def expectation_owner(self) -> Column[Any]:
        return self.expectations.c[self.owner_column]

    def pillar_relationship(self) -> Any:
        """The model's `pillars`, in the platform's order."""
        return relationship(secondary=self.pillars, order_by="Pillar.position")

    def expectation_relationship(self) -> Any:
        """The model's `expectations`, in the platform's order."""
        return relationship(secondary=self.expectations, order_by="Expectation.position")


#: every tagged model's tables, by the tagged table's name
TAGGED: dict[str, TagTables] = {}


def _link_table(metadata: MetaData, name: str, owner: str, owner_column: str, tag: str) -> Table:
    tag_column = f"{tag}_id"
    return Table(
        name,
        metadata,
        Column(owner_column, ForeignKey(f"{owner}.id", ondelete="CASCADE"), primary_key=True),
        Column(tag_column, ForeignKey(f"{tag}s.id"), primary_key=True),
        # The primary key serves "the tags of this row"; this serves "the rows with this tag".
        Index(f"ix_{name}_{tag_column}", tag_column, owner_column),
    )


def tag_tables(
    owner_table: str,
    owner_column: str,
    prefix: str,
    *,
    needs_pillar: bool = False,
    metadata: MetaData | None = None,
) -> TagTables:
    """Make the tag tables of the model stored in `owner_table` (see the module's docstring)."""
    schema = metadata if metadata is not None else Base.metadata
    tables = TagTables(
        owner_table=owner_table,
        owner_column=owner_column,
        pillars=_link_table(schema, f"{prefix}_pillars", owner_table, owner_column, "pillar"),
        expectations=_link_table(schema, f"{prefix}_expectations", owner_table, owner_column, "expectation"),
        needs_pillar=needs_pillar,
    )
    TAGGED[owner_table] = tables
    return tables


@event.listens_for(Session, "before_flush")
def _refuse_rows_without_pillars(session: Session, flush_context: Any, instances: Any) -> None:
    """Refuse to save a row of a `needs_pillar` model that is tagged with no pillar."""
    for obj in list(session.new) + list(session.dirty):
        tables = TAGGED.get(getattr(obj, "__tablename__", ""))
        if tables is not None and tables.needs_pillar and not obj.pillars:
            raise TaggedWithoutPillarError(
                f"{obj.__tablename__} row {getattr(obj, 'title', '')!r} has no pillar"
            )
