"""Importing a recruitment system's applicants (Varbi, ReachMee ...) from CSV into one vacancy.

The same steps as the other imports: read the file, plan every row (a dry run that reads the database
and writes nothing), and apply the plan in the worker only when no row has an error, all of it in one
transaction. The vacancy is chosen by HR when uploading and kept with the file (`summary["vacancy_id"]`).

What a row does, decided in this order:

- its `reference` (the application's id in the recruitment system) was imported into this vacancy
  before: unchanged, so importing the same file again changes nothing;
- its e-mail address (case does not matter) is that of one person whose journey is under way (the pool,
  a candidate elsewhere, a manager in post): that person is linked to the vacancy (`add_candidate`,
  the source saying where they came from); if they are a candidate already (added by hand, or imported
  under another reference), the row is unchanged and says so;
- otherwise a new applicant enters the journey at recruit (`add_external_candidate`, source IMPORTED).
  A person whose journey has ended (closed, offboarding) is not reopened: the journey is never
  rewritten, so the applicant starts a new one, and the report says so.

Errors, reported on their row: a reference or an e-mail address that is also on an earlier line of the
file, an address shared by several people on the journey (HR adds that applicant by hand), and the
row's own problems (`candidate_rows.check_row`). A vacancy that takes no more candidates (decided,
closed, cancelled) refuses the whole file before any row is planned.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy import select

from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.i18n_messages import deferred
from lifecycle.i18n_messages import stored
from lifecycle.models import Manager
from lifecycle.models import ManagerImport
from lifecycle.models import User
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import CandidateSource
from lifecycle.models.recruitment import Vacancy
from lifecycle.services.audit import SOURCE_IMPORT
from lifecycle.services.audit import acting_as
from lifecycle.services.imports.candidate_rows import CandidateValues
from lifecycle.services.imports.candidate_rows import check_row
from lifecycle.services.imports.candidate_rows import read_candidate_file
from lifecycle.services.imports.candidate_rows import row_name
from lifecycle.services.imports.files import ImportFile
from lifecycle.services.imports.files import ImportFileError
from lifecycle.services.imports.records import keep_checked_file
from lifecycle.services.imports.reports import Change
from lifecycle.services.imports.reports import Outcome
from lifecycle.services.imports.reports import PlanReport
from lifecycle.services.imports.reports import ReportedRow
from lifecycle.services.imports.reports import chunks
from lifecycle.services.imports.reports import earlier_line
from lifecycle.services.imports.reports import mark_errors
from lifecycle.services.recruitment.candidates import APPLYING_STAGES
from lifecycle.services.recruitment.candidates import RECEIVING
from lifecycle.services.recruitment.candidates import add_candidate
from lifecycle.services.recruitment.candidates import add_external_candidate

logger = logging.getLogger(__name__)

#: `ManagerImport.summary["type"]` of a kept file of candidates
CANDIDATES_TYPE = "candidates"


@dataclass
class PlannedCandidate(ReportedRow):
    """What importing one row will do, and why."""

    line: int
    reference: str
    name: str
    email: str
    outcome: Outcome = Outcome.UNCHANGED
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    values: CandidateValues | None = None
    #: the person on the journey the row links; None for a new applicant
    person_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "reference": self.reference,
            "name": self.name,
            "email": self.email,
            "outcome": self.outcome.value,
            "messages": [stored(message) for message in self.messages()],
        }

    def label(self) -> str:
        return f"{self.reference or '-'} {self.name or '-'}"


@dataclass
class CandidateImportPlan(PlanReport):
    """Every row's outcome for one vacancy; apply it only when `has_errors` is false."""

    import_type: ClassVar[str | None] = CANDIDATES_TYPE
    vacancy_id: int
    rows: list[PlannedCandidate]
    ignored_columns: tuple[str, ...] = ()

    def scope(self) -> dict[str, Any]:
        return {"vacancy_id": self.vacancy_id}


@dataclass(frozen=True)
class _Person:
    id: int
    name: str
    stage: Stage


def receiving_vacancy(vacancy_id: int) -> Vacancy:
    """Return the vacancy a file is imported into; ImportFileError if it is gone or takes no one more."""
    vacancy = db.session.get(Vacancy, vacancy_id)
    if vacancy is None:
        raise ImportFileError(_l("The vacancy no longer exists."))
    if vacancy.status not in RECEIVING:
        raise ImportFileError(_l("This vacancy takes no more candidates."))
    return vacancy


def _imported_before(vacancy_id: int, references: list[str]) -> dict[str, str]:
    """Return the name of the candidate each reference of this vacancy was imported as."""
    found: dict[str, str] = {}
    for chunk in chunks(references):
        for reference, name in db.session.execute(
            select(Candidacy.import_reference, Manager.name)
            .join(Manager, Manager.id == Candidacy.manager_id)
            .where(Candidacy.vacancy_id == vacancy_id, Candidacy.import_reference.in_(chunk))
        ):
            found[reference or ""] = name
    return found


def _people_by_email(emails: list[str]) -> dict[str, list[_Person]]:
    """Return the people on the journey by lower-cased e-mail address."""
    found: dict[str, list[_Person]] = {}
    for chunk in chunks(emails):
        address = func.lower(Manager.email)
        for manager_id, name, stage, email in db.session.execute(
            select(Manager.id, Manager.name, Manager.stage, address)
            .where(address.in_(chunk))
            .order_by(Manager.id)
        ):
            found.setdefault(email, []).append(_Person(manager_id, name, stage))
    return found


def _candidates_among(vacancy_id: int, person_ids: list[int]) -> set[int]:
    found: set[int] = set()
    for chunk in chunks(person_ids):
        found.update(
            db.session.scalars(
                select(Candidacy.manager_id).where(
                    Candidacy.vacancy_id == vacancy_id, Candidacy.manager_id.in_(chunk)
                )
            )
        )
    return found


