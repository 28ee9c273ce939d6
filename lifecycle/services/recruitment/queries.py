"""What the recruitment pages read: HR's list of vacancies, and one vacancy's candidates per step,
page by page (a popular vacancy has hundreds)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import OrgUnit
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import CandidateStep
from lifecycle.models.recruitment import Vacancy
from lifecycle.models.recruitment import VacancyExpectation
from lifecycle.models.recruitment import VacancyStatus

VACANCIES_PER_PAGE = 50


@dataclass(frozen=True)
class VacancyFilter:
    """What HR narrows the list down to; every field is optional."""

    #: a unit, including everything below it
    unit_id: int | None = None
    statuses: tuple[VacancyStatus, ...] = VacancyStatus.active()
    hr_partner_id: int | None = None


@dataclass(frozen=True)
class VacancyRow:
    vacancy: Vacancy
    #: candidates still in the process (neither hired nor not selected)
    in_process: int
    total: int


def _filtered(filters: VacancyFilter, visible: ColumnElement[bool]) -> Select[Vacancy]:
    query = select(Vacancy).where(visible)
    if filters.statuses:
        query = query.where(Vacancy.status.in_(filters.statuses))
    if filters.hr_partner_id is not None:
        query = query.where(Vacancy.hr_partner_id == filters.hr_partner_id)
    if filters.unit_id is not None:
        unit_path = select(OrgUnit.path).where(OrgUnit.id == filters.unit_id).scalar_subquery()
        subtree = select(OrgUnit.id).where(
            or_(OrgUnit.id == filters.unit_id, OrgUnit.path.startswith(unit_path, autoescape=False))
        )
        query = query.where(Vacancy.org_unit_id.in_(subtree))
    return query


def vacancies_page(
    filters: VacancyFilter, visible: ColumnElement[bool], page: int, per_page: int = VACANCIES_PER_PAGE
) -> tuple[list[VacancyRow], int]:
    """A page of the vacancies the caller may see, newest first, with candidate counts; and the total."""
    query = _filtered(filters, visible)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    vacancies = list(
        db.session.scalars(
            query.options(
                joinedload(Vacancy.org_unit),
                joinedload(Vacancy.hr_partner),
                joinedload(Vacancy.hiring_manager),
            )
            .order_by(Vacancy.created_at.desc(), Vacancy.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    counts = candidate_counts([vacancy.id for vacancy in vacancies])
    rows = [VacancyRow(vacancy, *counts.get(vacancy.id, (0, 0))) for vacancy in vacancies]
    return rows, total


def vacancies_after(
    filters: VacancyFilter, visible: ColumnElement[bool], after_id: int, limit: int
) -> tuple[list[VacancyRow], bool]:
    """Up to `limit` of the vacancies the caller may see after `after_id`, by id, with candidate counts;
    and whether more follow (the API's keyset pages)."""
    vacancies = list(
        db.session.scalars(
            _filtered(filters, visible).where(Vacancy.id > after_id).order_by(Vacancy.id).limit(limit + 1)
        )
    )
    page = vacancies[:limit]
    counts = candidate_counts([vacancy.id for vacancy in page])
    return [VacancyRow(vacancy, *counts.get(vacancy.id, (0, 0))) for vacancy in page], len(vacancies) > limit


def candidate_counts(vacancy_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Each vacancy's candidates still in the process, and all of them."""
    if not vacancy_ids:
        return {}
    in_process = func.count().filter(Candidacy.step.in_(CandidateStep.in_process()))
    return {
        vacancy_id: (active, total)
        for vacancy_id, active, total in db.session.execute(
            select(Candidacy.vacancy_id, in_process, func.count())
            .where(Candidacy.vacancy_id.in_(vacancy_ids))
            .group_by(Candidacy.vacancy_id)
        )
    }


def vacancy_in_full(vacancy_id: int, visible: ColumnElement[bool]) -> Vacancy | None:
    """The vacancy with what its page shows: unit, people, weighed expectations and group."""
    return db.session.scalar(
        select(Vacancy)
        .where(Vacancy.id == vacancy_id, visible)
        .options(
            joinedload(Vacancy.org_unit),
            joinedload(Vacancy.hiring_manager),
            joinedload(Vacancy.hr_partner),
            selectinload(Vacancy.interviewers),
            selectinload(Vacancy.weights)
            .joinedload(VacancyExpectation.expectation)
            .joinedload(Expectation.pillar),
        )
    )


def decidable_candidates(vacancy: Vacancy) -> list[Candidacy]:
    """The vacancy's candidates the decision chooses from (`CandidateStep.decidable`), furthest on first.

    A bounded list even for a vacancy with a thousand applicants: only those interviewed or further.
    """
    order = case(
        {step.value: rank for rank, step in enumerate(reversed(CandidateStep.decidable()))},
        value=Candidacy.step,
    )
    return list(
        db.session.scalars(
            _listed(
                select(Candidacy).where(
                    Candidacy.vacancy_id == vacancy.id, Candidacy.step.in_(CandidateStep.decidable())
                )
            ).order_by(order, Candidacy.applied_on, Candidacy.id)
        )
    )


#: where a step's list goes on: after this candidacy, by (application date, id)
StepCursor = tuple[date, int]


def _listed(query: Select[Candidacy]) -> Select[Candidacy]:
    """The candidates as the vacancy page lists them: each with their person's name only."""
    # By primary key, never a join the planner may answer with a scan of every manager.
    return query.options(selectinload(Candidacy.manager).load_only(Manager.id, Manager.name))


def step_counts(vacancy: Vacancy) -> dict[CandidateStep, int]:
    """How many of the vacancy's candidates are at each step (every step, 0 included)."""
    counts = dict.fromkeys(CandidateStep, 0)
    for step, number in db.session.execute(
        select(Candidacy.step, func.count())
        .where(Candidacy.vacancy_id == vacancy.id)
        .group_by(Candidacy.step)
    ):
        counts[step] = number
    return counts


def first_candidates_by_step(vacancy: Vacancy, limit: int) -> dict[CandidateStep, list[Candidacy]]:
    """The first `limit` candidates of each step, by application date, in one query (and their names)."""
    rank = (
        func.row_number()
        .over(partition_by=Candidacy.step, order_by=(Candidacy.applied_on, Candidacy.id))
        .label("rank")
    )
    ranked = select(Candidacy.id, rank).where(Candidacy.vacancy_id == vacancy.id).subquery()
    by_step: dict[CandidateStep, list[Candidacy]] = {step: [] for step in CandidateStep}
    for candidacy in db.session.scalars(
        _listed(
            select(Candidacy)
            .join(ranked, ranked.c.id == Candidacy.id)
            .where(ranked.c.rank <= limit)
            .order_by(Candidacy.applied_on, Candidacy.id)
        )
    ):
        by_step[candidacy.step].append(candidacy)
    return by_step


def candidates_at_step(
    vacancy: Vacancy, step: CandidateStep, after: StepCursor | None, limit: int
) -> list[Candidacy]:
    """Up to `limit` of the vacancy's candidates at `step` after `after`, by application date."""
    query = select(Candidacy).where(Candidacy.vacancy_id == vacancy.id, Candidacy.step == step)
    if after is not None:
        applied_on, candidacy_id = after
        query = query.where(
            or_(
                Candidacy.applied_on > applied_on,
                and_(Candidacy.applied_on == applied_on, Candidacy.id > candidacy_id),
            )
        )
    return list(db.session.scalars(_listed(query.order_by(Candidacy.applied_on, Candidacy.id).limit(limit))))


def candidacies_page(
    vacancy: Vacancy, steps: Sequence[CandidateStep], after_id: int, limit: int
) -> tuple[list[Candidacy], bool]:
    """Up to `limit` of the vacancy's candidates after `after_id` (at these steps; none: every step), by
    id, each with their person; and whether more follow."""
    query = select(Candidacy).where(Candidacy.vacancy_id == vacancy.id, Candidacy.id > after_id)
    if steps:
        query = query.where(Candidacy.step.in_(steps))
    rows = list(
        db.session.scalars(
            query.options(joinedload(Candidacy.manager)).order_by(Candidacy.id).limit(limit + 1)
        )
    )
    return rows[:limit], len(rows) > limit


def candidacy_of(vacancy: Vacancy, candidacy_id: int) -> Candidacy | None:
    return db.session.scalar(
        select(Candidacy).where(Candidacy.id == candidacy_id, Candidacy.vacancy_id == vacancy.id)
    )
