"""The manager import's column list, and checking each row of the file on its own.

Planning the rows against the database is `managers`; writing them, `manager_writer`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from email_validator import EmailNotValidError
from email_validator import validate_email
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from lifecycle.enums import Stage
from lifecycle.i18n_messages import concat
from lifecycle.i18n_messages import deferred
from lifecycle.i18n_messages import joined
from lifecycle.services.exports import EXPORT_ONLY_COLUMNS
from lifecycle.services.exports import IMPORT_COLUMNS
from lifecycle.services.imports.files import ColumnSpec
from lifecycle.services.imports.files import CsvRow
from lifecycle.services.imports.files import ImportFile
from lifecycle.services.imports.files import check_length
from lifecycle.services.imports.files import normalise_text
from lifecycle.services.imports.files import read_date
from lifecycle.services.imports.files import read_file
from lifecycle.services.imports.reports import Change as ImportChange
from lifecycle.services.organisation import KINDS_BY_DEPTH

MAX_UNIT_DEPTH = len(KINDS_BY_DEPTH) + 4

#: the columns every file must have; `end_date` may be left out (then end dates are not touched)
REQUIRED_COLUMNS = tuple(column for column in IMPORT_COLUMNS if column != "end_date")

#: header names the import understands, after `normalise_header`, and the column each one means
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

#: stage keys and the Swedish and English names, after `normalise_text`
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


@dataclass(frozen=True)
class Change(ImportChange):
    """A change to one of the file's columns, named as the report names it."""

    labels: ClassVar[Mapping[str, LazyString]] = FIELD_LABELS


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

MANAGER_COLUMNS = ColumnSpec(HEADER_ALIASES, REQUIRED_COLUMNS, IGNORED_HEADERS)


def read_import_file(content: bytes, spec: ColumnSpec = MANAGER_COLUMNS) -> ImportFile:
    """Read an uploaded CSV file of managers (or of the columns `spec` names) into rows; see `read_file`."""
    return read_file(content, spec)


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


def parse_stage(text: str) -> Stage | None:
    return STAGE_NAMES.get(normalise_text(text))


def _optional_text(value: str) -> str | None:
    return value or None


def _check_length(errors: list[str], column: str, value: str | None, limit: int) -> None:
    check_length(errors, FIELD_LABELS.get(column, column), value, limit)


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
    start_date = read_date(errors, FIELD_LABELS["start_date"], cells.get("start_date", ""))
    end_date = read_date(errors, FIELD_LABELS["end_date"], cells.get("end_date", ""))
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
