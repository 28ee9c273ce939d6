"""One person's personal data (GDPR): export everything that refers to them, anonymise them, retention.

Both the export and the generic part of the anonymisation walk the model metadata rather than a list of
models, so a table added later is covered without anyone remembering to add it here:

- a column that refers to a person is any foreign key to `managers.id` or `users.id`. It either says
  whose data the row is (a *subject* column: not nullable or part of the primary key, like
  `development_plans.manager_id` or `api_tokens.user_id`) or that the person appears in someone else's
  row (a *mention*: nullable, like `stage_transitions.actor_id` or `managers.line_manager_id`). A column
  can state its kind with `info={"gdpr": "subject"}` or `info={"gdpr": "mention"}`; `SUBJECT_COLUMNS`
  holds the nullable columns that are subjects all the same.
- the anonymisation's sweep replaces the person's name, e-mail and employee number in every text, JSON
  and binary column of every table.
"""

from __future__ import annotations

import base64
import enum
import logging
import re
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import JSON
from sqlalchemy import Column
from sqlalchemy import ColumnElement
from sqlalchemy import DateTime
from sqlalchemy import Enum as SAEnum
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import and_
from sqlalchemy import cast
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from lifecycle.append_only import erasure_window
from lifecycle.db import utcnow
from lifecycle.enums import ReminderStatus
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import ApiToken
from lifecycle.models import AuditEvent
from lifecycle.models import DevelopmentPlan
from lifecycle.models import DevelopmentReview
from lifecycle.models import Manager
from lifecycle.models import ManagerChange
from lifecycle.models import PasswordResetToken
from lifecycle.models import PlanComment
from lifecycle.models import PlanGoal
from lifecycle.models import Reminder
from lifecycle.models import ReviewAssessment
from lifecycle.models import StageTransition
from lifecycle.models import User
from lifecycle.models.activities import activity_participants
from lifecycle.models.users import new_session_token
from lifecycle.timeutil import local_today

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "chefsresan.personal-data/1"
#: the tables of people; a foreign key to one of their ids refers to a person
PERSON_TABLES = ("managers", "users")
#: nullable columns that nonetheless say whose data the row is
SUBJECT_COLUMNS = frozenset({("audit_events", "subject_manager_id"), ("audit_events", "subject_user_id")})
#: columns never exported and never rewritten: secrets, and hashes of secrets
SECRET_NAMES = frozenset({"password", "password_hash", "session_token", "calendar_token", "token_digest"})
SECRET_SUFFIXES = ("_hash", "_token", "_digest", "_secret", "_password")
#: text columns that hold keys and identifiers, not prose: the sweep leaves them alone
STRUCTURAL_NAMES = frozenset({"item_key", "message_id", "path", "key", "digest", "prefix"})
#: the people's own identity columns: the sweep never renames someone who shares the person's name
IDENTITY_COLUMNS = frozenset(
    {
        ("managers", "name"),
        ("managers", "email"),
        ("managers", "employee_number"),
        ("users", "name"),
        ("users", "email"),
    }
)
#: details of a manager's record whose values in the change history identify them
PERSONAL_FIELDS = ("name", "email", "employee_number", "title")
#: identifying values shorter than this are not swept: they would match ordinary words and numbers
MIN_IDENTIFIER_LENGTH = 3
#: rows read or written per statement
CHUNK = 500
#: people anonymised per transaction by the retention job
RETENTION_BATCH = 50
DEFAULT_RETENTION_DAYS = 730


# -- the schema's references to people ---------------------------------------------------------------


@dataclass(frozen=True)
class PersonLink:
    """A column that refers to a person: the row is theirs (subject) or only mentions them."""

    table: Table
    column: Column[Any]
    #: "managers" or "users"
    target: str
    is_subject: bool

    @property
    def name(self) -> str:
        return f"{self.table.name}.{self.column.name}"


def _is_subject(table: Table, column: Column[Any]) -> bool:
    declared = column.info.get("gdpr")
    if declared in ("subject", "mention"):
        return bool(declared == "subject")
    if (table.name, column.name) in SUBJECT_COLUMNS:
        return True
    if table.name in PERSON_TABLES:
        # Another person's record naming them (line manager, mentor, HR partner).
        return False
    return bool(column.primary_key or not column.nullable)


