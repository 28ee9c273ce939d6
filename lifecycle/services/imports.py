"""Importing managers from the payroll/HR system's CSV file: read it, plan every row, apply the plan.

Planning is a dry run: it reads the database and writes nothing. A plan with any error is never
applied. Applying writes new people set-based (`bulk_journey`) and changes through the journey and
manager services (history rows, change log); it only flushes. A confirmed file is applied by a worker
(`import_jobs`); the command line applies it in its own process.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from itertools import groupby
from typing import Any
from typing import ClassVar
from typing import NamedTuple

from email_validator import EmailNotValidError
from email_validator import validate_email
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement
from sqlalchemy import select
from sqlalchemy.orm import defer

from lifecycle.db import utcnow
from lifecycle.enums import ImportStatus
from lifecycle.enums import Stage
from lifecycle.enums import TitledEnum
from lifecycle.extensions import db
from lifecycle.i18n_messages import concat
from lifecycle.i18n_messages import deferred
from lifecycle.i18n_messages import joined
from lifecycle.i18n_messages import stored
from lifecycle.models import Manager
from lifecycle.models import ManagerImport
from lifecycle.models import OrgUnit
from lifecycle.models import User
from lifecycle.services.audit import SOURCE_IMPORT
from lifecycle.services.audit import acting_as
from lifecycle.services.bulk_journey import LineManagerFacts
from lifecycle.services.bulk_journey import NewPerson
from lifecycle.services.bulk_journey import enter_journey_many
from lifecycle.services.bulk_journey import introduction_template
from lifecycle.services.exports import EXPORT_ONLY_COLUMNS
from lifecycle.services.exports import IMPORT_COLUMNS
from lifecycle.services.exports import restore_formula
from lifecycle.services.journey import ENTRY_STAGES
from lifecycle.services.journey import allowed_moves
from lifecycle.services.journey import move_to_stage
from lifecycle.services.managers import ChangeSet
from lifecycle.services.managers import update_manager
from lifecycle.services.organisation import KINDS_BY_DEPTH
from lifecycle.services.organisation import ensure_unit_path

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 100_000
#: how many rows a stored report lists; beyond it only rows with errors or changes are kept
REPORT_ROW_LIMIT = 1000
#: how many values go into one `IN (...)`; SQLite and PostgreSQL both cap bound parameters
IN_CHUNK = 5000
IMPORT_REASON = "Import"
IMPORT_SOURCE = "import"
MAX_UNIT_DEPTH = len(KINDS_BY_DEPTH) + 4

#: the columns every file must have; `end_date` may be left out (then end dates are not touched)
REQUIRED_COLUMNS = tuple(column for column in IMPORT_COLUMNS if column != "end_date")

#: header names the import understands, after `_normalise_header`, and the column each one means
HEADER_ALIASES: dict[str, str] = {
    "employee number": "employee_number",
    "anställningsnummer": "employee_number",
    "name": "name",
    "namn": "name",
    "email": "email",
    "e-mail": "email",
    "e-post": "email",
    "epost": "email",
    "title": "title",
    "befattning": "title",
    "unit path": "unit_path",
    "enhet": "unit_path",
    "line manager employee number": "line_manager_employee_number",
    "chefens anställningsnummer": "line_manager_employee_number",
    "start date": "start_date",
    "startdatum": "start_date",
    "stage": "stage",
    "steg": "stage",
    "end date": "end_date",
    "slutdatum": "end_date",
}
IGNORED_HEADERS = frozenset(column.replace("_", " ") for column in EXPORT_ONLY_COLUMNS)

#: stage keys and the Swedish and English names, after `_normalise_text`
STAGE_NAMES: dict[str, Stage] = {
    "attract": Stage.ATTRACT,
    "attrahera": Stage.ATTRACT,
    "recruit": Stage.RECRUIT,
    "rekrytera": Stage.RECRUIT,
    "introduce": Stage.INTRODUCE,
    "introducera": Stage.INTRODUCE,
    "develop": Stage.DEVELOP,
    "behålla och utveckla": Stage.DEVELOP,
    "behålla/utveckla": Stage.DEVELOP,
    "retain and develop": Stage.DEVELOP,
    "offboard": Stage.OFFBOARD,
    "avveckla": Stage.OFFBOARD,
    "closed": Stage.CLOSED,
    "avslutad": Stage.CLOSED,
}

#: YYYY-MM-DD, which Swedish Excel writes, optionally with a midnight time; or YYYYMMDD
DATE_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$|^(\d{4})(\d{2})(\d{2})$")

FIELD_LABELS: dict[str, LazyString] = {
    "employee_number": _l("Employee number"),
    "name": _l("Name"),
    "email": _l("E-mail"),
    "title": _l("Title"),
    "unit_path": _l("Unit"),
    "line_manager_employee_number": _l("Line manager"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "stage": _l("Stage"),
}


#: the file's columns for the upload page: the column, its Swedish header, what it holds
COLUMN_HELP: tuple[tuple[str, str, LazyString], ...] = (
    (
        "employee_number",
        "anställningsnummer",
        _l("The employee number in the payroll or HR system; rows are matched by it. Required."),
    ),
    ("name", "namn", _l("The full name. Required.")),
    ("email", "e-post", _l("The e-mail address.")),
    ("title", "befattning", _l("The job title.")),
    (
        "unit_path",
        "enhet",
        _l("The units from the top down, separated by “ / ”. Units that do not exist are created."),
    ),
    (
        "line_manager_employee_number",
        "chefens anställningsnummer",
        _l("The line manager's employee number; the line manager may be a row further down in the file."),
    ),
    ("start_date", "startdatum", _l("The start date, as YYYY-MM-DD.")),
    (
        "stage",
        "steg",
        _l(
            "attract, recruit, introduce, develop or offboard, or the stage's Swedish name. "
            "A new person starts at one of the first four."
        ),
    ),
    (
        "end_date",
        "slutdatum",
        _l("May be left out. The end date, as YYYY-MM-DD; moving someone to offboarding needs it."),
    ),
)


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is meant for the user."""


