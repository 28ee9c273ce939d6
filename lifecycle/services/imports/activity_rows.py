"""The activity import's column list, and checking each row of the file on its own.

Planning the rows against the database and applying the plan is `activities`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from flask_babel import LazyString
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lifecycle.enums import ActivityKind
from lifecycle.extensions import db
from lifecycle.i18n_messages import concat
from lifecycle.i18n_messages import deferred
from lifecycle.i18n_messages import joined
from lifecycle.models import Pillar
from lifecycle.services.imports.files import ColumnSpec
from lifecycle.services.imports.files import CsvRow
from lifecycle.services.imports.files import ImportFile
from lifecycle.services.imports.files import normalise_text
from lifecycle.services.imports.files import read_date
from lifecycle.services.imports.files import read_file
from lifecycle.services.imports.files import read_reference
from lifecycle.services.imports.reports import Change as ImportChange
from lifecycle.services.platform import EXPECTATION_EXAMPLE_TEXT
from lifecycle.services.platform import PILLAR_KEYS_TEXT

#: as many participants as the activity form takes
MAX_PARTICIPANTS = 500
MAX_TITLE = 200
MAX_DESCRIPTION = 4000
MAX_REFERENCE = 120

HEADER_ALIASES: dict[str, str] = {
    "employee numbers": "employee_numbers",
    "employee number": "employee_numbers",
    "participants": "employee_numbers",
    "anställningsnummer": "employee_numbers",
    "deltagare": "employee_numbers",
    "kind": "kind",
    "type": "kind",
    "typ": "kind",
    "title": "title",
    "rubrik": "title",
    "pillars": "pillars",
    "pillar": "pillars",
    "pelare": "pillars",
    "expectations": "expectations",
    "förväntningar": "expectations",
    "due on": "due_on",
    "due date": "due_on",
    "planerat": "due_on",
    "completed on": "completed_on",
    "genomfört": "completed_on",
    "description": "description",
    "beskrivning": "description",
    "reference": "reference",
    "referens": "reference",
}
#: `pillars` must be a column, though a row may leave it empty when its expectations name the pillars
REQUIRED_COLUMNS = ("employee_numbers", "kind", "title", "pillars", "reference")
ACTIVITY_COLUMNS = ColumnSpec(HEADER_ALIASES, REQUIRED_COLUMNS)

FIELD_LABELS: dict[str, LazyString] = {
    "employee_numbers": _l("Participants"),
    "kind": _l("Kind"),
    "title": _l("Activity title"),
    "pillars": _l("Pillars"),
    "expectations": _l("Expectations"),
    "due_on": _l("Planned date"),
    "completed_on": _l("Completed on"),
    "description": _l("Description"),
    "reference": _l("Reference"),
}


@dataclass(frozen=True)
class Change(ImportChange):
    """A change to one of the file's columns, named as the report names it."""

    labels: ClassVar[Mapping[str, LazyString]] = FIELD_LABELS


#: the file's columns for the upload page: the column, its Swedish header, what it holds
COLUMN_HELP: tuple[tuple[str, str, LazyString], ...] = (
    (
        "employee_numbers",
        "anställningsnummer",
        _l(
            "The participants' employee numbers, separated by commas or spaces; a group activity "
            "lists several and becomes one activity. Required."
        ),
    ),
    (
        "kind",
        "typ",
        _l(
            "course, workshop, mentoring, interview, introduction_milestone, development_review, "
            "exit_interview, employer_branding, aspirant_programme or other, or the kind's Swedish name. "
            "Required."
        ),
    ),
    ("title", "rubrik", _l("What the activity is called. Required.")),
    (
        "pillars",
        "pelare",
        _l(
            "The pillars it builds, separated by commas: %(pillars)s or their Swedish names. At least "
            "one, unless an expectation names it.",
            pillars=PILLAR_KEYS_TEXT,
        ),
    ),
    (
        "expectations",
        "förväntningar",
        _l(
            "May be empty. Expectations it builds, by key (such as %(example)s), separated by commas.",
            example=EXPECTATION_EXAMPLE_TEXT,
        ),
    ),
    ("due_on", "planerat", _l("May be empty. The planned date, as YYYY-MM-DD.")),
    (
        "completed_on",
        "genomfört",
        _l(
            "May be empty. The date it was done, as YYYY-MM-DD, not in the future; "
            "only completed activities count towards pillar coverage."
        ),
    ),
    ("description", "beskrivning", _l("May be empty. A longer description.")),
    (
        "reference",
        "referens",
        _l(
            "The activity's id in the source system, unique in the file. Required: importing a row "
            "with the same reference again updates that activity instead of adding another."
        ),
    ),
)

_LIST_SEPARATORS = re.compile(r"[,;]")
NUMBER_SEPARATORS = re.compile(r"[\s,;]+")


def read_activity_file(content: bytes) -> ImportFile:
    """Read an uploaded CSV file of activities; raises ImportFileError when it cannot be read."""
    return read_file(content, ACTIVITY_COLUMNS)


