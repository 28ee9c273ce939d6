"""One person's personal data (GDPR): export everything that refers to them, anonymise them, retention.

Both the export and the generic part of the anonymisation walk the model metadata rather than a list of
models, so a table added later is covered without anyone remembering to add it here:

- a column that refers to a person is any foreign key to `managers.id` or `users.id`. It either says
  whose data the row is (a *subject* column: not nullable or part of the primary key, like
  `development_plans.manager_id` or `api_tokens.user_id`) or that the person appears in someone else's
  row (a *mention*: nullable, like `stage_transitions.actor_id` or `managers.line_manager_id`). A column
  can state its kind with `info={"gdpr": "subject"}` or `info={"gdpr": "mention"}`; `SUBJECT_COLUMNS`
  holds the nullable columns that are subjects all the same.
- the anonymisation's sweep is the opposite: it rewrites only the free-text columns declared in
  `SWEPT_COLUMNS` (notes, comments, reasons, error messages, imported files), where it replaces the
  person's full name and e-mail address, now and earlier. Their employee number is replaced only where it
  stands on its own in imported data (`NUMBER_COLUMNS`) or right next to their name or e-mail: "2025" in
  another manager's plan is a year, not her. Every other text column is listed in `UNSWEPT_COLUMNS`
  with the reason, and the tests fail on a text column in neither list, so a new free-text column is
  reviewed rather than forgotten.
"""

from __future__ import annotations

import base64
import csv
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
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON
from sqlalchemy import Column
from sqlalchemy import ColumnElement
from sqlalchemy import DateTime
from sqlalchemy import LargeBinary
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import and_
from sqlalchemy import cast
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import selectinload

from lifecycle.append_only import erasure_window
from lifecycle.db import utcnow
from lifecycle.enums import ReminderStatus
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import ApiToken
from lifecycle.models import DevelopmentPlan
from lifecycle.models import DevelopmentReview
from lifecycle.models import Invitation
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
#: The free-text columns that may mention a person (a name or an e-mail address in a note, a comment, a
#: reason, an error message, an imported file): the only columns the anonymisation's sweep rewrites.
#: Of the append-only tables, only stage_transitions.reason, manager_changes.old_value/new_value and
#: audit_events.detail may change inside the erasure window, so nothing else of theirs belongs here.
SWEPT_COLUMNS = frozenset(
    {
        ("development_plans", "notes"),
        ("plan_goals", "title"),
        ("plan_goals", "description"),
        ("plan_comments", "body"),
        ("development_reviews", "next_steps"),
        ("review_assessments", "comment"),
        ("activities", "title"),
        ("activities", "description"),
        ("activities", "responsible_note"),
        ("stage_transitions", "reason"),
        ("manager_changes", "old_value"),
        ("manager_changes", "new_value"),
        ("audit_events", "detail"),
        ("reminders", "last_error"),
        ("api_tokens", "name"),
        ("manager_imports", "filename"),
        ("manager_imports", "content"),
        ("manager_imports", "summary"),
        # why an import failed: the app's own messages, but one may quote a value of the file
        ("manager_imports", "failure"),
    }
)
#: Imported data, where a person's employee number stands on its own: the cells of an uploaded CSV
#: file's employee-number columns ("csv"), a value or a message of the import's report ("report").
#: Anywhere else a number is a year, a count or a code as often as it is someone, so it is removed only
#: right next to their name or e-mail.
NUMBER_COLUMNS = {
    ("manager_imports", "content"): "csv",
    ("manager_imports", "summary"): "report",
}
#: Text columns that cannot mention a person, so the sweep never touches them:
#: - HR's and the platform's own texts: the catalogue, introduction templates and their milestones, the
#:   organisation, the platform with its pillars and expectations, the settings;
#: - keys, codes, digests and secrets;
#: - people's own identity columns: the person's own are cleared directly, and someone who shares her
#:   name keeps it.
UNSWEPT_COLUMNS = frozenset(
    {
        ("app_settings", "key"),
        ("app_settings", "value"),
        ("catalogue_items", "title"),
        ("catalogue_items", "description"),
        ("heartbeats", "name"),
        ("introduction_templates", "name"),
        ("introduction_templates", "description"),
        ("template_milestones", "title"),
        ("template_milestones", "description"),
        ("org_units", "name"),
        ("org_units", "path"),
        ("platforms", "key"),
        ("platforms", "municipality_sv"),
        ("platforms", "municipality_en"),
        ("platforms", "name_sv"),
        ("platforms", "name_en"),
        ("platforms", "promise_sv"),
        ("platforms", "promise_en"),
        ("platforms", "whole_sv"),
        ("platforms", "whole_en"),
        ("platforms", "purpose_sv"),
        ("platforms", "purpose_en"),
        ("platforms", "values"),
        ("platforms", "defaults"),
        ("pillars", "key"),
        ("pillars", "name_sv"),
        ("pillars", "name_en"),
        ("pillars", "description_sv"),
        ("pillars", "description_en"),
        ("pillars", "trait_sv"),
        ("pillars", "trait_en"),
        ("expectations", "key"),
        ("expectations", "text_sv"),
        ("expectations", "text_en"),
        ("users", "name"),
        ("users", "email"),
        ("users", "password_hash"),
        ("users", "session_token"),
        ("users", "calendar_token"),
        ("managers", "name"),
        ("managers", "email"),
        ("managers", "employee_number"),
        ("managers", "title"),
        ("api_tokens", "token_digest"),
        ("api_tokens", "prefix"),
        ("password_reset_tokens", "token_digest"),
        ("invitations", "token_digest"),
        # a mail server's answer; it may quote the address, so the rows go with the account (below)
        ("invitations", "send_error"),
        ("manager_imports", "digest"),
        ("audit_events", "action"),
        ("audit_events", "object_type"),
        ("audit_events", "source"),
        ("manager_changes", "field"),
        ("manager_changes", "source"),
        ("activities", "import_reference"),
        ("reminders", "item_key"),
        ("reminders", "message_id"),
    }
)
#: details of a manager's record whose values in the change history identify them
PERSONAL_FIELDS = ("name", "email", "employee_number", "title")
#: identifying values shorter than this are not swept: they would match ordinary words and numbers
MIN_IDENTIFIER_LENGTH = 3
#: rows read or written per statement
CHUNK = 500
#: rows the sweep holds at a time (an imported file may be megabytes)
SWEEP_ROWS = 50
#: people anonymised per transaction by the retention job
RETENTION_BATCH = 50
#: LIKE terms per statement of the sweep (SQLite nests an OR chain; it refuses expressions 1000 deep)
SWEEP_TERMS = 200
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
        if link.is_subject:
            new = found.add_records(link.table, _rows(link.table, link.column == ident))
            if new:
                queue.append((link.table, new))
        else:
            found.add_mentions(link.table, _mention_rows(link, ident))
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


