"""Reading an uploaded import file, whatever its kind: character set, delimiter, header, cells.

A kind of import names the columns it understands in a `ColumnSpec`; `read_file` turns the upload into
rows of cells by column, or raises `ImportFileError` with a message meant for the user. The cell helpers
below (`normalise_text`, `parse_date`, `read_date`) are what every kind's row check shares.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from lifecycle.i18n_messages import deferred
from lifecycle.services.exports import restore_formula

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 100_000

#: YYYY-MM-DD, which Swedish Excel writes, optionally with a midnight time; or YYYYMMDD
DATE_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$|^(\d{4})(\d{2})(\d{2})$")


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is meant for the user."""


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


def normalise_header(text: str) -> str:
    """Return a header name as `ColumnSpec.aliases` holds it: case, spaces and _ do not matter."""
    return " ".join(text.replace("_", " ").split()).casefold()


def normalise_text(text: str) -> str:
    """Return a cell's word as the lookups hold it (a stage's name): case and spacing do not matter."""
    return " ".join(text.split()).casefold()


def _not_utf8_message() -> str:
    return str(
        _l(
            "The file is not saved as UTF-8 (older versions of Excel save “CSV (semikolonavgränsad)” "
            "in another character set). In Excel, choose Save as and the file type “CSV UTF-8”, "
            "then upload that file."
        )
    )


def _decode(content: bytes) -> str:
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError(
            _l(
                "The file is larger than %(size)d MB. Split it into smaller files.",
                size=MAX_FILE_BYTES // 2**20,
            )
        )
    if content.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            _l(
                "This is an Excel workbook, not a CSV file. In Excel, choose Save as and the file type "
                "“CSV UTF-8”, then upload that file."
            )
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(_not_utf8_message()) from exc
    if "\x00" in text:  # UTF-16 without a byte order mark decodes, but is full of NULs
        raise ImportFileError(_not_utf8_message())
    if not text.strip():
        raise ImportFileError(_l("The file is empty."))
    return text


def _delimiter(text: str) -> tuple[str, str, int]:
    """Return the delimiter, the text to read and how many lines were skipped before it."""
    first_line, _newline, rest = text.partition("\n")
    first_line = first_line.rstrip("\r")
    # Excel's own hint line, "sep=;", names the delimiter.
    if first_line.casefold().startswith("sep=") and len(first_line.strip()) == 5:
        delimiter = first_line.strip()[4]
        if delimiter not in ";,":
            raise ImportFileError(_l("Separate the columns with semicolons (;) or commas (,)."))
        return delimiter, rest, 1
    semicolons, commas = first_line.count(";"), first_line.count(",")
    if semicolons == 0 and commas == 0:
        raise ImportFileError(
            _l(
                "The first line must name the columns, separated by semicolons (;) or commas (,); "
                "it has only one column."
            )
        )
    return (";" if semicolons >= commas else ","), text, 0


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
    text = _decode(content)
    delimiter, body, skipped = _delimiter(text)
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter)
    rows: list[CsvRow] = []
    positions: list[str | None] | None = None
    columns: frozenset[str] = frozenset()
    ignored: tuple[str, ...] = ()
    last_line = 0
    try:
        for record in reader:
            line = last_line + 1 + skipped
            last_line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if positions is None:
                positions, columns, ignored = _header_columns(record, spec)
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(
                    _l("The file has more than %(count)d rows. Split it into smaller files.", count=MAX_ROWS)
                )
            cells = {
                column: restore_formula(value.strip())
                for column, value in zip(positions, record, strict=False)
                if column is not None
            }
            problem = None
            if any(value.strip() for value in record[len(positions) :]):
                problem = deferred("The row has more cells than the first line has columns.")
            rows.append(CsvRow(line=line, cells=cells, problem=problem))
    except csv.Error as exc:
        line = last_line + 1 + skipped
        if "field larger than field limit" in str(exc):
            # The csv module's own bound on one cell; say so, the quotation marks are not to blame.
            raise ImportFileError(
                _l(
                    "Line %(line)d has a cell longer than %(count)d characters.",
                    line=line,
                    count=csv.field_size_limit(),
                )
            ) from exc
        raise ImportFileError(
            _l("Line %(line)d cannot be read; check its quotation marks.", line=line)
        ) from exc
    if positions is None:
        raise ImportFileError(_l("The file is empty."))
    if not rows:
        raise ImportFileError(_l("The file has no rows below the first line."))
    return ImportFile(rows=rows, columns=columns, ignored_columns=ignored)


# -- reading cells ---------------------------------------------------------------------------------


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
