"""Everything Chefsresan holds about one person, as one JSON document (GDPR, the right of access)."""

from __future__ import annotations

import base64
import enum
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column
from sqlalchemy import ColumnElement
from sqlalchemy import DateTime
from sqlalchemy import Table
from sqlalchemy import insert
from sqlalchemy import select

from lifecycle.db import utcnow
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import User
from lifecycle.services.gdpr.schema import PERSON_TABLES
from lifecycle.services.gdpr.schema import PersonLink
from lifecycle.services.gdpr.schema import RowKey
from lifecycle.services.gdpr.schema import chunks
from lifecycle.services.gdpr.schema import is_association
from lifecycle.services.gdpr.schema import is_secret_column
from lifecycle.services.gdpr.schema import person_links

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "chefsresan.personal-data/1"

# -- export -----------------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return {"base64": base64.b64encode(raw).decode("ascii")}
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_value(v) for v in value]
    return str(value)


@dataclass
class _Collection:
    """Rows found so far: the person's own (records) and other people's that name them (mentions)."""

    subject: dict[str, int | None]
    records: dict[str, dict[RowKey, dict[str, Any]]] = field(default_factory=dict)
    #: the reduced rows (key, the columns naming them, timestamps) by table and key
    mentions: dict[str, dict[RowKey, dict[str, Any]]] = field(default_factory=dict)

    def add_records(self, table: Table, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """Keep the rows; return those not seen before."""
        kept = self.records.setdefault(table.name, {})
        new = []
        for row in rows:
            key = _key(table, row)
            if key not in kept:
                kept[key] = row
                new.append(row)
        return new

    def add_mentions(self, table: Table, rows: Iterable[dict[str, Any]]) -> None:
        """Keep reduced rows; a row naming them in two columns gets both."""
        kept = self.mentions.setdefault(table.name, {})
        for row in rows:
            kept.setdefault(_key(table, row), {}).update(row)

    def is_someone_elses(self, table: Table, row: dict[str, Any], links: list[PersonLink]) -> bool:
        """Whether the row is another person's data: a subject column names someone else."""
        return any(
            link.is_subject
            and row.get(link.column.name) is not None
            and row[link.column.name] != self.subject.get(link.target)
            for link in links
        )


def _key(table: Table, row: dict[str, Any]) -> RowKey:
    return tuple(row[column.name] for column in table.primary_key.columns)


def _rows(table: Table, where: ColumnElement[bool]) -> list[dict[str, Any]]:
    return [dict(row) for row in db.session.execute(select(table).where(where)).mappings()]


def _is_timestamp(column: Column[Any]) -> bool:
    kind = column.type
    return isinstance(kind, DateTime) or isinstance(getattr(kind, "impl", None), DateTime)


def _mention_rows(link: PersonLink, ident: int) -> list[dict[str, Any]]:
    """Read only what a mention shows of someone else's row: its key, the column naming them, timestamps.

    The rest is the other person's data; it is never exported, so it is not read either (an HR user is
    the actor of thousands of audit rows).
    """
    table = link.table
    columns = list(table.primary_key.columns)
    columns += [
        column
        for column in table.columns
        if column not in columns
        and (column is link.column or _is_timestamp(column))
        and not is_secret_column(column.name)
    ]
    statement = select(*columns).where(link.column == ident)
    return [dict(row) for row in db.session.execute(statement).mappings()]


def _collect(manager: Manager | None, user: User | None) -> _Collection:
    """Walk the schema from the person's rows: every row that refers to them, and everything below."""
    db.session.flush()
    tables = db.metadata.tables
    found = _Collection(
        subject={"managers": manager.id if manager else None, "users": user.id if user else None}
    )
    links = person_links()
    links_of: dict[str, list[PersonLink]] = {}
    for link in links:
        links_of.setdefault(link.table.name, []).append(link)
    queue: list[tuple[Table, list[dict[str, Any]]]] = []
    for name, ident in found.subject.items():
        if ident is not None:
            table = tables[name]
            found.add_records(table, _rows(table, table.c.id == ident))
    for link in links:
        ident = found.subject[link.target]
        if ident is None:
            continue
        if link.is_subject:
            new = found.add_records(link.table, _rows(link.table, link.column == ident))
            if new:
                queue.append((link.table, new))
        else:
            found.add_mentions(link.table, _mention_rows(link, ident))
    # A link table naming them (activity_participants) stands for the rows it links them to.
    for table, rows in list(queue):
        if not is_association(table):
            continue
        for foreign_key in table.foreign_keys:
            parent = foreign_key.column.table
            if parent.name in PERSON_TABLES:
                continue
            values = sorted({row[foreign_key.parent.name] for row in rows})
            for chunk in chunks(values):
                new = found.add_records(parent, _rows(parent, foreign_key.column.in_(chunk)))
                if new:
                    queue.append((parent, new))
    # Everything below their rows (plan → goals, comments, reviews → assessments, activity → tags ...),
    # except rows that are someone else's (another participant's link, another recipient's e-mail).
    while queue:
        parent, parent_rows = queue.pop(0)
        if parent.name in PERSON_TABLES:
            continue
        for child in db.metadata.sorted_tables:
            if child.name in PERSON_TABLES:
                continue
            child_links = links_of.get(child.name, [])
            for foreign_key in child.foreign_keys:
                if foreign_key.column.table is not parent:
                    continue
                values = sorted(
                    {row[foreign_key.column.name] for row in parent_rows} - {None},
                    key=lambda v: (str(type(v)), v),
                )
                for chunk in chunks(values):
                    rows = [
                        row
                        for row in _rows(child, foreign_key.parent.in_(chunk))
                        if not found.is_someone_elses(child, row, child_links)
                    ]
                    new = found.add_records(child, rows)
                    if new:
                        queue.append((child, new))
    return found


def _record_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    return {
        column.name: _json_value(row[column.name])
        for column in table.columns
        if not is_secret_column(column.name)
    }


def _mention_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    return {column.name: _json_value(row[column.name]) for column in table.columns if column.name in row}


def _document(found: _Collection) -> dict[str, Any]:
    tables = db.metadata.tables
    records = {
        name: [_record_row(tables[name], row) for _row_key, row in sorted(rows.items(), key=_sort_key)]
        for name, rows in sorted(found.records.items())
        if rows
    }
    mentions: dict[str, list[dict[str, Any]]] = {}
    for name, entries in sorted(found.mentions.items()):
        own = found.records.get(name, {})
        kept = [
            _mention_row(tables[name], row)
            for key, row in sorted(entries.items(), key=_sort_key)
            if key not in own
        ]
        if kept:
            mentions[name] = kept
    return {
        "format": EXPORT_FORMAT,
        "exported_at": utcnow().isoformat(),
        "subject": {"manager_id": found.subject["managers"], "user_id": found.subject["users"]},
        "records": records,
        "mentions": mentions,
    }


def _sort_key(item: tuple[RowKey, Any]) -> tuple[str, ...]:
    return tuple(f"{value:>20}" if isinstance(value, int) else str(value) for value in item[0])


def event_row(
    action: str, actor: User | None, manager: Manager | None, user: User | None, source: str, **detail: Any
) -> dict[str, Any]:
    return {
        "occurred_at": utcnow(),
        "actor_id": actor.id if actor else None,
        "subject_manager_id": manager.id if manager else None,
        "subject_user_id": user.id if manager is None and user else None,
        "action": action,
        "object_type": "person" if manager else "account",
        "object_id": manager.id if manager else (user.id if user else None),
        "source": source,
        "detail": detail,
    }


def record_events(rows: list[dict[str, Any]]) -> None:
    """Add the audit rows in one statement (a retention batch records one per person)."""
    if rows:
        db.session.execute(insert(db.metadata.tables["audit_events"]), rows)


def _record_event(
    action: str, actor: User | None, manager: Manager | None, user: User | None, source: str, **detail: Any
) -> None:
    record_events([event_row(action, actor, manager, user, source, **detail)])


def export_person(manager: Manager, actor: User | None = None, source: str = "web") -> dict[str, Any]:
    """Return everything that refers to the person (and their account) as a JSON-serialisable dict.

    `records` holds their own data, grouped by table: every row whose subject column names them (their
    manager row and account, history, plans, activities, reminders, tokens, audit events about them ...)
    and every row below those (goals, comments on their plan, reviews, assessments, activity tags ...),
    except rows below that belong to someone else (another participant of a group activity, another
    person's reminder e-mail about the same item).

    `mentions` lists, in a reduced form, rows of other people's data in which they appear only as
    actor, author, responsible, line manager, mentor or HR partner (a move they made on someone else's
    journey, a comment they wrote on another plan): the row's key, the columns naming them and its
    timestamps. The rest of such a row is the other person's data, which an export must not disclose
    (GDPR art. 15(4)); HR can add it by hand after weighing the other person's rights.

    Secrets are never included (password hash, session and calendar tokens, token digests). Dates and
    times are ISO 8601 (times in UTC), enums their stored value, bytes UTF-8 text or base64. The export
    is recorded in the audit log (flushed; the caller commits).
    """
    user = manager.user
    document = _document(_collect(manager, user))
    _record_event("export", actor, manager, user, source)
    db.session.flush()
    logger.info("personal data of manager %s exported", manager.id)
    return document


def export_account(user: User, actor: User | None = None, source: str = "web") -> dict[str, Any]:
    """Return everything that refers to an account; with a journey, the same as `export_person`."""
    if user.manager is not None:
        return export_person(user.manager, actor, source)
    document = _document(_collect(None, user))
    _record_event("export", actor, None, user, source)
    db.session.flush()
    logger.info("personal data of user %s exported", user.id)
    return document