def person_links() -> list[PersonLink]:
    """Return every column of the schema that refers to a manager or a user, classified."""
    links = []
    for table in db.metadata.sorted_tables:
        for foreign_key in sorted(table.foreign_keys, key=lambda fk: fk.parent.name):
            target = foreign_key.column.table.name
            if target in PERSON_TABLES and foreign_key.column.primary_key:
                column = foreign_key.parent
                links.append(PersonLink(table, column, target, _is_subject(table, column)))
    return links


def is_secret_column(name: str) -> bool:
    """Whether a column holds a secret (or a hash of one): never exported, never rewritten."""
    return name in SECRET_NAMES or name.endswith(SECRET_SUFFIXES)


def _is_association(table: Table) -> bool:
    """A pure link table (e.g. activity_participants): every column is a foreign key in the primary key."""
    return all(column.primary_key and column.foreign_keys for column in table.columns)


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


RowKey = tuple[Any, ...]


@dataclass
class _Collection:
    """Rows found so far: the person's own (records) and other people's that name them (mentions)."""

    subject: dict[str, int | None]
    records: dict[str, dict[RowKey, dict[str, Any]]] = field(default_factory=dict)
    mentions: dict[str, dict[RowKey, tuple[dict[str, Any], set[str]]]] = field(default_factory=dict)

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

    def add_mentions(self, table: Table, rows: Iterable[dict[str, Any]], column: str) -> None:
        kept = self.mentions.setdefault(table.name, {})
        for row in rows:
            key = _key(table, row)
            if key in kept:
                kept[key][1].add(column)
            else:
                kept[key] = (row, {column})

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


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


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
        rows = _rows(link.table, link.column == ident)
        if link.is_subject:
            new = found.add_records(link.table, rows)
            if new:
                queue.append((link.table, new))
        else:
            found.add_mentions(link.table, rows, link.column.name)
    # A link table naming them (activity_participants) stands for the rows it links them to.
    for table, rows in list(queue):
        if not _is_association(table):
            continue
        for foreign_key in table.foreign_keys:
            parent = foreign_key.column.table
            if parent.name in PERSON_TABLES:
                continue
            values = sorted({row[foreign_key.parent.name] for row in rows})
            for chunk in _chunks(values):
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
                for chunk in _chunks(values):
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


def _is_timestamp(column: Column[Any]) -> bool:
    kind = column.type
    return isinstance(kind, DateTime) or isinstance(getattr(kind, "impl", None), DateTime)


def _mention_row(table: Table, row: dict[str, Any], naming: set[str]) -> dict[str, Any]:
    keep = {column.name for column in table.primary_key.columns} | naming
    keep |= {column.name for column in table.columns if _is_timestamp(column)}
    return {
        column.name: _json_value(row[column.name])
        for column in table.columns
        if column.name in keep and not is_secret_column(column.name)
    }


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
            _mention_row(tables[name], row, naming)
            for key, (row, naming) in sorted(entries.items(), key=_sort_key)
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


def _record_event(
    action: str, actor: User | None, manager: Manager | None, user: User | None, source: str, **detail: Any
) -> None:
    db.session.add(
        AuditEvent(
            actor_id=actor.id if actor else None,
            subject_manager_id=manager.id if manager else None,
            subject_user_id=user.id if manager is None and user else None,
            action=action,
            object_type="person" if manager else "account",
            object_id=manager.id if manager else (user.id if user else None),
            source=source,
            detail=detail,
        )
    )


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


# -- anonymisation ----------------------------------------------------------------------------------


def _default_locale() -> str:
    return str(current_app.config.get("BABEL_DEFAULT_LOCALE", "sv"))


def removed_text() -> str:
    """Return what replaces erased free text (stored as plain text, in the default language)."""
    with force_locale(_default_locale()):
        return str(_("[removed]"))


def anonymised_label(manager_id: int) -> str:
    """Return the name an anonymised person is shown under: neutral, without any of their data."""
    with force_locale(_default_locale()):
        return str(_("Anonymised person %(number)d", number=manager_id))


def anonymised_email(user_id: int) -> str:
    """Return the unique, undeliverable address an anonymised account gets (the .invalid domain)."""
    return f"anonymised-{user_id}@invalid"


