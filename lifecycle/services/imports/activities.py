"""Importing activities that happened elsewhere (a training system's attendance lists, workshops) from CSV.

The same steps as the manager import: read the file, plan every row (a dry run that reads the database
and writes nothing), apply the plan only when no row has an error. A row is one activity, for one
manager or a group, tagged with at least one pillar. Its `reference`, the source system's id, is kept
on the activity, so importing the same file again changes nothing, and a changed row updates the
activity it made. Applying goes through the activity services (coverage stays in step) and only
flushes; the caller commits once.

This module plans and applies; the columns and the check of a row on its own are `activity_rows`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any
from typing import ClassVar

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lifecycle.enums import ActivityKind
from lifecycle.extensions import db
from lifecycle.i18n_messages import concat
from lifecycle.i18n_messages import deferred
from lifecycle.i18n_messages import joined
from lifecycle.i18n_messages import localized_text
from lifecycle.i18n_messages import stored
from lifecycle.models import Activity
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import ManagerImport
from lifecycle.models import Pillar
from lifecycle.models import User
from lifecycle.models.activities import ACTIVITY_TAGS
from lifecycle.models.activities import activity_participants
from lifecycle.services.activities import ActivityError
from lifecycle.services.activities import ImportedActivity
from lifecycle.services.activities import add_imported_activities
from lifecycle.services.activities import resolve_tags
from lifecycle.services.activities import update_imported_activities
from lifecycle.services.audit import SOURCE_IMPORT
from lifecycle.services.audit import acting_as
from lifecycle.services.imports.activity_rows import MAX_PARTICIPANTS
from lifecycle.services.imports.activity_rows import NUMBER_SEPARATORS
from lifecycle.services.imports.activity_rows import ActivityValues
from lifecycle.services.imports.activity_rows import Change
from lifecycle.services.imports.activity_rows import Vocabulary
from lifecycle.services.imports.activity_rows import check_row
from lifecycle.services.imports.activity_rows import read_activity_file
from lifecycle.services.imports.activity_rows import split_values
from lifecycle.services.imports.files import ImportFile
from lifecycle.services.imports.records import keep_checked_file
from lifecycle.services.imports.reports import Outcome
from lifecycle.services.imports.reports import PlanReport
from lifecycle.services.imports.reports import ReportedRow
from lifecycle.services.imports.reports import chunks
from lifecycle.services.imports.reports import earlier_line
from lifecycle.services.imports.reports import mark_errors
from lifecycle.services.imports.reports import show_date
from lifecycle.services.tags import tag_keys

logger = logging.getLogger(__name__)

#: `ManagerImport.summary["type"]` of a kept file of activities (the table keeps both kinds of file)
ACTIVITIES_TYPE = "activities"
#: how many participants a report row names before it only counts the rest
SHOWN_NUMBERS = 10


# -- planning against the database -----------------------------------------------------------------


@dataclass(frozen=True)
class ExistingActivity:
    """An activity an earlier import made: its columns and tags as plain values."""

    id: int
    reference: str
    kind: ActivityKind
    title: str
    description: str
    due_on: date | None
    completed_on: date | None
    is_cancelled: bool
    participant_ids: frozenset[int]
    #: employee number (or "#id" for someone without one) by participant id, for the report
    participant_numbers: dict[int, str]
    pillar_keys: frozenset[str]
    expectation_keys: frozenset[str]


@dataclass
class PlannedActivity(ReportedRow):
    """What importing one row will do, and why."""

    line: int
    reference: str
    title: str
    employee_numbers: tuple[str, ...]
    outcome: Outcome = Outcome.UNCHANGED
    errors: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    values: ActivityValues | None = None
    existing: ExistingActivity | None = None
    participant_ids: tuple[int, ...] = ()
    #: every pillar and expectation the activity will have, by key
    pillar_keys: frozenset[str] = frozenset()
    expectation_keys: frozenset[str] = frozenset()

    def as_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "reference": self.reference,
            "title": self.title,
            "participants": _show_numbers(self.employee_numbers),
            "outcome": self.outcome.value,
            # Language-neutral: whoever opens the report later reads it in their own language.
            "messages": [stored(message) for message in self.messages()],
        }

    def label(self) -> str:
        return f"{self.reference or '-'} {self.title or '-'}"


@dataclass
class ActivityImportPlan(PlanReport):
    """Every row's outcome; apply it only when `has_errors` is false."""

    import_type: ClassVar[str | None] = ACTIVITIES_TYPE
    rows: list[PlannedActivity]
    #: the known columns the file has; a column it leaves out is not changed on existing activities
    columns: frozenset[str] = frozenset()
    ignored_columns: tuple[str, ...] = ()