# -- checking each row on its own ------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityValues:
    """A row's values, checked and cleaned; None for a column the file does not have."""

    reference: str
    employee_numbers: tuple[str, ...]
    kind: ActivityKind
    title: str
    #: pillar keys as written (Swedish and English names already turned into keys)
    pillar_keys: frozenset[str]
    expectation_keys: frozenset[str] | None
    due_on: date | None
    completed_on: date | None
    description: str | None


@dataclass(frozen=True)
class Vocabulary:
    """The words a file may use for kinds and pillars, each mapped to its value or key."""

    kinds: dict[str, ActivityKind]
    pillars: dict[str, str]
    #: each pillar's name by language, for the report
    pillar_names: dict[str, dict[str, str]]

    @classmethod
    def load(cls) -> Vocabulary:
        kinds: dict[str, ActivityKind] = {}
        for locale in ("en_GB", "sv"):
            with force_locale(locale):
                kinds.update((_word(str(kind.title)), kind) for kind in ActivityKind)
        kinds.update((_word(kind.value), kind) for kind in ActivityKind)
        pillars: dict[str, str] = {}
        names: dict[str, dict[str, str]] = {}
        for key, name_sv, name_en in db.session.execute(select(Pillar.key, Pillar.name_sv, Pillar.name_en)):
            pillars.update({_word(name_en): key, _word(name_sv): key, _word(key): key})
            names[key] = {"sv": name_sv, "en": name_en}
        return cls(kinds=kinds, pillars=pillars, pillar_names=names)


def _word(text: str) -> str:
    """Return a kind or pillar name as the lookups hold it: case, spaces, _ and - do not matter."""
    return normalise_text(text.replace("_", " ").replace("-", " "))


def split_values(text: str, separators: re.Pattern[str]) -> list[str]:
    """Return the values of a cell that lists several, in order, without empty ones or repeats."""
    return list(dict.fromkeys(part.strip() for part in separators.split(text) if part.strip()))


def _kind_list() -> str:
    return joined(", ", (concat(kind.value, " (", kind.title, ")") for kind in ActivityKind))


def check_row(
    row: CsvRow, columns: frozenset[str], vocabulary: Vocabulary, today: date
) -> tuple[ActivityValues | None, list[str]]:
    """Return the row's cleaned values, or None and every problem found in the row itself."""
    cells = row.cells
    errors: list[str] = [row.problem] if row.problem else []
    reference = read_reference(
        errors,
        cells,
        deferred(
            "The reference is missing; give each activity its id in the source system, "
            "so importing the file again changes nothing."
        ),
        MAX_REFERENCE,
    )
    numbers = split_values(cells.get("employee_numbers", ""), NUMBER_SEPARATORS)
    if not numbers:
        errors.append(deferred("No participant: give one or more employee numbers."))
    elif len(numbers) > MAX_PARTICIPANTS:
        errors.append(deferred("At most %(count)s participants.", count=MAX_PARTICIPANTS))
    raw_kind = cells.get("kind", "")
    kind = vocabulary.kinds.get(_word(raw_kind)) if raw_kind else None
    if not raw_kind:
        errors.append(deferred("The kind is missing. Use one of: %(kinds)s.", kinds=_kind_list()))
    elif kind is None:
        errors.append(
            deferred("Unknown kind “%(kind)s”. Use one of: %(kinds)s.", kind=raw_kind, kinds=_kind_list())
        )
    title = cells.get("title", "")
    if not title:
        errors.append(deferred("Give the activity a title."))
    elif len(title) > MAX_TITLE:
        errors.append(
            deferred(
                "%(field)s is longer than %(limit)d characters.", field=FIELD_LABELS["title"], limit=MAX_TITLE
            )
        )
    description = cells.get("description", "") if "description" in columns else None
    if description is not None and len(description) > MAX_DESCRIPTION:
        errors.append(
            deferred(
                "%(field)s is longer than %(limit)d characters.",
                field=FIELD_LABELS["description"],
                limit=MAX_DESCRIPTION,
            )
        )
    pillar_keys = frozenset(
        vocabulary.pillars.get(_word(name), name)
        for name in split_values(cells.get("pillars", ""), _LIST_SEPARATORS)
    )
    expectation_keys = (
        frozenset(key.casefold() for key in split_values(cells.get("expectations", ""), _LIST_SEPARATORS))
        if "expectations" in columns
        else None
    )
    due_on = read_date(errors, FIELD_LABELS["due_on"], cells.get("due_on", ""))
    completed_on = read_date(errors, FIELD_LABELS["completed_on"], cells.get("completed_on", ""))
    if completed_on is not None and completed_on > today:
        errors.append(
            deferred(
                "The activity cannot be completed on %(date)s, a day in the future; "
                "leave completed_on empty until it has happened.",
                date=completed_on.isoformat(),
            )
        )
    if errors or kind is None:
        return None, errors
    return (
        ActivityValues(
            reference=reference,
            employee_numbers=tuple(numbers),
            kind=kind,
            title=title,
            pillar_keys=pillar_keys,
            expectation_keys=expectation_keys,
            due_on=due_on,
            completed_on=completed_on,
            description=description,
        ),
        [],
    )