def _identifiers(manager: Manager, user: User | None) -> set[str]:
    """Return the values that identify the person: name, e-mail, employee number, now and earlier."""
    values: set[str | None] = {manager.name, manager.email, manager.employee_number}
    if user is not None and user.anonymised_at is None:
        values |= {user.name, user.email}
    for old, new in db.session.execute(
        select(ManagerChange.old_value, ManagerChange.new_value).where(
            ManagerChange.manager_id == manager.id,
            ManagerChange.field.in_(("name", "email", "employee_number")),
        )
    ):
        values |= {old, new}
    result = set()
    for value in values:
        cleaned = " ".join((value or "").split())
        if len(cleaned) >= MIN_IDENTIFIER_LENGTH:
            result.add(cleaned)
        elif cleaned:
            logger.warning(
                "manager %s: an identifier shorter than %d characters is not swept",
                manager.id,
                MIN_IDENTIFIER_LENGTH,
            )
    return result


def identifier_pattern(identifiers: Iterable[str]) -> re.Pattern[str] | None:
    """Return a case-insensitive pattern matching any identifier as a whole word (spacing may vary)."""
    parts = []
    for value in sorted(set(identifiers), key=len, reverse=True):
        words = [re.escape(word) for word in value.split()]
        if words:
            parts.append(r"\s+".join(words))
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def _like_pattern(value: str) -> str:
    """Return a LIKE pattern that finds `value` case-insensitively on SQLite and PostgreSQL alike.

    Only ASCII characters are matched literally (SQLite's lower() knows no others, and JSON may store
    them as \\u escapes); every other character and every space matches anything. It finds a superset:
    the Python pattern then decides.
    """
    pattern = "%"
    for char in value.lower():
        if char.isascii() and not char.isspace():
            pattern += "\\" + char if char in "\\%_" else char
        elif not pattern.endswith("%"):
            pattern += "%"
    return pattern if pattern.endswith("%") else pattern + "%"


def _sweep_kind(table: Table, column: Column[Any]) -> str | None:
    """Return how the sweep reads a column ("text", "json", "binary"), or None if it leaves it alone."""
    if column.primary_key or column.foreign_keys:
        return None
    if is_secret_column(column.name) or column.name in STRUCTURAL_NAMES:
        return None
    if (table.name, column.name) in IDENTITY_COLUMNS:
        return None
    kind = column.type
    if isinstance(kind, SAEnum):
        return None
    if isinstance(kind, String):
        return "text"
    if isinstance(kind, JSON):
        return "json"
    if isinstance(kind, LargeBinary):
        return "binary"
    return None


def swept_columns() -> list[tuple[Table, Column[Any], str]]:
    """Return every column the sweep reads, with how it reads it."""
    result = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            kind = _sweep_kind(table, column)
            if kind is not None:
                result.append((table, column, kind))
    return result


def _searchable(column: Column[Any], kind: str) -> ColumnElement[Any]:
    if kind == "text":
        return func.lower(column)
    if kind == "binary" and db.session.get_bind().dialect.name == "postgresql":
        # bytea as text with its ASCII intact; other bytes become escapes, which '%' matches.
        return func.lower(func.encode(column, "escape"))
    return func.lower(cast(column, Text))


def _replace_in(value: Any, kind: str, pattern: re.Pattern[str], replacement: str) -> Any:
    if value is None:
        return None
    if kind == "text":
        return pattern.sub(replacement, value)
    if kind == "json":
        return _replace_json(value, pattern, replacement)
    try:
        decoded = bytes(value).decode("utf-8")
    except UnicodeDecodeError:
        logger.warning("a binary value that is not UTF-8 text cannot be swept")
        return value
    return pattern.sub(replacement, decoded).encode("utf-8")


def _replace_json(value: Any, pattern: re.Pattern[str], replacement: str) -> Any:
    if isinstance(value, str):
        return pattern.sub(replacement, value)
    if isinstance(value, list):
        return [_replace_json(item, pattern, replacement) for item in value]
    if isinstance(value, dict):
        return {
            _replace_json(key, pattern, replacement): _replace_json(item, pattern, replacement)
            for key, item in value.items()
        }
    return value


