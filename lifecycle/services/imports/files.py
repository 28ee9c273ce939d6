"""Reading an uploaded import file, whatever its kind: the header's columns, the rows' cells by column.

The character set, the delimiter and the records are `lifecycle.services.csv_files`'s, which the
exports and the GDPR sweep share. A kind of import names the columns it understands in a `ColumnSpec`;
`read_file` turns the upload into rows of cells by column, or raises `ImportFileError` with a message
meant for the user. The cell helpers below (`normalise_text`, `parse_date`, `read_date`) are what every
kind's row check shares.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from lifecycle.i18n_messages import deferred
from lifecycle.services.csv_files import CsvFileError
from lifecycle.services.csv_files import decode
from lifecycle.services.csv_files import normalise_header
from lifecycle.services.csv_files import read_records
from lifecycle.services.csv_files import restore_formula

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 100_000

#: YYYY-MM-DD, which Swedish Excel writes, optionally with a midnight time; or YYYYMMDD
DATE_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$|^(\d{4})(\d{2})(\d{2})$")


#: a file that cannot be read as a whole, with a message for the user: the shared CSV reader's own error,
#: so that what it refuses (the character set, the delimiter, a line) is refused as the import's own
ImportFileError = CsvFileError


# -- reading the file -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvRow:
    """One data row of the file: its first line number and its cells by column."""

    line: int
    cells: dict[str, str]
    #: a problem with the row's shape, found while reading
    problem: str | None = None


@dataclass(frozen=True)
class ImportFile:
    rows: list[CsvRow]
    #: the known columns the header names
    columns: frozenset[str]
    #: header names the import does not know and skips
    ignored_columns: tuple[str, ...]


def normalise_text(text: str) -> str:
    """Return a cell's word as the lookups hold it (a stage's name): case and spacing do not matter."""
    return " ".join(text.split()).casefold()


def _decode(content: bytes) -> str:
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError(
            _l(
                "The file is larger than %(size)d MB. Split it into smaller files.",
                size=MAX_FILE_BYTES // 2**20,
            )
        )
    return decode(content)


@dataclass(frozen=True)
class ColumnSpec:
    """The header names a kind of import file understands, and the columns it cannot do without."""

    #: header name after `normalise_header` → the column it means
    aliases: Mapping[str, str]
    required: tuple[str, ...]
    #: header names skipped without a mention (columns an export adds)
    unmentioned: frozenset[str] = frozenset()


def _header_columns(
    header: list[str], spec: ColumnSpec
) -> tuple[list[str | None], frozenset[str], tuple[str, ...]]:
    positions: list[str | None] = []
    seen: set[str] = set()
    ignored: list[str] = []
    for raw in header:
        name = normalise_header(raw)
        column = spec.aliases.get(name)
        if column is None:
            if name and name not in spec.unmentioned:
                ignored.append(raw.strip())
            positions.append(None)
            continue
        if column in seen:
            raise ImportFileError(
                _l("The column %(column)s appears twice in the first line.", column=raw.strip())
            )
        seen.add(column)
        positions.append(column)
    missing = [column for column in spec.required if column not in seen]
    if missing:
        raise ImportFileError(
            _l(
                "The first line must name the columns. Missing: %(columns)s.",
                columns=", ".join(missing),
            )
        )
    return positions, frozenset(seen), tuple(ignored)


def read_file(content: bytes, spec: ColumnSpec) -> ImportFile:
    """Read an uploaded CSV file (UTF-8 with or without BOM; ; or , between columns) into rows."""
    _layout, records = read_records(_decode(content))
    rows: list[CsvRow] = []
    positions: list[str | None] | None = None
    columns: frozenset[str] = frozenset()
    ignored: tuple[str, ...] = ()
    for record in records:
        if record.is_blank:
            continue
        if positions is None:
            positions, columns, ignored = _header_columns(record.cells, spec)
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(
                _l("The file has more than %(count)d rows. Split it into smaller files.", count=MAX_ROWS)
            )
        cells = {
            column: restore_formula(value.strip())
            for column, value in zip(positions, record.cells, strict=False)
            if column is not None
        }
        problem = None
        if any(value.strip() for value in record.cells[len(positions) :]):
            problem = deferred("The row has more cells than the first line has columns.")
        rows.append(CsvRow(line=record.line, cells=cells, problem=problem))
    if positions is None:
        raise ImportFileError(_l("The file is empty."))
    if not rows:
        raise ImportFileError(_l("The file has no rows below the first line."))
    return ImportFile(rows=rows, columns=columns, ignored_columns=ignored)


# -- reading cells ---------------------------------------------------------------------------------


def check_length(errors: list[str], label: LazyString | str, value: str | None, limit: int) -> None:
    """Add an error naming the column when a cell is longer than `limit` characters."""
    if value is not None and len(value) > limit:
        errors.append(deferred("%(field)s is longer than %(limit)d characters.", field=label, limit=limit))


def read_reference(errors: list[str], cells: Mapping[str, str], missing: str, limit: int) -> str:
    """Return the row's reference (its id in the source system); `missing` is the error when it is empty."""
    reference = cells.get("reference", "")
    if not reference:
        errors.append(missing)
    elif len(reference) > limit:
        errors.append(deferred("The reference is longer than %(limit)d characters.", limit=limit))
    return reference


def parse_date(text: str) -> date:
    """Return the date of YYYY-MM-DD (as Swedish Excel writes it) or YYYYMMDD; ValueError otherwise."""
    match = DATE_PATTERN.match(text)
    if not match:
        raise ValueError(text)
    parts = [part for part in match.groups() if part is not None]
    return date(int(parts[0]), int(parts[1]), int(parts[2]))


def read_date(errors: list[str], label: LazyString, value: str) -> date | None:
    """Return the date in a cell (None if it is empty); a cell that is no date adds an error naming it."""
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError:
        errors.append(
            deferred(
                "%(field)s “%(value)s” is not a date; write it as YYYY-MM-DD (for example 2025-08-31).",
                field=label,
                value=value,
            )
        )
        return None