class ImportHasErrorsError(RuntimeError):
    """Code tried to apply a plan that has errors; such a plan must never be applied."""


class Outcome(TitledEnum):
    """What importing a row does."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    ERROR = "error"

    @classmethod
    def _titles(cls) -> dict[TitledEnum, LazyString]:
        return {
            cls.CREATED: _l("New"),
            cls.UPDATED: _l("Changed"),
            cls.UNCHANGED: _l("Unchanged"),
            cls.ERROR: _l("Error"),
        }


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


def _normalise_header(text: str) -> str:
    return " ".join(text.replace("_", " ").split()).casefold()


def _normalise_text(text: str) -> str:
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

    #: header name after `_normalise_header` → the column it means
    aliases: Mapping[str, str]
    required: tuple[str, ...]
    #: header names skipped without a mention (columns an export adds)
    unmentioned: frozenset[str] = frozenset()


MANAGER_COLUMNS = ColumnSpec(HEADER_ALIASES, REQUIRED_COLUMNS, IGNORED_HEADERS)


def _header_columns(
    header: list[str], spec: ColumnSpec
) -> tuple[list[str | None], frozenset[str], tuple[str, ...]]:
    positions: list[str | None] = []
    seen: set[str] = set()
    ignored: list[str] = []
    for raw in header:
        name = _normalise_header(raw)
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


def read_import_file(content: bytes, spec: ColumnSpec = MANAGER_COLUMNS) -> ImportFile:
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


# -- checking each row on its own ------------------------------------------------------------------


@dataclass(frozen=True)
class RowValues:
    """A row's values, checked and cleaned."""

    employee_number: str
    name: str
    email: str | None
    title: str | None
    unit_path: tuple[str, ...] | None
    line_manager_number: str | None
    start_date: date | None
    stage: Stage | None
    end_date: date | None


def parse_date(text: str) -> date:
    """Return the date of YYYY-MM-DD (as Swedish Excel writes it) or YYYYMMDD; ValueError otherwise."""
    match = DATE_PATTERN.match(text)
    if not match:
        raise ValueError(text)
    parts = [part for part in match.groups() if part is not None]
    return date(int(parts[0]), int(parts[1]), int(parts[2]))


def parse_stage(text: str) -> Stage | None:
    return STAGE_NAMES.get(_normalise_text(text))


def _optional_text(value: str) -> str | None:
    return value or None


def _check_length(errors: list[str], column: str, value: str | None, limit: int) -> None:
    if value is not None and len(value) > limit:
        errors.append(
            deferred(
                "%(field)s is longer than %(limit)d characters.",
                field=FIELD_LABELS.get(column, column),
                limit=limit,
            )
        )


def _read_date(errors: list[str], column: str, value: str) -> date | None:
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError:
        errors.append(
            deferred(
                "%(field)s “%(value)s” is not a date; write it as YYYY-MM-DD (for example 2025-08-31).",
                field=FIELD_LABELS[column],
                value=value,
            )
        )
        return None