def sweep_identifiers(identifiers: Iterable[str], replacement: str) -> int:
    """Replace the identifiers in every text, JSON and binary column of every table; return rows changed.

    Runs inside the erasure window (append-only history may be rewritten, never deleted).
    """
    values = sorted(set(identifiers))
    pattern = identifier_pattern(values)
    if pattern is None:
        return 0
    likes = sorted({_like_pattern(value) for value in values})
    changed = 0
    by_table: dict[Table, list[tuple[Column[Any], str]]] = {}
    for table, column, kind in swept_columns():
        by_table.setdefault(table, []).append((column, kind))
    for table, columns in by_table.items():
        keys = list(table.primary_key.columns)
        found = or_(
            *(_searchable(column, kind).like(like, escape="\\") for column, kind in columns for like in likes)
        )
        statement = select(*keys, *(column for column, _kind in columns)).where(found)
        updates: list[tuple[RowKey, dict[str, Any]]] = []
        for row in db.session.execute(statement.execution_options(yield_per=CHUNK)):
            changes = {}
            for index, (column, kind) in enumerate(columns):
                old = row[len(keys) + index]
                new = _replace_in(old, kind, pattern, replacement)
                if new != old:
                    changes[column.name] = new
            if changes:
                updates.append((tuple(row[: len(keys)]), changes))
        for key, changes in updates:
            db.session.execute(
                update(table)
                .where(and_(*(column == value for column, value in zip(keys, key, strict=True))))
                .values(changes)
            )
        changed += len(updates)
        if updates:
            logger.info("anonymisation sweep: %d rows of %s rewritten", len(updates), table.name)
    return changed


def _blank(column: Any, where: ColumnElement[bool], replacement: str) -> None:
    """Replace the free text in `column` of the rows `where` selects (empty stays empty)."""
    filled = column.is_not(None) & (column != "") & (column != replacement)
    db.session.execute(
        update(column.class_).where(where, filled).values({column.key: replacement}),
        execution_options={"synchronize_session": False},
    )


def _erase_journey(manager_ids: list[int], user_ids: list[int], removed: str) -> None:
    """Erase the free texts written by or about the people; stages, dates, kinds and tags stay."""
    plans = select(DevelopmentPlan.id).where(DevelopmentPlan.manager_id.in_(manager_ids))
    reviews = select(DevelopmentReview.id).where(DevelopmentReview.plan_id.in_(plans))
    # Their own activities; a group activity's texts belong to every participant (the sweep removes
    # their name from it).
    alone = (
        select(activity_participants.c.activity_id)
        .group_by(activity_participants.c.activity_id)
        .having(func.count() == 1, func.max(activity_participants.c.manager_id).in_(manager_ids))
    )
    _blank(DevelopmentPlan.notes, DevelopmentPlan.id.in_(plans), removed)
    _blank(PlanGoal.title, PlanGoal.plan_id.in_(plans), removed)
    _blank(PlanGoal.description, PlanGoal.plan_id.in_(plans), removed)
    comments: ColumnElement[bool] = PlanComment.plan_id.in_(plans)
    if user_ids:
        comments = or_(comments, PlanComment.author_id.in_(user_ids))
    _blank(PlanComment.body, comments, removed)
    _blank(DevelopmentReview.next_steps, DevelopmentReview.id.in_(reviews), removed)
    _blank(ReviewAssessment.comment, ReviewAssessment.review_id.in_(reviews), removed)
    _blank(Activity.description, Activity.id.in_(alone), removed)
    _blank(Activity.responsible_note, Activity.id.in_(alone), removed)
    # Titles from HR's catalogue or an introduction template are HR's words, not about the person.
    own_title = and_(
        Activity.id.in_(alone), Activity.catalogue_item_id.is_(None), Activity.template_milestone_id.is_(None)
    )
    _blank(Activity.title, own_title, removed)
    _blank(StageTransition.reason, StageTransition.manager_id.in_(manager_ids), removed)
    personal = and_(ManagerChange.manager_id.in_(manager_ids), ManagerChange.field.in_(PERSONAL_FIELDS))
    _blank(ManagerChange.old_value, personal, removed)
    _blank(ManagerChange.new_value, personal, removed)
    # E-mails waiting to go to them or about their items are cancelled; what they would have said goes.
    waiting = [Reminder.review_id.in_(reviews), Reminder.activity_id.in_(alone)]
    if user_ids:
        waiting.append(Reminder.recipient_id.in_(user_ids))
    db.session.execute(
        update(Reminder)
        .where(Reminder.status == ReminderStatus.PENDING, or_(*waiting))
        .values(status=ReminderStatus.CANCELLED, lease_until=None, last_error=None, message_id=None),
        execution_options={"synchronize_session": False},
    )
    if user_ids:
        # An SMTP error about their mailbox quotes their address.
        db.session.execute(
            update(Reminder)
            .where(Reminder.recipient_id.in_(user_ids), Reminder.last_error.is_not(None))
            .values(last_error=None),
            execution_options={"synchronize_session": False},
        )


