"""Importing managers from the payroll/HR system's CSV file: read it, plan every row, apply the plan.

Planning is a dry run: it reads the database and writes nothing. A plan with any error is never
applied. Applying writes new people set-based (`bulk_journey`) and changes through the journey and
manager services (history rows, change log); it only flushes. A confirmed file is applied by a worker
(`jobs`); the command line applies it in its own process.

This module plans; the columns and the check of a row on its own are `manager_rows`, applying is
`manager_writer`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any
from typing import NamedTuple

from sqlalchemy import select

from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.i18n_messages import concat
from lifecycle.i18n_messages import deferred
from lifecycle.i18n_messages import joined
from lifecycle.i18n_messages import stored
from lifecycle.models import Manager
from lifecycle.models import ManagerImport
from lifecycle.models import OrgUnit
from lifecycle.models import User
from lifecycle.services.imports.files import ImportFile
from lifecycle.services.imports.manager_rows import Change
from lifecycle.services.imports.manager_rows import RowValues
from lifecycle.services.imports.manager_rows import check_row
from lifecycle.services.imports.manager_rows import email_problem
from lifecycle.services.imports.manager_rows import read_import_file
from lifecycle.services.imports.records import keep_checked_file
from lifecycle.services.imports.reports import Outcome
from lifecycle.services.imports.reports import PlanReport
from lifecycle.services.imports.reports import ReportedRow
from lifecycle.services.imports.reports import chunks
from lifecycle.services.imports.reports import earlier_line
from lifecycle.services.imports.reports import mark_errors
from lifecycle.services.imports.reports import show_date
from lifecycle.services.journey import ENTRY_STAGES
from lifecycle.services.journey import allowed_moves

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


@dataclass
class PlannedRow(ReportedRow):
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


@dataclass
class ImportPlan(PlanReport):
    """Every row's outcome; apply it only when `has_errors` is false."""

    rows: list[PlannedRow]
    ignored_columns: tuple[str, ...] = ()
    #: the id of every manager the plan found by employee number (the file's and their line managers)
    existing_ids: dict[str, int] = field(default_factory=dict)


def _load_existing(numbers: set[str]) -> dict[str, ExistingManager]:
    existing: dict[str, ExistingManager] = {}
    for chunk in chunks(sorted(numbers)):
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
    for chunk in chunks(sorted(ids)):
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
        mark_errors(self.rows)
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
            earlier = earlier_line(first_line, number, csv_row.line)
            if earlier is not None:
                row.errors.append(
                    deferred(
                        "The employee number %(number)s is also on line %(line)d.",
                        number=number,
                        line=earlier,
                    )
                )
                continue
            if number:
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
                row.changes.append(Change(name, show_date(old_date), show_date(new_date)))
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
            for chunk in chunks(sorted(frontier)):
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


def preview_import(content: bytes, filename: str, uploaded_by: User | None, today: date) -> ManagerImport:
    """Check an uploaded file and keep it with its dry-run report; raises ImportFileError if unreadable."""
    plan = plan_import(read_import_file(content), today)
    return keep_checked_file(content, filename, plan, uploaded_by, "import.csv")