def email_problem(email: str) -> str | None:
    """Return why `email` is not a valid address, or None."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return deferred("“%(email)s” is not a valid e-mail address.", email=email)
    return None


def check_row(row: CsvRow) -> tuple[RowValues | None, list[str]]:
    """Return the row's cleaned values, or None and every problem found in the row itself."""
    cells = row.cells
    errors: list[str] = [row.problem] if row.problem else []
    number = cells.get("employee_number", "")
    if not number:
        errors.append(deferred("The employee number is missing; rows are matched by it."))
    _check_length(errors, "employee_number", number, 40)
    name = cells.get("name", "")
    if not name:
        errors.append(deferred("The name is missing."))
    _check_length(errors, "name", name, 200)
    email = _optional_text(cells.get("email", ""))
    # The address itself is checked when planning, and only if it is new: checking is slow.
    _check_length(errors, "email", email, 254)
    title = _optional_text(cells.get("title", ""))
    _check_length(errors, "title", title, 200)
    unit_path: tuple[str, ...] | None = None
    raw_path = cells.get("unit_path", "")
    if raw_path:
        unit_path = tuple(part.strip() for part in raw_path.split("/"))
        if any(not part for part in unit_path):
            errors.append(
                deferred(
                    "The unit “%(path)s” has an empty name; separate the units with “ / ”.",
                    path=raw_path,
                )
            )
        elif len(unit_path) > MAX_UNIT_DEPTH:
            errors.append(deferred("The unit path has more than %(count)d levels.", count=MAX_UNIT_DEPTH))
        elif any(len(part) > 200 for part in unit_path):
            errors.append(deferred("A unit name is longer than 200 characters."))
    line_manager_number = _optional_text(cells.get("line_manager_employee_number", ""))
    if line_manager_number is not None and line_manager_number == number:
        errors.append(deferred("A manager cannot be their own line manager."))
    start_date = _read_date(errors, "start_date", cells.get("start_date", ""))
    end_date = _read_date(errors, "end_date", cells.get("end_date", ""))
    if start_date and end_date and end_date < start_date:
        errors.append(deferred("The end date cannot be before the start date."))
    stage: Stage | None = None
    raw_stage = cells.get("stage", "")
    if raw_stage:
        stage = parse_stage(raw_stage)
        if stage is None:
            errors.append(
                deferred(
                    "Unknown stage “%(stage)s”. Use one of: %(stages)s.",
                    stage=raw_stage,
                    stages=joined(", ", (concat(s.value, " (", s.title, ")") for s in Stage.journey())),
                )
            )
    if errors:
        return None, errors
    return (
        RowValues(
            employee_number=number,
            name=name,
            email=email,
            title=title,
            unit_path=unit_path,
            line_manager_number=line_manager_number,
            start_date=start_date,
            stage=stage,
            end_date=end_date,
        ),
        [],
    )


# -- planning against the database -----------------------------------------------------------------


class ExistingManager(NamedTuple):
    """The columns of a manager the plan compares; plain values, so a big file keeps memory small."""

    id: int
    employee_number: str
    name: str
    email: str | None
    title: str | None
    org_unit_id: int | None
    line_manager_id: int | None
    start_date: date | None
    end_date: date | None
    stage: Stage
    stage_entered_on: date


@dataclass(frozen=True)
class Change:
    """One field an imported row changes; `labels` names the fields (the activity import has its own)."""

    labels: ClassVar[Mapping[str, LazyString]] = FIELD_LABELS
    field: str
    old: str
    new: str

    def describe(self) -> str:
        label = self.labels[self.field]
        return deferred("%(field)s: %(old)s → %(new)s", field=label, old=self.old, new=self.new)


@dataclass
class PlannedRow:
    """What importing one row will do, and why."""

    line: int
    employee_number: str
    name: str
    outcome: Outcome = Outcome.UNCHANGED
    errors: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    values: RowValues | None = None
    existing: ExistingManager | None = None
    #: detail changes update_manager applies as they are
    details: dict[str, Any] = field(default_factory=dict)
    unit_changed: bool = False
    line_manager_changed: bool = False
    move_to: Stage | None = None
    #: depth in the line-manager tree after the import; rows are applied from the top down
    depth: int = 0

    def messages(self) -> list[str]:
        return self.errors or [*self.notes, *(change.describe() for change in self.changes)]

    def label(self) -> str:
        return f"{self.employee_number or '-'} {self.name or '-'}"

    def as_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "employee_number": self.employee_number,
            "name": self.name,
            "outcome": self.outcome.value,
            # Language-neutral: whoever opens the report later reads it in their own language.
            "messages": [stored(message) for message in self.messages()],
        }


