"""Finding a person's name, e-mail address and employee number in free text, and replacing them."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON
from sqlalchemy import Column
from sqlalchemy import ColumnElement
from sqlalchemy import LargeBinary
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import and_
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import ManagerChange
from lifecycle.models import User
from lifecycle.services.csv_files import CsvFileError
from lifecycle.services.csv_files import normalise_header
from lifecycle.services.csv_files import read_records
from lifecycle.services.csv_files import write_text
from lifecycle.services.gdpr.schema import NUMBER_COLUMNS
from lifecycle.services.gdpr.schema import SWEPT_COLUMNS
from lifecycle.services.gdpr.schema import RowKey
from lifecycle.services.gdpr.schema import chunks
from lifecycle.services.imports.activity_rows import ACTIVITY_COLUMNS
from lifecycle.services.imports.manager_rows import MANAGER_COLUMNS

logger = logging.getLogger(__name__)

#: details of a manager's record whose values in the change history identify them
PERSONAL_FIELDS = ("name", "email", "employee_number", "title")
#: identifying values shorter than this are not swept: they would match ordinary words and numbers
MIN_IDENTIFIER_LENGTH = 3
#: rows the sweep holds at a time (an imported file may be megabytes)
SWEEP_ROWS = 50
#: LIKE terms per statement of the sweep (SQLite nests an OR chain; it refuses expressions 1000 deep)
SWEEP_TERMS = 200

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


def identifiers_of(people: Sequence[tuple[Manager, User | None]]) -> Identifiers:
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


def _number_headers() -> frozenset[str]:
    """Return the header names under which the manager and activity imports read employee numbers."""
    return frozenset(
        header
        for spec in (MANAGER_COLUMNS, ACTIVITY_COLUMNS)
        for header, column in spec.aliases.items()
        if "employee_number" in column
    )


def _replace_numbers_in_csv(text: str, number: re.Pattern[str], removed: str) -> str:
    """Remove employee numbers from the cells of an import file's employee-number columns.

    The file is read as the import read it (`csv_files`: the `sep=` line, the delimiter, the header) and
    written back in its own layout, so the import reads the same rows from it but for the removed
    numbers; cells may come back quoted differently. The header says which columns hold numbers: anywhere
    else in the file "2025" is a date, a title or a reference in someone else's row. In a file whose
    header names no such column, a number is removed where it fills a whole cell.
    """
    if number.search(text) is None:
        return text
    try:
        layout, read = read_records(text)
        records = list(read)
    except CsvFileError:
        # Not a file the import could read (an older upload, or damaged): the number must go all the
        # same, so it goes wherever it stands alone, at the cost of someone else's equal year or code.
        logger.warning("a kept import file that is not CSV loses the employee numbers throughout")
        return number.sub(removed, text)
    header = next((record.cells for record in records if not record.is_blank), [])
    wanted = _number_headers()
    columns = {index for index, name in enumerate(header) if normalise_header(name) in wanted}
    whole = re.compile(rf"\s*(?:{number.pattern})\s*", re.IGNORECASE)

    def holds_numbers(index: int, cell: str) -> bool:
        return index in columns if columns else whole.fullmatch(cell) is not None

    rows = [
        [
            number.sub(removed, cell) if holds_numbers(index, cell) else cell
            for index, cell in enumerate(record.cells)
        ]
        for record in records
    ]
    if rows == [record.cells for record in records]:
        return text  # as the file was, quotes and all
    return write_text(rows, layout, final_line_end=text.endswith(("\n", "\r")))


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
        for some in chunks(terms, SWEEP_TERMS):
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
