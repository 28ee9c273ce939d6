"""One tagging mechanism: every tagged model gets its link tables, the reverse index and coverage."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.db import Base
from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import Pillar
from lifecycle.models.tags import TAGGED
from lifecycle.models.tags import TaggedWithoutPillarError
from lifecycle.models.tags import tag_tables
from lifecycle.services.coverage import coverage_of
from lifecycle.services.platform import get_platform
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform


def test_every_tagged_model_has_both_link_tables_with_the_reverse_index(app_ctx: Flask) -> None:
    assert set(TAGGED) >= {"activities", "catalogue_items", "template_milestones"}
    inspector = inspect(db.session.connection())
    for tags in TAGGED.values():
        for table, tag_column in ((tags.pillars, "pillar_id"), (tags.expectations, "expectation_id")):
            indexed = {tuple(index["column_names"]) for index in inspector.get_indexes(table.name)}
            assert (tag_column, tags.owner_column) in indexed, f"{table.name} lacks its reverse index"


def test_only_models_that_need_a_pillar_refuse_a_row_without_one() -> None:
    # A workshop discusses at least one pillar, and its group goals come from a pillar's outcome.
    assert {name for name, tags in TAGGED.items() if tags.needs_pillar} == {
        "activities",
        "workshops",
        "group_goals",
    }


# -- a model added later: declared through the helper, it is tagged and counted like the others ----------


@pytest.fixture
def throwaway(app_ctx: Flask) -> Iterator[type]:
    """A tagged model that exists for this test alone (its tables are dropped from the schema after)."""
    tags = tag_tables("throwaway_notes", "note_id", "throwaway_note", needs_pillar=True)

    class ThrowawayNote(Base):
        __tablename__ = "throwaway_notes"

        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        title: Mapped[str] = mapped_column(String(50))
        pillars: Mapped[list[Pillar]] = tags.pillar_relationship()
        expectations: Mapped[list[Expectation]] = tags.expectation_relationship()

    tables = [ThrowawayNote.__table__, tags.pillars, tags.expectations]
    connection = db.session.connection()
    for table in tables:
        table.create(connection)  # type: ignore[attr-defined]
    try:
        yield ThrowawayNote
    finally:
        db.session.rollback()
        for table in reversed(tables):
            table.drop(db.session.connection(), checkfirst=True)  # type: ignore[attr-defined]
            Base.metadata.remove(table)  # type: ignore[arg-type]
        TAGGED.pop("throwaway_notes", None)


def test_a_model_tagged_through_the_helper_is_counted_in_coverage(app_ctx: Flask, throwaway: type) -> None:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    platform = get_platform()
    assert platform is not None
    pillars = {p.key: p for p in platform.pillars}
    feedback = db.session.scalar(select(Expectation).where(Expectation.key == "leader.feedback"))
    db.session.add_all(
        [
            throwaway(title="Ett", pillars=[pillars["leader"]], expectations=[feedback]),
            throwaway(title="Två", pillars=[pillars["leader"], pillars["secure"]]),
        ]
    )
    db.session.flush()
    counts = coverage_of(TAGGED["throwaway_notes"], select(throwaway.id), list(platform.pillars))  # type: ignore[attr-defined]
    by_key = {c.pillar.key: c.count for c in counts}
    assert by_key == {"secure": 1, "developer": 0, "leader": 2}
    leader = next(c for c in counts if c.pillar.key == "leader")
    assert {e.expectation.key: e.count for e in leader.expectations}["leader.feedback"] == 1

    # It asked for at least one pillar, so a row without one is refused like an activity.
    db.session.add(throwaway(title="Utan"))
    with pytest.raises(TaggedWithoutPillarError):
        db.session.flush()
