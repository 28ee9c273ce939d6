"""The candidate import's column list, and checking each row of the file on its own.

A recruitment system (Varbi, ReachMee and the like) exports its applicants as CSV: first and last name
(or one name column), e-mail, perhaps a phone number, the application date and the application's id.
Planning the rows against the database and applying the plan is `candidates`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from lifecycle.i18n_messages import deferred
from lifecycle.services.imports.files import ColumnSpec
from lifecycle.services.imports.files import CsvRow
from lifecycle.services.imports.files import ImportFile
from lifecycle.services.imports.files import ImportFileError
from lifecycle.services.imports.files import check_length
from lifecycle.services.imports.files import read_date
from lifecycle.services.imports.files import read_file
from lifecycle.services.imports.files import read_reference
from lifecycle.services.imports.manager_rows import email_problem

MAX_NAME = 200
MAX_EMAIL = 254
#: as long as `Candidacy.import_reference`
MAX_REFERENCE = 120

#: header names (after `normalise_header`) of the exports seen, in English and Swedish
HEADER_ALIASES: dict[str, str] = {
    "first name": "first_name",
    "firstname": "first_name",
    "given name": "first_name",
    "förnamn": "first_name",
    "last name": "last_name",
    "lastname": "last_name",
    "surname": "last_name",
    "family name": "last_name",
    "efternamn": "last_name",
    "name": "name",
    "full name": "name",
    "namn": "name",
    "fullständigt namn": "name",
    "email": "email",
    "e-mail": "email",
    "e-mail address": "email",
    "email address": "email",
    "e-post": "email",
    "epost": "email",
    "e-postadress": "email",
    "mejl": "email",
    "applied on": "applied_on",
    "application date": "applied_on",
    "date applied": "applied_on",
    "applied": "applied_on",
    "ansökningsdatum": "applied_on",
    "ansökt": "applied_on",
    "ansökt datum": "applied_on",
    "reference": "reference",
    "referens": "reference",
    "application id": "reference",
    "applicant id": "reference",
    "candidate id": "reference",
    "ansökan id": "reference",
    "ansöknings-id": "reference",
    "ansökningsid": "reference",
    "sökande-id": "reference",
    "kandidat-id": "reference",
    "id": "reference",
}
#: the columns an export adds that the import does not keep: only what the recruitment needs is kept
UNMENTIONED = frozenset(
    {
        "phone",
        "phone number",
        "mobile",
        "mobile phone",
        "telefon",
        "telefonnummer",
        "mobil",
        "mobilnummer",
        "mobiltelefon",
    }
)
#: a name column (one, or first and last) is required too; `read_candidate_file` checks it
REQUIRED_COLUMNS = ("email", "reference")
CANDIDATE_COLUMNS = ColumnSpec(HEADER_ALIASES, REQUIRED_COLUMNS, UNMENTIONED)

FIELD_LABELS: dict[str, LazyString] = {
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "name": _l("Name"),
    "email": _l("E-mail"),
    "applied_on": _l("Applied on"),
    "reference": _l("Reference"),
}

#: the file's columns for the upload page: the column, its Swedish header, what it holds
COLUMN_HELP: tuple[tuple[str, str, LazyString], ...] = (
    ("first_name", "förnamn", _l("The applicant's first name; with last_name, or use one name column.")),
    ("last_name", "efternamn", _l("The applicant's last name.")),
    ("name", "namn", _l("The whole name, when the file has no first and last name columns.")),
    (
        "email",
        "e-post",
        _l(
            "The applicant's e-mail address. Required: a person on the journey with this address is "
            "linked to the vacancy instead of being added again."
        ),
    ),
    (
        "applied_on",
        "ansökningsdatum",
        _l("May be empty. The date of the application, as YYYY-MM-DD; empty is the day of the import."),
    ),
    (
        "reference",
        "referens",
        _l(
            "The application's id in the recruitment system, unique in the file. Required: importing "
            "the same file again changes nothing."
        ),
    ),
)


def read_candidate_file(content: bytes) -> ImportFile:
    """Read a recruitment system's CSV file of applicants; raises ImportFileError when it cannot."""
    import_file = read_file(content, CANDIDATE_COLUMNS)
    if "name" not in import_file.columns and not {"first_name", "last_name"} <= import_file.columns:
        raise ImportFileError(
            _l(
                "The first line must name the columns. Missing: %(columns)s.",
                columns="first_name, last_name (or name)",
            )
        )
    return import_file


# -- checking each row on its own ------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateValues:
    """A row's values, checked and cleaned."""

    reference: str
    name: str
    #: as written in the file; matched against the journey without regard to case
    email: str
    applied_on: date


def row_name(cells: dict[str, str]) -> str:
    """Return the applicant's name: the name column, or first and last name put together."""
    if cells.get("name"):
        return " ".join(cells["name"].split())
    return " ".join(" ".join((cells.get("first_name", ""), cells.get("last_name", ""))).split())


def check_row(row: CsvRow, today: date) -> tuple[CandidateValues | None, list[str]]:
    """Return the row's cleaned values, or None and every problem found in the row itself."""
    cells = row.cells
    errors: list[str] = [row.problem] if row.problem else []
    reference = read_reference(
        errors,
        cells,
        deferred(
            "The reference is missing; give each application its id in the recruitment system, "
            "so importing the file again changes nothing."
        ),
        MAX_REFERENCE,
    )
    name = row_name(cells)
    if not name:
        errors.append(deferred("The applicant's name is missing."))
    check_length(errors, FIELD_LABELS["name"], name, MAX_NAME)
    email = cells.get("email", "")
    if not email:
        errors.append(deferred("The e-mail address is missing; applicants are matched by it."))
    elif len(email) > MAX_EMAIL:
        check_length(errors, FIELD_LABELS["email"], email, MAX_EMAIL)
    elif (problem := email_problem(email)) is not None:
        errors.append(problem)
    applied_on = read_date(errors, FIELD_LABELS["applied_on"], cells.get("applied_on", ""))
    if applied_on is not None and applied_on > today:
        errors.append(
            deferred("The application date %(date)s is in the future.", date=applied_on.isoformat())
        )
    if errors:
        return None, errors
    return CandidateValues(reference=reference, name=name, email=email, applied_on=applied_on or today), []