class PlanReport:
    """What every import plan shares: counts, the error check and the report kept with the file.

    A plan has `rows` (each with `line`, `outcome`, `messages()`, `label()` and `as_json()`) and
    `ignored_columns`; `import_type` marks the kept file's kind (None for managers).
    """

    import_type: ClassVar[str | None] = None
    rows: Sequence[Any]
    ignored_columns: tuple[str, ...]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys((outcome.value for outcome in Outcome), 0)
        for row in self.rows:
            counts[row.outcome.value] += 1
        return counts

    @property
    def has_errors(self) -> bool:
        return any(row.outcome is Outcome.ERROR for row in self.rows)

    @property
    def changes_anything(self) -> bool:
        return any(row.outcome in (Outcome.CREATED, Outcome.UPDATED) for row in self.rows)

    def summary(self, limit: int = REPORT_ROW_LIMIT) -> dict[str, Any]:
        """Return the counts and the report rows to keep with the import (JSON).

        A large file lists `limit` rows: those with errors first, then new and changed ones, then
        unchanged ones, in file order; `not_listed` counts the rest by outcome, so the report says
        what they are instead of calling them all unchanged.
        """
        priority = {Outcome.ERROR: 0, Outcome.CREATED: 1, Outcome.UPDATED: 1, Outcome.UNCHANGED: 2}
        chosen = sorted(self.rows, key=lambda row: (priority[row.outcome], row.line))[:limit]
        chosen.sort(key=lambda row: row.line)
        not_listed = dict(self.counts)
        for row in chosen:
            not_listed[row.outcome.value] -= 1
        kind = {"type": self.import_type} if self.import_type else {}
        return {
            **kind,
            **self.counts,
            "total": len(self.rows),
            "ignored_columns": list(self.ignored_columns),
            "rows": [row.as_json() for row in chosen],
            "rows_not_listed": len(self.rows) - len(chosen),
            "not_listed": not_listed,
        }


@dataclass
class ImportPlan(PlanReport):
    """Every row's outcome; apply it only when `has_errors` is false."""

    rows: list[PlannedRow]
    ignored_columns: tuple[str, ...] = ()
    #: the id of every manager the plan found by employee number (the file's and their line managers)
    existing_ids: dict[str, int] = field(default_factory=dict)


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]


def _load_existing(numbers: set[str]) -> dict[str, ExistingManager]:
    existing: dict[str, ExistingManager] = {}
    for chunk in _chunks(sorted(numbers)):
        rows = db.session.execute(
            select(
                Manager.id,
                Manager.employee_number,
                Manager.name,
                Manager.email,
                Manager.title,
                Manager.org_unit_id,
                Manager.line_manager_id,
                Manager.start_date,
                Manager.end_date,
                Manager.stage,
                Manager.stage_entered_on,
            ).where(Manager.employee_number.in_(chunk))
        )
        for row in rows:
            number = row.employee_number or ""
            existing[number] = ExistingManager(row.id, number, *row[2:])
    return existing


def _load_numbers_by_id(ids: set[int]) -> dict[int, str | None]:
    numbers: dict[int, str | None] = {}
    for chunk in _chunks(sorted(ids)):
        numbers.update(
            db.session.execute(select(Manager.id, Manager.employee_number).where(Manager.id.in_(chunk))).all()
        )
    return numbers


def _load_unit_paths() -> dict[int, tuple[str, ...]]:
    """Return every unit's path of names; the organisation tree is small next to the managers."""
    rows = db.session.execute(select(OrgUnit.id, OrgUnit.name, OrgUnit.path).order_by(OrgUnit.id)).all()
    names = {unit_id: name for unit_id, name, _path in rows}
    return {
        unit_id: tuple(names.get(int(part), "") for part in path.split("/") if part)
        for unit_id, _name, path in rows
    }


def _show_date(value: date | None) -> str:
    return value.isoformat() if value else "–"


def _show_path(path: tuple[str, ...] | None) -> str:
    return " / ".join(path) if path else "–"


def _stage_list(stages: Iterable[Stage]) -> str:
    return joined(", ", (stage.title for stage in stages))