class _Planner:
    """Plans a file's rows: each row on its own, then against each other and the database."""

    def __init__(self, import_file: ImportFile, vacancy: Vacancy, today: date) -> None:
        self.file = import_file
        self.vacancy = vacancy
        self.today = today
        self.rows: list[PlannedCandidate] = []

    def plan(self) -> CandidateImportPlan:
        self._check_rows()
        valid = [row.values for row in self.rows if row.values is not None]
        self.imported = _imported_before(self.vacancy.id, sorted({values.reference for values in valid}))
        self.people = _people_by_email(sorted({values.email.lower() for values in valid}))
        live = [p.id for people in self.people.values() for p in people if p.stage in APPLYING_STAGES]
        self.candidates = _candidates_among(self.vacancy.id, live)
        for row in self.rows:
            if row.values is not None:
                self._plan_row(row, row.values)
        mark_errors(self.rows)
        return CandidateImportPlan(
            vacancy_id=self.vacancy.id, rows=self.rows, ignored_columns=self.file.ignored_columns
        )

    def _check_rows(self) -> None:
        references: dict[str, int] = {}
        emails: dict[str, int] = {}
        for csv_row in self.file.rows:
            values, errors = check_row(csv_row, self.today)
            reference = csv_row.cells.get("reference", "")
            email = csv_row.cells.get("email", "")
            row = PlannedCandidate(
                line=csv_row.line,
                reference=reference,
                name=row_name(csv_row.cells),
                email=email,
                errors=errors,
            )
            self.rows.append(row)
            earlier = earlier_line(references, reference, csv_row.line)
            if earlier is not None:
                row.errors.append(
                    deferred(
                        "The reference %(reference)s is also on line %(line)d.",
                        reference=reference,
                        line=earlier,
                    )
                )
            earlier = earlier_line(emails, email.lower(), csv_row.line)
            if earlier is not None:
                row.errors.append(
                    deferred(
                        "The e-mail address %(email)s is also on line %(line)d.", email=email, line=earlier
                    )
                )
            if not row.errors:
                row.values = values

    def _plan_row(self, row: PlannedCandidate, values: CandidateValues) -> None:
        if values.reference in self.imported:
            row.notes.append(
                deferred("Imported earlier: %(name)s is a candidate.", name=self.imported[values.reference])
            )
            return
        people = self.people.get(values.email.lower(), [])
        live = [person for person in people if person.stage in APPLYING_STAGES]
        already = [person for person in live if person.id in self.candidates]
        if already:
            row.notes.append(
                deferred("%(name)s is already a candidate for this vacancy.", name=already[0].name)
            )
            return
        if len(live) > 1:
            row.errors.append(
                deferred(
                    "%(count)d people on the journey have the e-mail address %(email)s; "
                    "add this applicant by hand.",
                    count=len(live),
                    email=values.email,
                )
            )
            return
        row.outcome = Outcome.CREATED
        if live:
            person = live[0]
            row.person_id = person.id
            row.notes.append(
                deferred(
                    "Links %(name)s, already on the journey (%(stage)s), to the vacancy.",
                    name=person.name,
                    stage=person.stage.title,
                )
            )
            return
        row.notes.append(deferred("A new applicant; enters the journey at Recruit."))
        if people:
            row.notes.append(
                deferred("A journey with this e-mail address has ended; the applicant starts a new one.")
            )


def plan_candidate_import(import_file: ImportFile, vacancy_id: int, today: date) -> CandidateImportPlan:
    """Work out what importing the file into the vacancy would do to each row; writes nothing."""
    return _Planner(import_file, receiving_vacancy(vacancy_id), today).plan()


# -- applying ---------------------------------------------------------------------------------------


def apply_candidate_import(
    plan: CandidateImportPlan, actor: User | None, on_progress: Callable[[int], None] = lambda done: None
) -> None:
    """Add the planned candidates to the vacancy; flushes, never commits. A plan with errors is refused."""
    with acting_as(actor, SOURCE_IMPORT):
        plan.refuse_if_errors()
        vacancy = receiving_vacancy(plan.vacancy_id)
        created = [row for row in plan.rows if row.outcome is Outcome.CREATED and row.values is not None]
        person_ids = sorted({row.person_id for row in created if row.person_id is not None})
        people: dict[int, Manager] = {}
        for chunk in chunks(person_ids):
            people.update((m.id, m) for m in db.session.scalars(select(Manager).where(Manager.id.in_(chunk))))
        for done, row in enumerate(created, start=1):
            values = row.values
            if values is None:  # unreachable: filtered above; keeps the type checker informed
                continue
            if row.person_id is not None:
                add_candidate(
                    vacancy,
                    people[row.person_id],
                    actor,
                    values.applied_on,
                    import_reference=values.reference,
                )
            else:
                add_external_candidate(
                    vacancy,
                    name=values.name,
                    email=values.email,
                    actor=actor,
                    applied_on=values.applied_on,
                    source=CandidateSource.IMPORTED,
                    import_reference=values.reference,
                )
            on_progress(done)
        db.session.flush()
    logger.info("candidate import into vacancy %s applied: %s", plan.vacancy_id, plan.counts)


# -- files kept from preview to confirmation -------------------------------------------------------


def preview_candidate_import(
    content: bytes, filename: str, uploaded_by: User | None, today: date, vacancy: Vacancy
) -> ManagerImport:
    """Check an uploaded file for the vacancy and keep it with its dry-run report; ImportFileError if not."""
    plan = plan_candidate_import(read_candidate_file(content), vacancy.id, today)
    return keep_checked_file(content, filename, plan, uploaded_by, "candidates.csv")
