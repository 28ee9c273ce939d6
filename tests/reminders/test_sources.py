"""The declared kinds of item: each has a column of its own that deleting the item cascades to."""

from __future__ import annotations

from lifecycle.models import Reminder
from lifecycle.services.reminders import SOURCES


def test_every_source_has_its_own_prefix_and_an_indexed_cascading_column() -> None:
    assert len({s.prefix for s in SOURCES}) == len(SOURCES)
    for source in SOURCES:
        column = Reminder.__table__.c[source.column.key]
        (foreign_key,) = column.foreign_keys
        assert column.nullable and column.index
        assert foreign_key.ondelete == "CASCADE"
        assert foreign_key.column.table is source.model.__table__
        assert source.id_column.class_ is source.model


def test_every_item_column_of_the_outbox_belongs_to_a_source() -> None:
    items = {c.name for c in Reminder.__table__.c if c.foreign_keys} - {"recipient_id"}
    assert items == {s.column.key for s in SOURCES}