class _Planner:
    """Plans a file's rows in two passes: each row on its own, then against the database and each other."""

    def __init__(self, import_file: ImportFile, today: date) -> None:
        self.file = import_file
        self.today = today
        self.has_end_date = "end_date" in import_file.columns
        self.rows: list[PlannedRow] = []
        #: valid rows by employee number (the first row with the number)
        self.in_file: dict[str, PlannedRow] = {}
        #: every employee number the file has, valid or not
        self.numbers_in_file: set[str] = set()
        self.existing: dict[str, ExistingManager] = {}
        self.unit_paths: dict[int, tuple[str, ...]] = {}
        self.known_paths: set[tuple[str, ...]] = set()
        #: the names of the top units (a municipality has one)
        self.roots: set[str] = set()
        self.announced_paths: set[tuple[str, ...]] = set()

    def plan(self) -> ImportPlan:
        self._check_rows()
        self._load()
        for row, csv_row in zip(self.rows, self.file.rows, strict=True):
            self._check_references(row, csv_row.cells)
            if row.values is not None:
                self._plan_row(row, row.values)
        self._check_line_manager_tree()
        for row in self.rows:
            if row.errors:
                row.outcome = Outcome.ERROR
        return ImportPlan(
            rows=self.rows,
            ignored_columns=self.file.ignored_columns,
            existing_ids={number: manager.id for number, manager in self.existing.items()},
        )

    # pass one
    def _check_rows(self) -> None:
        first_line: dict[str, int] = {}
        for csv_row in self.file.rows:
            values, errors = check_row(csv_row)
            number = csv_row.cells.get("employee_number", "")
            row = PlannedRow(
                line=csv_row.line, employee_number=number, name=csv_row.cells.get("name", ""), errors=errors
            )
            self.rows.append(row)
            if number in first_line:
                row.errors.append(
                    deferred(
                        "The employee number %(number)s is also on line %(line)d.",
                        number=number,
                        line=first_line[number],
                    )
                )
                continue
            if number:
                first_line[number] = csv_row.line
                self.numbers_in_file.add(number)
            if values is not None:
                row.values = values
                self.in_file[number] = row

    def _load(self) -> None:
        wanted = set(self.numbers_in_file)
        wanted.update(row.cells.get("line_manager_employee_number", "") for row in self.file.rows)
        wanted.discard("")
        self.existing = _load_existing(wanted)
        self.unit_paths = _load_unit_paths()
        self.known_paths = set(self.unit_paths.values())
        self.roots = {path[0] for path in self.known_paths if len(path) == 1}
        by_id = {manager.id: number for number, manager in self.existing.items()}
        missing = {
            manager.line_manager_id
            for number, manager in self.existing.items()
            if number in self.in_file and manager.line_manager_id is not None
        } - set(by_id)
        self.number_by_id: dict[int, str | None] = {**by_id, **_load_numbers_by_id(missing)}

    # pass two
    def _check_references(self, row: PlannedRow, cells: dict[str, str]) -> None:
        """Check the e-mail address and the line manager, also on rows with other errors."""
        line_manager = cells.get("line_manager_employee_number", "")
        if (
            line_manager
            and line_manager != row.employee_number
            and line_manager not in self.numbers_in_file
            and line_manager not in self.existing
        ):
            row.errors.append(
                deferred(
                    "The line manager's employee number %(number)s matches no one, "
                    "neither in Chefsresan nor in the file.",
                    number=line_manager,
                )
            )
        email = cells.get("email", "")
        existing = self.existing.get(row.employee_number)
        # Checking an address is slow: an unchanged one was checked when it was stored.
        if email and len(email) <= 254 and (existing is None or existing.email != email):
            problem = email_problem(email)
            if problem:
                row.errors.append(problem)

    def _check_root(self, row: PlannedRow, path: tuple[str, ...] | None) -> None:
        """Refuse a unit path under another top unit: a typo in it would create a second organisation."""
        if not path:
            return
        if not self.roots:
            # The first import names the top unit; the rest of the file must agree with it.
            self.roots = {path[0]}
            return
        if path[0] in self.roots:
            return
        row.errors.append(
            deferred(
                "The top unit “%(unit)s” is not the organisation's top unit “%(roots)s”, and an import "
                "never adds a second one. Start the unit path with the top unit's name as it is.",
                unit=path[0],
                roots=", ".join(sorted(self.roots)),
            )
        )

    def _plan_row(self, row: PlannedRow, values: RowValues) -> None:
        self._check_root(row, values.unit_path)
        existing = self.existing.get(values.employee_number)
        if existing is None:
            self._plan_new(row, values)
        else:
            self._plan_update(row, values, existing)

    def _note_new_unit(self, row: PlannedRow, path: tuple[str, ...] | None) -> bool:
        """Return whether the unit does not exist yet, noting it on the first row that creates it."""
        if path is None or path in self.known_paths:
            return False
        if path not in self.announced_paths:
            self.announced_paths.add(path)
            row.notes.append(deferred("Creates the unit %(path)s.", path=_show_path(path)))
        return True

    def _plan_new(self, row: PlannedRow, values: RowValues) -> None:
        if values.stage is None:
            row.errors.append(deferred("The stage is missing; a new person needs one."))
            return
        if values.stage not in ENTRY_STAGES:
            row.errors.append(
                deferred(
                    "A new person cannot start at %(stage)s. A journey can start at: %(stages)s.",
                    stage=values.stage.title,
                    stages=_stage_list(ENTRY_STAGES),
                )
            )
            return
        row.outcome = Outcome.CREATED
        row.notes.append(
            deferred(
                "Enters the journey at %(stage)s on %(date)s.",
                stage=values.stage.title,
                date=(values.start_date or self.today).isoformat(),
            )
        )
        self._note_new_unit(row, values.unit_path)

    def _plan_update(self, row: PlannedRow, values: RowValues, existing: ExistingManager) -> None:
        row.existing = existing
        for name in ("name", "email", "title"):
            old, new = getattr(existing, name), getattr(values, name)
            if old != new:
                row.details[name] = new
                row.changes.append(Change(name, old or "–", new or "–"))
        dates = [("start_date", values.start_date)]
        if self.has_end_date:
            dates.append(("end_date", values.end_date))
        for name, new_date in dates:
            old_date = getattr(existing, name)
            if old_date != new_date:
                row.details[name] = new_date
                row.changes.append(Change(name, _show_date(old_date), _show_date(new_date)))
        end = values.end_date if self.has_end_date else existing.end_date
        if values.start_date and end and end < values.start_date:
            row.errors.append(
                deferred(
                    "The end date (%(end)s) cannot be before the start date (%(start)s).",
                    end=end.isoformat(),
                    start=values.start_date.isoformat(),
                )
            )
        old_path = self.unit_paths.get(existing.org_unit_id) if existing.org_unit_id else None
        if old_path != values.unit_path:
            row.unit_changed = True
            row.changes.append(Change("unit_path", _show_path(old_path), _show_path(values.unit_path)))
            self._note_new_unit(row, values.unit_path)
        old_boss = self.number_by_id.get(existing.line_manager_id) if existing.line_manager_id else None
        # A line manager without an employee number cannot be named in a file: an empty cell keeps them.
        keeps_unnamed = values.line_manager_number is None and existing.line_manager_id and old_boss is None
        if old_boss != values.line_manager_number and not keeps_unnamed:
            row.line_manager_changed = True
            row.changes.append(
                Change("line_manager_employee_number", old_boss or "–", values.line_manager_number or "–")
            )
        self._plan_move(row, values, existing, end)
        if row.changes or row.move_to is not None:
            row.outcome = Outcome.UPDATED

    def _plan_move(
        self, row: PlannedRow, values: RowValues, existing: ExistingManager, end: date | None
    ) -> None:
        target = values.stage
        if target is None or target is existing.stage:
            return
        allowed = allowed_moves(existing.stage)
        if target not in allowed:
            if not allowed:
                row.errors.append(
                    deferred("The journey is closed; it cannot move to %(stage)s.", stage=target.title)
                )
            else:
                row.errors.append(
                    deferred(
                        "%(current)s cannot move to %(target)s. Allowed moves: %(allowed)s.",
                        current=existing.stage.title,
                        target=target.title,
                        allowed=_stage_list(allowed),
                    )
                )
            return
        if self.today < existing.stage_entered_on:
            row.errors.append(
                deferred(
                    "The move to %(stage)s would be dated today, before the current stage began (%(date)s).",
                    stage=target.title,
                    date=existing.stage_entered_on.isoformat(),
                )
            )
            return
        if target is Stage.OFFBOARD and end is None:
            row.errors.append(
                deferred("Moving to offboarding needs an end date; fill in the end_date column.")
            )
            return
        row.move_to = target
        row.changes.append(Change("stage", concat(existing.stage.title), concat(target.title)))

    def _check_line_manager_tree(self) -> None:
        """Refuse line-manager loops, and give each row its depth in the tree after the import."""
        starts = [
            row
            for row in self.in_file.values()
            if not row.errors and (row.outcome is Outcome.CREATED or row.line_manager_changed)
        ]
        if not starts:
            return
        parents_of_others = self._load_ancestry()
        in_file_ids = {
            manager.id: number for number, manager in self.existing.items() if number in self.in_file
        }
        Node = str | int  # an employee number in the file, or the id of a manager not in it

        def parent(node: Node) -> Node | None:
            if isinstance(node, str):
                values = self.in_file[node].values
                boss = values.line_manager_number if values else None
                if boss is None:
                    return None
                if boss in self.in_file:
                    return boss
                known = self.existing.get(boss)
                return known.id if known else None
            boss_id = parents_of_others.get(node)
            if boss_id is None:
                return None
            return in_file_ids.get(boss_id, boss_id)

        depth: dict[Node, int] = {}
        for start in starts:
            path: list[Node] = []
            on_path: set[Node] = set()
            node: Node | None = start.employee_number
            while node is not None and node not in depth and node not in on_path:
                path.append(node)
                on_path.add(node)
                node = parent(node)
            if node is not None and node in on_path:
                loop = path[path.index(node) :]
                for member in loop:
                    if isinstance(member, str):
                        self.in_file[member].errors.append(
                            deferred("The line managers form a loop: %(loop)s.", loop=self._show_loop(loop))
                        )
                for member in path:
                    depth[member] = 0
                continue
            level = -1 if node is None else depth[node]
            for member in reversed(path):
                level += 1
                depth[member] = level
        for number, row in self.in_file.items():
            row.depth = depth.get(number, 0)

    def _show_loop(self, loop: list[str | int]) -> str:
        """Name each member of a loop by employee number, also those only in the database."""
        unknown = {member for member in loop if isinstance(member, int) and member not in self.number_by_id}
        if unknown:
            self.number_by_id.update(_load_numbers_by_id(unknown))
        names = [
            member if isinstance(member, str) else (self.number_by_id.get(member) or f"#{member}")
            for member in loop
        ]
        return " → ".join([*names, names[0]])

    def _load_ancestry(self) -> dict[int, int | None]:
        """Return the line manager of every manager above those the file names, one query a level."""
        parents: dict[int, int | None] = {
            manager.id: manager.line_manager_id for manager in self.existing.values()
        }
        frontier = {boss for boss in parents.values() if boss is not None and boss not in parents}
        while frontier:
            for chunk in _chunks(sorted(frontier)):
                parents.update(
                    db.session.execute(
                        select(Manager.id, Manager.line_manager_id).where(Manager.id.in_(chunk))
                    ).all()
                )
            frontier = {boss for boss in parents.values() if boss is not None and boss not in parents}
        return parents


