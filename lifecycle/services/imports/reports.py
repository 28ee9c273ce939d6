"""What the plans of every kind of import share: a row's outcome, a change it makes, the report kept with
the file, and the small helpers the planners share.

A kind of import is a column list (a `ColumnSpec` and a row check) and a row planner whose plan is a
`PlanReport`; reading the file (`files`), keeping it (`records`) and writing it in the worker (`jobs`,
one `JobKind` a kind) are shared.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from typing import ClassVar

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from lifecycle.enums import TitledEnum
from lifecycle.i18n_messages import deferred

#: how many rows a stored report lists; beyond it only rows with errors or changes are kept
REPORT_ROW_LIMIT = 1000
#: how many values go into one `IN (...)`; SQLite and PostgreSQL both cap bound parameters
IN_CHUNK = 5000


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


@dataclass(frozen=True)
class Change:
    """One field an imported row changes; each kind of import names its fields in a subclass's `labels`."""

    labels: ClassVar[Mapping[str, LazyString]]
    field: str
    old: str
    new: str

    def describe(self) -> str:
        label = self.labels[self.field]
        return deferred("%(field)s: %(old)s → %(new)s", field=label, old=self.old, new=self.new)


class ReportedRow:
    """What a planned row of every kind says in the report: its errors, or its notes and changes.

    Each kind's planned row is a dataclass with these attributes (and `line`, `label()`, `as_json()`).
    """

    outcome: Outcome
    errors: list[str]
    notes: list[str]
    changes: Sequence[Change]

    def messages(self) -> list[str]:
        return self.errors or [*self.notes, *(change.describe() for change in self.changes)]


class PlanReport:
    """What every import plan shares: counts, the error check and the report kept with the file.

    A plan has `rows` (each with `line`, `outcome`, `messages()`, `label()` and `as_json()`) and
    `ignored_columns`; `import_type` marks the kept file's kind (None for managers).
    """

    import_type: ClassVar[str | None] = None
    rows: Sequence[Any]
    ignored_columns: tuple[str, ...]

    def scope(self) -> dict[str, Any]:
        """Return what the kept file is imported into (a candidate file's vacancy); most kinds have none."""
        return {}

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys((outcome.value for outcome in Outcome), 0)
        for row in self.rows:
            counts[row.outcome.value] += 1
        return counts

    @property
    def has_errors(self) -> bool:
        return any(row.outcome is Outcome.ERROR for row in self.rows)

    def refuse_if_errors(self) -> None:
        """Raise ImportHasErrorsError if any row has an error: such a plan must never be applied."""
        if self.has_errors:
            raise ImportHasErrorsError("an import with errors is never applied")

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
            **self.scope(),
            **self.counts,
            "total": len(self.rows),
            "ignored_columns": list(self.ignored_columns),
            "rows": [row.as_json() for row in chosen],
            "rows_not_listed": len(self.rows) - len(chosen),
            "not_listed": not_listed,
        }


def mark_errors(rows: Iterable[ReportedRow]) -> None:
    """Give each row with an error the outcome ERROR, whatever the plan had worked out for it."""
    for row in rows:
        if row.errors:
            row.outcome = Outcome.ERROR


def chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    """Yield `values` in slices of `IN_CHUNK`, one `IN (...)` query each."""
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]


def earlier_line(first_lines: dict[str, int], key: str, line: int) -> int | None:
    """Return the line a row's key (employee number, reference) first stood on, or None if it is new.

    A new key is noted with its line in `first_lines`; an empty key is never noted, so never repeated.
    """
    if key in first_lines:
        return first_lines[key]
    if key:
        first_lines[key] = line
    return None


def show_date(value: date | None) -> str:
    """Return a date as a report shows it; "–" for none."""
    return value.isoformat() if value else "–"


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