def _erase_account(user: User, label: str, removed: str, now: datetime) -> None:
    """Disable the account for good: sessions end, no password, tokens revoked, no personal data left."""
    user.name = label
    user.email = anonymised_email(user.id)
    user.is_enabled = False
    user.session_token = new_session_token()
    user.password_hash = None
    user.calendar_token = None
    user.anonymised_at = now
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id).values(name=removed),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id),
        execution_options={"synchronize_session": False},
    )


def anonymise_people(
    managers: Sequence[Manager], actor: User | None, source: str = "web", **detail: Any
) -> list[int]:
    """Anonymise several people in one transaction (one sweep for all); return the ids anonymised.

    See `anonymise_person`; people already anonymised are skipped.
    """
    pending = [manager for manager in managers if manager.anonymised_at is None]
    if not pending:
        return []
    db.session.flush()
    now = utcnow()
    removed = removed_text()
    identifiers: set[str] = set()
    accounts: list[tuple[Manager, User | None]] = []
    for manager in pending:
        user = manager.user
        identifiers |= _identifiers(manager, user)
        accounts.append((manager, user if user is not None and user.anonymised_at is None else None))
    manager_ids = [manager.id for manager in pending]
    user_ids = [user.id for _manager, user in accounts if user is not None]
    with erasure_window(db.session()):
        _erase_journey(manager_ids, user_ids, removed)
        for manager, user in accounts:
            label = anonymised_label(manager.id)
            manager.name = label
            manager.email = None
            manager.employee_number = None
            manager.title = None
            manager.anonymised_at = now
            if user is not None:
                _erase_account(user, label, removed, now)
            _record_event("anonymise", actor, manager, None, source, **detail)
        db.session.flush()
        sweep_identifiers(identifiers, removed)
    # Core statements changed rows behind the session's back: read them again.
    db.session.expire_all()
    logger.info("anonymised managers %s", ",".join(str(i) for i in manager_ids))
    return manager_ids


def anonymise_person(manager: Manager, actor: User | None, source: str = "web") -> bool:
    """Erase the person's personal data and keep what statistics need; False if already anonymised.

    Their name becomes a neutral label and their e-mail, employee number and title are cleared; the free
    texts written by or about them (plan notes, goals, comments on their plan and comments they wrote,
    review next steps and assessment comments, their own activities' descriptions, notes and titles,
    the reasons in their history, the old and new values of their personal details in the change log)
    become "[removed]"; their account is disabled with its sessions ended, password, calendar address
    and reset links gone and API tokens revoked; e-mails waiting to go to them or about their items
    are cancelled. Finally every text, JSON and binary column of every table is swept for their name,
    e-mail and employee number (someone else's comment that names them, an imported file).

    Stages, dates, activity kinds, pillar tags, completions, pillar coverage and assessment scores stay,
    so statistics and pillar counts do not change. One audit event records it. The service flushes;
    the caller commits.
    """
    return bool(anonymise_people([manager], actor, source))


# -- retention --------------------------------------------------------------------------------------


def retention_period() -> timedelta:
    """Return how long a closed journey is kept before it is anonymised (`GDPR_RETENTION_DAYS`)."""
    days = int(current_app.config.get("GDPR_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))
    return timedelta(days=max(0, days))


def retention_candidates(today: date, period: timedelta, limit: int | None = None) -> list[Manager]:
    """Return the closed journeys, not yet anonymised, closed longer than `period` before `today`."""
    statement = (
        select(Manager)
        .where(
            Manager.stage == Stage.CLOSED,
            Manager.stage_entered_on < today - period,
            Manager.anonymised_at.is_(None),
        )
        .order_by(Manager.id)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return list(db.session.scalars(statement))


def apply_retention(
    today: date | None = None,
    batch: int = RETENTION_BATCH,
    after_batch: Callable[[], None] | None = None,
) -> list[int]:
    """Anonymise every closed journey past the retention period; return their ids.

    People are taken `batch` at a time, and `after_batch` (the task's commit) runs after each, so a
    long backlog is not one huge transaction. Running it again finds nobody new.
    """
    day = today or local_today()
    period = retention_period()
    done: list[int] = []
    while True:
        people = retention_candidates(day, period, limit=batch)
        if not people:
            break
        done += anonymise_people(people, None, source="system", reason="retention")
        if after_batch is not None:
            after_batch()
        if len(people) < batch:
            break
    if done:
        logger.info("retention: %d closed journeys anonymised", len(done))
    return done