def plan_import(import_file: ImportFile, today: date) -> ImportPlan:
    """Work out what importing the file would do to each row; reads the database, writes nothing."""
    return _Planner(import_file, today).plan()


# -- applying ---------------------------------------------------------------------------------------


def _load_managers(ids: set[int]) -> dict[int, Manager]:
    managers: dict[int, Manager] = {}
    for chunk in _chunks(sorted(ids)):
        managers.update((m.id, m) for m in db.session.scalars(select(Manager).where(Manager.id.in_(chunk))))
    return managers


#: how many new people go into one set of multi-row inserts (and one progress step)
BATCH_SIZE = 1000

#: called with how many rows of the file are done, after each batch
Progress = Callable[[int], None]


def apply_import(
    plan: ImportPlan, actor: User | None, today: date, on_progress: Progress | None = None
) -> None:
    """Create and update the managers as planned; flushes, never commits. A plan with errors is refused."""
    with acting_as(actor, SOURCE_IMPORT):
        _apply_import(plan, actor, today, on_progress or (lambda done: None))


def _apply_import(plan: ImportPlan, actor: User | None, today: date, on_progress: Progress) -> None:
    """Apply level by level of the line-manager tree: new people in multi-row batches, changes one by one.

    A line manager is always written before the people who report to them, so each level's rows can
    refer to the level above by id.
    """
    if plan.has_errors:
        raise ImportHasErrorsError("an import with errors is never applied")
    active = sorted(
        (row for row in plan.rows if row.outcome in (Outcome.CREATED, Outcome.UPDATED) and row.values),
        key=lambda row: (row.depth, row.line),
    )
    done = len(plan.rows) - len(active)
    if not active:
        on_progress(done)
        return
    wanted = {row.employee_number for row in active if row.existing is not None}
    wanted.update(
        row.values.line_manager_number for row in active if row.values and row.values.line_manager_number
    )
    managers = _load_managers({plan.existing_ids[number] for number in wanted if number in plan.existing_ids})
    by_number: dict[str, Manager] = {m.employee_number: m for m in managers.values() if m.employee_number}
    ids_by_number: dict[str, int] = {number: m.id for number, m in by_number.items()}
    bosses = {m.id: LineManagerFacts(m.user_id, m.name) for m in managers.values()}
    template = introduction_template()
    units: dict[tuple[str, ...], int | None] = {}

    def unit_id(path: tuple[str, ...] | None) -> int | None:
        if path is None:
            return None
        if path not in units:
            units[path] = ensure_unit_path(list(path)).id
        return units[path]

    def boss_id(values: RowValues) -> int | None:
        return ids_by_number[values.line_manager_number] if values.line_manager_number else None

    for _depth, level in groupby(active, key=lambda row: row.depth):
        rows = list(level)
        new_rows = [row for row in rows if row.existing is None and row.values is not None]
        for start in range(0, len(new_rows), BATCH_SIZE):
            batch = new_rows[start : start + BATCH_SIZE]
            people = [
                _new_person(row.values, unit_id(row.values.unit_path), boss_id(row.values), today)
                for row in batch
                if row.values
            ]
            created = enter_journey_many(people, actor, IMPORT_REASON, bosses, template)
            ids_by_number.update(
                (person.employee_number or "", new_id) for person, new_id in zip(people, created, strict=True)
            )
            done += len(batch)
            on_progress(done)
        for row in rows:
            values = row.values
            if row.existing is None or values is None:
                continue
            manager = by_number[values.employee_number]
            details = dict(row.details)
            if row.unit_changed:
                details["org_unit_id"] = unit_id(values.unit_path)
            if row.line_manager_changed:
                details["line_manager_id"] = boss_id(values)
            if details:
                update_manager(manager, ChangeSet(details), actor, source=IMPORT_SOURCE)
            if row.move_to is not None:
                move_to_stage(manager, row.move_to, actor, reason=IMPORT_REASON, effective_date=today)
            done += 1
            if done % BATCH_SIZE == 0:
                db.session.flush()
                on_progress(done)
    db.session.flush()
    on_progress(len(plan.rows))
    logger.info("import applied: %s", plan.counts)