def _show_numbers(numbers: Iterable[str]) -> str:
    shown = sorted(numbers)
    if len(shown) > SHOWN_NUMBERS:
        return ", ".join(shown[:SHOWN_NUMBERS]) + f" … (+{len(shown) - SHOWN_NUMBERS})"
    return ", ".join(shown) or "–"


def _show_text(text: str, limit: int = 60) -> str:
    if not text:
        return "–"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _load_manager_ids(numbers: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in chunks(sorted(numbers)):
        for manager_id, number in db.session.execute(
            select(Manager.id, Manager.employee_number).where(Manager.employee_number.in_(chunk))
        ):
            found[number or ""] = manager_id
    return found


def _load_existing(references: set[str]) -> dict[str, ExistingActivity]:
    """Return the activities earlier imports made for these references, four queries a chunk."""
    existing: dict[str, ExistingActivity] = {}
    for chunk in chunks(sorted(references)):
        rows = db.session.execute(
            select(
                Activity.id,
                Activity.import_reference,
                Activity.kind,
                Activity.title,
                Activity.description,
                Activity.due_on,
                Activity.completed_on,
                Activity.cancelled_at,
            ).where(Activity.import_reference.in_(chunk))
        ).all()
        if not rows:
            continue
        ids = [row.id for row in rows]
        participants: dict[int, dict[int, str]] = {}
        for activity_id, manager_id, number in db.session.execute(
            select(activity_participants.c.activity_id, Manager.id, Manager.employee_number)
            .join(Manager, Manager.id == activity_participants.c.manager_id)
            .where(activity_participants.c.activity_id.in_(ids))
        ):
            participants.setdefault(activity_id, {})[manager_id] = number or f"#{manager_id}"
        pillars, expectations = tag_keys(ACTIVITY_TAGS, ids)
        for row in rows:
            numbers = participants.get(row.id, {})
            existing[row.import_reference or ""] = ExistingActivity(
                id=row.id,
                reference=row.import_reference or "",
                kind=row.kind,
                title=row.title,
                description=row.description,
                due_on=row.due_on,
                completed_on=row.completed_on,
                is_cancelled=row.cancelled_at is not None,
                participant_ids=frozenset(numbers),
                participant_numbers=numbers,
                pillar_keys=frozenset(pillars.get(row.id, ())),
                expectation_keys=frozenset(expectations.get(row.id, ())),
            )
    return existing


class _Planner:
    """Plans a file's rows: each row on its own, then against the database and each other."""

    def __init__(self, import_file: ImportFile, today: date) -> None:
        self.file = import_file
        self.today = today
        self.columns = import_file.columns
        self.vocabulary = Vocabulary.load()
        self.rows: list[PlannedActivity] = []
        #: resolve_tags' answer for each combination of tags: the keys it gives, or why not
        self.tags: dict[
            tuple[frozenset[str], frozenset[str]], tuple[frozenset[str], frozenset[str]] | str
        ] = {}

    def plan(self) -> ActivityImportPlan:
        self._check_rows()
        numbers = {number for row in self.rows for number in row.employee_numbers}
        self.manager_ids = _load_manager_ids(numbers)
        self.existing = _load_existing({row.values.reference for row in self.rows if row.values})
        for row in self.rows:
            self._check_participants(row)
            if row.values is not None:
                self._plan_row(row, row.values)
        mark_errors(self.rows)
        return ActivityImportPlan(
            rows=self.rows, columns=self.columns, ignored_columns=self.file.ignored_columns
        )

    def _check_rows(self) -> None:
        first_line: dict[str, int] = {}
        for csv_row in self.file.rows:
            values, errors = check_row(csv_row, self.columns, self.vocabulary, self.today)
            reference = csv_row.cells.get("reference", "")
            row = PlannedActivity(
                line=csv_row.line,
                reference=reference,
                title=csv_row.cells.get("title", ""),
                employee_numbers=tuple(
                    split_values(csv_row.cells.get("employee_numbers", ""), NUMBER_SEPARATORS)[
                        : MAX_PARTICIPANTS + 1
                    ]
                ),
                errors=errors,
            )
            self.rows.append(row)
            earlier = earlier_line(first_line, reference, csv_row.line)
            if earlier is not None:
                row.errors.append(
                    deferred(
                        "The reference %(reference)s is also on line %(line)d.",
                        reference=reference,
                        line=earlier,
                    )
                )
                continue
            row.values = values

    def _resolve(
        self, pillar_keys: frozenset[str], expectation_keys: frozenset[str]
    ) -> tuple[frozenset[str], frozenset[str]] | str:
        """Check tags with `resolve_tags` once per combination; return the keys, or the reason refused."""
        wanted = (pillar_keys, expectation_keys)
        if wanted not in self.tags:
            try:
                pillars, expectations = resolve_tags(pillar_keys, expectation_keys)
            except ActivityError as refused:
                # resolve_tags' message is a StoredText, so the report can show it in the reader's language.
                message = refused.args[0] if refused.args else None
                self.tags[wanted] = message if isinstance(message, str) else str(refused)
            else:
                self.tags[wanted] = (
                    frozenset(p.key for p in pillars),
                    frozenset(e.key for e in expectations),
                )
        return self.tags[wanted]

    def _no_pillar_hint(self) -> str:
        return deferred(
            "Fill in the pillars column with %(pillars)s, or their Swedish names.",
            pillars=", ".join(sorted(set(self.vocabulary.pillars.values()))),
        )

    def _check_participants(self, row: PlannedActivity) -> None:
        """Find the participants, also on rows with other errors, so every problem shows at once."""
        missing = [number for number in row.employee_numbers if number not in self.manager_ids]
        if missing:
            row.errors.append(
                deferred("No one has the employee number %(number)s.", number=", ".join(missing))
            )
        row.participant_ids = tuple(
            self.manager_ids[number] for number in row.employee_numbers if number in self.manager_ids
        )

    def _plan_row(self, row: PlannedActivity, values: ActivityValues) -> None:
        existing = self.existing.get(values.reference)
        if existing is None:
            self._plan_new(row, values)
        else:
            self._plan_update(row, values, existing)

    def _plan_new(self, row: PlannedActivity, values: ActivityValues) -> None:
        resolved = self._resolve(values.pillar_keys, values.expectation_keys or frozenset())
        if isinstance(resolved, str):
            row.errors.append(resolved)
            if not values.pillar_keys and not values.expectation_keys:
                row.errors.append(self._no_pillar_hint())
            return
        if row.errors:
            return
        row.pillar_keys, row.expectation_keys = resolved
        row.outcome = Outcome.CREATED
        pillar_names = self._pillar_names(row.pillar_keys)
        if values.completed_on is not None:
            row.notes.append(
                deferred(
                    "%(kind)s, completed on %(date)s, with %(count)d participant(s); builds %(pillars)s.",
                    kind=values.kind.title,
                    count=len(row.participant_ids),
                    date=values.completed_on.isoformat(),
                    pillars=pillar_names,
                )
            )
        else:
            row.notes.append(
                deferred(
                    "%(kind)s, not completed yet, with %(count)d participant(s); builds %(pillars)s.",
                    kind=values.kind.title,
                    count=len(row.participant_ids),
                    pillars=pillar_names,
                )
            )

    def _pillar_names(self, keys: frozenset[str]) -> str:
        names = self.vocabulary.pillar_names
        return joined(", ", (localized_text(names[key]) if key in names else key for key in sorted(keys)))

    def _plan_update(self, row: PlannedActivity, values: ActivityValues, existing: ExistingActivity) -> None:
        row.existing = existing
        expectation_keys = (
            existing.expectation_keys if values.expectation_keys is None else values.expectation_keys
        )
        pillar_keys = values.pillar_keys | {key.split(".", 1)[0] for key in expectation_keys}
        added_pillars = pillar_keys - existing.pillar_keys
        added_expectations = expectation_keys - existing.expectation_keys
        if not pillar_keys or added_pillars or added_expectations:
            # Only what is new is checked: tags the activity already has may since have been retired.
            resolved = self._resolve(frozenset(added_pillars), frozenset(added_expectations))
            if isinstance(resolved, str):
                row.errors.append(resolved)
                if not pillar_keys:
                    row.errors.append(self._no_pillar_hint())
                return
            pillar_keys |= resolved[0]
        if row.errors:
            return
        row.pillar_keys, row.expectation_keys = frozenset(pillar_keys), frozenset(expectation_keys)
        changes = row.changes
        if values.kind is not existing.kind:
            changes.append(Change("kind", concat(existing.kind.title), concat(values.kind.title)))
        if values.title != existing.title:
            changes.append(Change("title", existing.title, values.title))
        if values.description is not None and values.description != existing.description:
            changes.append(
                Change("description", _show_text(existing.description), _show_text(values.description))
            )
        for name in ("due_on", "completed_on"):
            old, new = getattr(existing, name), getattr(values, name)
            if name in self.columns and old != new:
                changes.append(Change(name, show_date(old), show_date(new)))
        if set(row.participant_ids) != existing.participant_ids:
            changes.append(
                Change(
                    "employee_numbers",
                    _show_numbers(existing.participant_numbers.values()),
                    _show_numbers(values.employee_numbers),
                )
            )
        if row.pillar_keys != existing.pillar_keys:
            changes.append(
                Change("pillars", _show_numbers(existing.pillar_keys), _show_numbers(row.pillar_keys))
            )
        if row.expectation_keys != existing.expectation_keys:
            changes.append(
                Change(
                    "expectations",
                    _show_numbers(existing.expectation_keys),
                    _show_numbers(row.expectation_keys),
                )
            )
        if not changes:
            return
        if existing.is_cancelled:
            row.changes = []
            row.errors.append(
                deferred(
                    "The activity with the reference %(reference)s was cancelled in Chefsresan; "
                    "an import does not change it. Give the row a new reference, or remove it.",
                    reference=values.reference,
                )
            )
            return
        row.outcome = Outcome.UPDATED


def plan_activity_import(import_file: ImportFile, today: date) -> ActivityImportPlan:
    """Work out what importing the file would do to each row; reads the database, writes nothing."""
    return _Planner(import_file, today).plan()


# -- applying ---------------------------------------------------------------------------------------


def _load_by_id(model: type[Any], ids: set[int], *options: Any) -> dict[int, Any]:
    loaded: dict[int, Any] = {}
    for chunk in chunks(sorted(ids)):
        loaded.update(
            (obj.id, obj)
            for obj in db.session.scalars(select(model).where(model.id.in_(chunk)).options(*options))
        )
    return loaded


def apply_activity_import(plan: ActivityImportPlan, actor: User | None) -> None:
    """Add and update the activities as planned; flushes, never commits. A plan with errors is refused."""
    with acting_as(actor, SOURCE_IMPORT):
        _apply_activity_import(plan, actor)


def _apply_activity_import(plan: ActivityImportPlan, actor: User | None) -> None:
    plan.refuse_if_errors()
    active = [row for row in plan.rows if row.outcome in (Outcome.CREATED, Outcome.UPDATED) and row.values]
    if not active:
        return
    managers: dict[int, Manager] = _load_by_id(Manager, {i for row in active for i in row.participant_ids})
    pillar_keys = {key for row in active for key in row.pillar_keys}
    expectation_keys = {key for row in active for key in row.expectation_keys}
    pillars = {p.key: p for p in db.session.scalars(select(Pillar).where(Pillar.key.in_(pillar_keys)))}
    expectations = {
        e.key: e for e in db.session.scalars(select(Expectation).where(Expectation.key.in_(expectation_keys)))
    }
    activities: dict[int, Activity] = _load_by_id(
        Activity,
        {row.existing.id for row in active if row.existing},
        selectinload(Activity.participants),
        selectinload(Activity.pillars),
        selectinload(Activity.expectations),
    )

    def imported(row: PlannedActivity, values: ActivityValues, current: Activity | None) -> ImportedActivity:
        """Return the row as the activity services take it; a column the file leaves out keeps its value."""
        due_on, completed_on = values.due_on, values.completed_on
        description = values.description or ""
        if current is not None:
            due_on = due_on if "due_on" in plan.columns else current.due_on
            completed_on = completed_on if "completed_on" in plan.columns else current.completed_on
            description = current.description if values.description is None else values.description
        return ImportedActivity(
            reference=values.reference,
            kind=values.kind,
            title=values.title,
            description=description,
            participants=[managers[i] for i in row.participant_ids],
            pillars=[pillars[key] for key in sorted(row.pillar_keys)],
            expectations=[expectations[key] for key in sorted(row.expectation_keys)],
            due_on=due_on,
            completed_on=completed_on,
        )

    new: list[ImportedActivity] = []
    updates: list[tuple[Activity, ImportedActivity]] = []
    for row in active:
        values = row.values
        if values is None:  # unreachable: filtered above; keeps the type checker informed
            continue
        if row.existing is None:
            new.append(imported(row, values, None))
        else:
            activity = activities[row.existing.id]
            updates.append((activity, imported(row, values, activity)))
    add_imported_activities(new, actor)
    update_imported_activities(updates)
    db.session.flush()
    logger.info("activity import applied: %s", plan.counts)


# -- files kept from preview to confirmation -------------------------------------------------------


def preview_activity_import(
    content: bytes, filename: str, uploaded_by: User | None, today: date
) -> ManagerImport:
    """Check an uploaded file and keep it with its dry-run report; raises ImportFileError if unreadable."""
    plan = plan_activity_import(read_activity_file(content), today)
    return keep_checked_file(content, filename, plan, uploaded_by, "activities.csv")