def _event_row(
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


def _record_events(rows: list[dict[str, Any]]) -> None:
    """Add the audit rows in one statement (a retention batch records one per person)."""
    if rows:
        db.session.execute(insert(db.metadata.tables["audit_events"]), rows)


def _record_event(
    action: str, actor: User | None, manager: Manager | None, user: User | None, source: str, **detail: Any
) -> None:
    _record_events([_event_row(action, actor, manager, user, source, **detail)])


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
        return str(_l("[removed]"))


def anonymised_label(manager_id: int) -> str:
    """Return the name an anonymised person is shown under: neutral, without any of their data."""
    with force_locale(_default_locale()):
        return str(_l("Anonymised person %(number)d", number=manager_id))


def anonymised_email(user_id: int) -> str:
    """Return the unique, undeliverable address an anonymised account gets (the .invalid domain)."""
    return f"anonymised-{user_id}@invalid"


@dataclass
class Identifiers:
    """What identifies the people being anonymised, now and earlier."""

    #: full names and e-mail addresses: removed wherever a swept column holds them
    names: set[str] = field(default_factory=set)
    #: employee numbers: removed in imported data, and elsewhere only next to a name or e-mail
    numbers: set[str] = field(default_factory=set)


def _identifiers(people: Sequence[tuple[Manager, User | None]]) -> Identifiers:
    """Return the people's names, e-mail addresses and employee numbers, with earlier ones (one query)."""
    names: set[str | None] = set()
    numbers: set[str | None] = set()
    for manager, user in people:
        names |= {manager.name, manager.email}
        numbers.add(manager.employee_number)
        if user is not None:
            names |= {user.name, user.email}
    earlier = select(ManagerChange.field, ManagerChange.old_value, ManagerChange.new_value).where(
        ManagerChange.manager_id.in_([manager.id for manager, _user in people]),
        ManagerChange.field.in_(("name", "email", "employee_number")),
    )
    for changed, old, new in db.session.execute(earlier):
        (numbers if changed == "employee_number" else names).update((old, new))
    found = Identifiers()
    for values, kept in ((names, found.names), (numbers, found.numbers)):
        for value in values:
            cleaned = " ".join((value or "").split())
            if len(cleaned) >= MIN_IDENTIFIER_LENGTH:
                kept.add(cleaned)
            elif cleaned:
                logger.warning("an identifier shorter than %d characters is not swept", MIN_IDENTIFIER_LENGTH)
    return found


def _alternatives(values: Iterable[str]) -> str:
    """Return a regex alternation of the values, longest first, any spacing between their words."""
    parts = []
    for value in sorted(set(values), key=lambda v: (-len(v), v)):
        words = [re.escape(word) for word in value.split()]
        if words:
            parts.append(r"\s+".join(words))
    return "|".join(parts)


def identifier_pattern(names: Iterable[str], numbers: Iterable[str] = ()) -> re.Pattern[str] | None:
    """Return a case-insensitive pattern matching a name or e-mail as a whole word, with an employee
    number written right before or after it ("Åsa Ö (E-77)", "E-77, Åsa Ö"), or None without names.
    """
    who = _alternatives(names)
    if not who:
        return None
    number = _alternatives(numbers)
    if not number:
        return re.compile(rf"(?<!\w)(?P<who>{who})(?!\w)", re.IGNORECASE)
    return re.compile(
        rf"(?<!\w)(?:(?P<n1>{number})(?P<g1>\W{{1,3}}))?(?P<who>{who})(?!\w)"
        rf"(?:(?P<g2>\W{{1,3}})(?P<n2>{number})(?!\w))?",
        re.IGNORECASE,
    )


def number_pattern(numbers: Iterable[str]) -> re.Pattern[str] | None:
    """Return a pattern matching an employee number standing on its own: not part of a longer word, a
    date, a time, a decimal or an address ("2025" in "2025-01-01" or "v2025" is not the number).
    """
    number = _alternatives(numbers)
    if not number:
        return None
    edge = r"[\w\-./:@]"
    return re.compile(rf"(?<!{edge})(?:{number})(?!{edge})", re.IGNORECASE)


def _normalise_header(text: str) -> str:
    # As the imports read a header (lifecycle.services.imports), with a byte order mark and quotes off.
    return " ".join(text.lstrip("\ufeff").strip().strip('"').replace("_", " ").split()).casefold()


def _number_headers() -> frozenset[str]:
    """Return the header names under which the manager and activity imports read employee numbers."""
    from lifecycle.services import activity_imports
    from lifecycle.services import imports

    return frozenset(
        header
        for aliases in (imports.HEADER_ALIASES, activity_imports.HEADER_ALIASES)
        for header, column in aliases.items()
        if "employee_number" in column
    )


def _csv_cells(text: str, delimiter: str) -> Iterator[tuple[int, int, int]]:
    """Yield the column, start and end of every cell; a quoted cell may hold delimiters and line breaks."""
    column = start = 0
    quoted = False
    for found in re.finditer(f'["\n{re.escape(delimiter)}]', text):
        char, index = found.group(), found.start()
        if char == '"':
            quoted = not quoted  # a doubled quote inside a quoted cell toggles twice
        elif quoted:
            continue
        elif char == delimiter:
            yield column, start, index
            column, start = column + 1, index + 1
        else:
            yield column, start, index
            column, start = 0, index + 1
    yield column, start, len(text)


def _replace_numbers_in_csv(text: str, number: re.Pattern[str], removed: str) -> str:
    """Remove employee numbers from the cells of an import file's employee-number columns.

    The header says which columns those are, as the import read it: anywhere else in the file "2025" is
    a date, a title or a reference in someone else's row. In a file whose header names no such column,
    a number is removed where it fills a whole cell.
    """
    if number.search(text) is None:
        return text
    first, _newline, rest = text.partition("\n")
    offset = 0
    if first.strip().casefold().startswith("sep=") and len(first.strip()) == 5:
        # Excel's hint line names the delimiter; the header is the next line.
        delimiter = first.strip()[4]
        offset = len(first) + 1
        first = rest.partition("\n")[0]
    else:
        delimiter = ";" if first.count(";") >= first.count(",") else ","
    headers = next(csv.reader([first], delimiter=delimiter), [])
    wanted = _number_headers()
    columns = {index for index, header in enumerate(headers) if _normalise_header(header) in wanted}
    whole = re.compile(rf'\s*"?\s*(?:{number.pattern})\s*"?\s*', re.IGNORECASE)
    pieces = []
    done = 0
    for column, start, end in _csv_cells(text[offset:], delimiter):
        cell = text[offset + start : offset + end]
        holds_numbers = column in columns if columns else whole.fullmatch(cell) is not None
        if holds_numbers:
            new = number.sub(removed, cell)
            if new != cell:
                pieces += [text[done : offset + start], new]
                done = offset + end
    return "".join([*pieces, text[done:]])


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


def _column_kind(column: Column[Any]) -> str:
    kind = column.type
    if isinstance(kind, JSON):
        return "json"
    if isinstance(kind, LargeBinary):
        return "binary"
    return "text"


def swept_columns() -> list[tuple[Table, Column[Any], str]]:
    """Return the columns the sweep reads (`SWEPT_COLUMNS`), with how it reads them."""
    result = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if (table.name, column.name) in SWEPT_COLUMNS:
                result.append((table, column, _column_kind(column)))
    return result


def _searchable(column: Column[Any], kind: str) -> ColumnElement[Any]:
    if kind == "text":
        return func.lower(column)
    if kind == "binary" and db.session.get_bind().dialect.name == "postgresql":
        # bytea as text with its ASCII intact; other bytes become escapes, which '%' matches.
        return func.lower(func.encode(column, "escape"))
    return func.lower(cast(column, Text))


Rewrite = Callable[[str], str]


@dataclass(frozen=True)
class _Sweep:
    """How the sweep rewrites the text of each swept column."""

    person: re.Pattern[str]
    #: an employee number standing on its own; None when they have none
    number: re.Pattern[str] | None
    removed: str

    def _person(self, match: re.Match[str]) -> str:
        parts = [self.removed]
        if match.groupdict().get("n1"):
            parts = [self.removed, match["g1"], self.removed]
        if match.groupdict().get("n2"):
            parts += [match["g2"], self.removed]
        return "".join(parts)

    def rewrite(self, table: Table, column: Column[Any]) -> Rewrite:
        """Return the function that rewrites one text of the column."""
        where = NUMBER_COLUMNS.get((table.name, column.name))

        def rewrite(text: str) -> str:
            text = self.person.sub(self._person, text)
            if self.number is None or where is None:
                return text
            if where == "csv":
                return _replace_numbers_in_csv(text, self.number, self.removed)
            return self.number.sub(self.removed, text)

        return rewrite


def _replace_in(value: Any, kind: str, rewrite: Rewrite) -> Any:
    if value is None:
        return None
    if kind == "text":
        return rewrite(value)
    if kind == "json":
        return _replace_json(value, rewrite)
    try:
        decoded = bytes(value).decode("utf-8")
    except UnicodeDecodeError:
        logger.warning("a binary value that is not UTF-8 text cannot be swept")
        return value
    return rewrite(decoded).encode("utf-8")


def _replace_json(value: Any, rewrite: Rewrite) -> Any:
    if isinstance(value, str):
        return rewrite(value)
    if isinstance(value, list):
        return [_replace_json(item, rewrite) for item in value]
    if isinstance(value, dict):
        return {_replace_json(key, rewrite): _replace_json(item, rewrite) for key, item in value.items()}
    return value


def sweep_identifiers(identifiers: Identifiers, replacement: str) -> int:
    """Replace the people's identifiers in the swept columns (`SWEPT_COLUMNS`); return rows changed.

    Names and e-mail addresses go wherever they stand as whole words; an employee number goes when it
    is written right next to one of them, and in imported data (`NUMBER_COLUMNS`) when it stands alone.
    Runs inside the erasure window (append-only history may be rewritten, never deleted).
    """
    person = identifier_pattern(identifiers.names, identifiers.numbers)
    if person is None:
        return 0
    sweep = _Sweep(person, number_pattern(identifiers.numbers), replacement)
    name_likes = sorted({_like_pattern(value) for value in identifiers.names})
    number_likes = sorted({_like_pattern(value) for value in identifiers.numbers})
    by_table: dict[Table, list[tuple[Column[Any], str]]] = {}
    for table, column, kind in swept_columns():
        by_table.setdefault(table, []).append((column, kind))
    changed = 0
    for table, columns in by_table.items():
        keys = list(table.primary_key.columns)
        terms = []
        for column, kind in columns:
            likes = name_likes + (number_likes if (table.name, column.name) in NUMBER_COLUMNS else [])
            terms += [_searchable(column, kind).like(like, escape="\\") for like in likes]
        rewrites = [sweep.rewrite(table, column) for column, _kind in columns]
        updates: dict[RowKey, dict[str, Any]] = {}
        for some in _chunks(terms, SWEEP_TERMS):
            statement = select(*keys, *(column for column, _kind in columns)).where(or_(*some))
            for row in db.session.execute(statement.execution_options(yield_per=SWEEP_ROWS)):
                key = tuple(row[: len(keys)])
                if key in updates:
                    continue
                changes = {}
                for index, (column, kind) in enumerate(columns):
                    old = row[len(keys) + index]
                    new = _replace_in(old, kind, rewrites[index])
                    if new != old:
                        changes[column.name] = new
                if changes:
                    updates[key] = changes
        for key, changes in updates.items():
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


def _erase_accounts(accounts: Sequence[tuple[User, str]], removed: str, now: datetime) -> None:
    """Disable the accounts for good: sessions end, no password, tokens revoked, no personal data left."""
    for user, label in accounts:
        user.name = label
        user.email = anonymised_email(user.id)
        user.is_enabled = False
        user.session_token = new_session_token()
        user.password_hash = None
        user.calendar_token = None
        user.anonymised_at = now
    user_ids = [user.id for user, _label in accounts]
    if not user_ids:
        return
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id.in_(user_ids), ApiToken.revoked_at.is_(None))
        .values(revoked_at=now),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        update(ApiToken).where(ApiToken.user_id.in_(user_ids)).values(name=removed),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        delete(PasswordResetToken).where(PasswordResetToken.user_id.in_(user_ids)),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        delete(Invitation).where(Invitation.user_id.in_(user_ids)),
        execution_options={"synchronize_session": False},
    )