def _new_person(
    values: RowValues, org_unit_id: int | None, line_manager_id: int | None, today: date
) -> NewPerson:
    return NewPerson(
        name=values.name,
        stage=values.stage or Stage.DEVELOP,  # the plan refused a new row without a stage
        effective_date=values.start_date or today,
        employee_number=values.employee_number,
        email=values.email,
        title=values.title,
        org_unit_id=org_unit_id,
        line_manager_id=line_manager_id,
        start_date=values.start_date,
        end_date=values.end_date,
    )


# -- imports kept from preview to confirmation -----------------------------------------------------


def digest_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def keep_checked_file(
    content: bytes, filename: str, plan: PlanReport, uploaded_by: User | None, default_name: str
) -> ManagerImport:
    """Keep an uploaded file with its dry-run report until it is confirmed."""
    record = ManagerImport(
        uploaded_by_id=uploaded_by.id if uploaded_by else None,
        filename=filename[:255] or default_name,
        content=content,
        digest=digest_of(content),
        summary=plan.summary(),
    )
    db.session.add(record)
    db.session.flush()
    logger.info("import %s (%s) previewed: %s", record.id, plan.import_type or "managers", plan.counts)
    return record


def keep_applied_file(content: bytes, filename: str, plan: PlanReport) -> ManagerImport:
    """Keep a file applied from the command line, so every import leaves the same trace."""
    record = ManagerImport(
        uploaded_by_id=None,
        filename=filename[:255],
        content=content,
        digest=digest_of(content),
        summary=plan.summary(),
        committed_at=utcnow(),
        status=ImportStatus.DONE,
        finished_at=utcnow(),
        rows_total=len(plan.rows),
        rows_done=len(plan.rows),
    )
    db.session.add(record)
    db.session.flush()
    return record


def preview_import(content: bytes, filename: str, uploaded_by: User | None, today: date) -> ManagerImport:
    """Check an uploaded file and keep it with its dry-run report; raises ImportFileError if unreadable."""
    plan = plan_import(read_import_file(content), today)
    return keep_checked_file(content, filename, plan, uploaded_by, "import.csv")


def _of_type(import_type: str | None) -> ColumnElement[bool]:
    """Select kept files of one type: `summary["type"]` (e.g. "activities"); managers' files have none."""
    stored: ColumnElement[str] = ManagerImport.summary["type"].as_string()
    return stored.is_(None) if import_type is None else stored == import_type


def get_import(
    import_id: int, for_update: bool = False, import_type: str | None = None
) -> ManagerImport | None:
    """Return a kept import; `for_update` locks it, so two confirmations of one file run one at a time."""
    # The file itself (up to 5 MB) is loaded only when confirming reads it.
    statement = (
        select(ManagerImport)
        .where(ManagerImport.id == import_id, _of_type(import_type))
        .options(defer(ManagerImport.content))
    )
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(statement)


def recent_imports(limit: int = 10, import_type: str | None = None) -> list[ManagerImport]:
    return list(
        db.session.scalars(
            select(ManagerImport)
            .where(_of_type(import_type))
            .options(defer(ManagerImport.content))
            .order_by(ManagerImport.id.desc())
            .limit(limit)
        )
    )


def report_lines(plan: PlanReport) -> list[str]:
    """Return the plan as plain text: every row with an error or a change, then the counts."""
    lines = []
    for row in plan.rows:
        if row.outcome is Outcome.UNCHANGED:
            continue
        lines.append(f"line {row.line} {row.label()}: {row.outcome.value}")
        lines.extend(f"    {message}" for message in row.messages())
    counts = plan.counts
    lines.append(
        f"{len(plan.rows)} rows: {counts['created']} created, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, {counts['error']} with errors"
    )
    if plan.ignored_columns:
        lines.append(f"ignored columns: {', '.join(plan.ignored_columns)}")
    return lines