def _claim(manager_ids: Sequence[int], now: datetime) -> list[Manager]:
    """Mark the people anonymised in one statement; return those this transaction got, freshly read.

    The UPDATE locks each row and checks `anonymised_at` again under the lock, so of two transactions
    anonymising the same person (a double click, two HR users, HR and the retention job) exactly one
    changes the row; the other waits for it to commit, then finds it taken and does nothing.
    """
    managers = db.metadata.tables["managers"]
    claimed = list(
        db.session.execute(
            update(managers)
            .where(managers.c.id.in_(manager_ids), managers.c.anonymised_at.is_(None))
            .values(anonymised_at=now)
            .returning(managers.c.id)
        ).scalars()
    )
    if not claimed:
        return []
    # Read them again now that their rows are ours (a name changed meanwhile is swept too), with their
    # accounts in one query rather than one per person.
    return list(
        db.session.scalars(
            select(Manager)
            .where(Manager.id.in_(claimed))
            .options(selectinload(Manager.user))
            .order_by(Manager.id)
            .execution_options(populate_existing=True)
        )
    )


def anonymise_people(
    managers: Sequence[Manager], actor: User | None, source: str = "web", **detail: Any
) -> list[int]:
    """Anonymise several people in one transaction (one sweep for all); return the ids anonymised.

    See `anonymise_person`; people already anonymised, or being anonymised by another transaction, are
    skipped.
    """
    candidates = sorted({manager.id for manager in managers if manager.anonymised_at is None})
    if not candidates:
        return []
    # Their pending changes are audited as usual before the erasure begins.
    db.session.flush()
    now = utcnow()
    people = _claim(candidates, now)
    if not people:
        return []
    removed = removed_text()
    accounts = [
        (manager, manager.user if manager.user is not None and manager.user.anonymised_at is None else None)
        for manager in people
    ]
    identifiers = _identifiers(accounts)
    manager_ids = [manager.id for manager in people]
    user_ids = [user.id for _manager, user in accounts if user is not None]
    with erasure_window(db.session()):
        _erase_journey(manager_ids, user_ids, removed)
        for manager in people:
            manager.name = anonymised_label(manager.id)
            manager.email = None
            manager.employee_number = None
            manager.title = None
        _record_events(
            [_event_row("anonymise", actor, manager, None, source, **detail) for manager in people]
        )
        _erase_accounts(
            [(user, anonymised_label(manager.id)) for manager, user in accounts if user is not None],
            removed,
            now,
        )
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
    are cancelled. Finally the free-text columns that may mention a person (`SWEPT_COLUMNS`: someone
    else's comment or note, a reason, an error message, an imported file) are swept for their full name
    and e-mail address, and for their employee number where it stands next to those or alone in
    imported data; nobody else's words change otherwise.

    The person is claimed with one atomic UPDATE first, so when two requests (or HR and the retention
    job) anonymise them at once, only one does the work and records the event.

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


def retention_candidates(
    today: date, period: timedelta, limit: int | None = None, *, lock: bool = False
) -> list[Manager]:
    """Return the closed journeys, not yet anonymised, closed longer than `period` before `today`.

    With `lock`, on PostgreSQL the rows are locked for the transaction and rows another transaction
    holds (HR anonymising that person right now, another run of the job) are skipped rather than waited
    for; the next run finds them if they are still due.
    """
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
    if lock and db.session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
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
        people = retention_candidates(day, period, limit=batch, lock=True)
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
