"""The API's recruitment side, declared once: vacancies, their weights and group, and candidacies.

Bodies are `contract.Body` models and responses `contract.Out` models; the views in `recruitment`
validate and answer with them, and `openapi.py` publishes their JSON Schema.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated
from typing import Any

from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator
from pydantic import Field
from werkzeug.datastructures import MultiDict

from lifecycle import models
from lifecycle.blueprints.api.contract import DATE
from lifecycle.blueprints.api.contract import EMAIL
from lifecycle.blueprints.api.contract import IDENTIFIER
from lifecycle.blueprints.api.contract import MAX_ID
from lifecycle.blueprints.api.contract import Body
from lifecycle.blueprints.api.contract import Check
from lifecycle.blueprints.api.contract import Id
from lifecycle.blueprints.api.contract import Moment
from lifecycle.blueprints.api.contract import Out
from lifecycle.blueprints.api.contract import nullable
from lifecycle.blueprints.api.contract import one_of
from lifecycle.blueprints.api.contract import text
from lifecycle.blueprints.api.contract import unique
from lifecycle.blueprints.api.contract import whole_number
from lifecycle.blueprints.api.plan_schemas import KEY_MAX_LENGTH
from lifecycle.blueprints.api.plan_schemas import read_parameters
from lifecycle.blueprints.api.schemas import DEFAULT_PAGE_SIZE
from lifecycle.blueprints.api.schemas import MAX_PAGE_SIZE
from lifecycle.blueprints.api.schemas import PAGE_PARAMETERS
from lifecycle.blueprints.api.schemas import Actor
from lifecycle.blueprints.api.schemas import QueryParameter
from lifecycle.blueprints.api.schemas import query_int
from lifecycle.models.recruitment import WEIGHTS
from lifecycle.models.recruitment import CandidateSource
from lifecycle.models.recruitment import CandidateStep
from lifecycle.models.recruitment import NotSelectedReason
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.services.recruitment import VacancyFilter
from lifecycle.services.recruitment.vacancies import MAX_WEIGHTED_EXPECTATIONS
from lifecycle.services.recruitment.vacancies import TEXT_MAX_LENGTH
from lifecycle.services.recruitment.vacancies import TITLE_MAX_LENGTH

#: the largest recruitment group the API takes at once
MAX_INTERVIEWERS = 50
NAME_MAX_LENGTH = 200

VACANCY_STATUS = one_of(VacancyStatus)
CANDIDATE_STEP = one_of(CandidateStep)
NOT_SELECTED_REASON = one_of(NotSelectedReason)


# -- bodies -------------------------------------------------------------------------------------------

Title = Annotated[str, text(TITLE_MAX_LENGTH, required=True)]
Day = Annotated[date | None, nullable(DATE)]
LongText = Annotated[str | None, nullable(text(TEXT_MAX_LENGTH))]


def _user_id(description: str) -> Check:
    """A user account's id, or null for none."""
    return nullable(Check(IDENTIFIER.parse, {**IDENTIFIER.schema, "description": description}))


class _VacancyFields(Body):
    hiring_manager_id: Annotated[int | None, _user_id("The hiring manager's user account (enabled).")] = None
    hr_partner_id: Annotated[int | None, _user_id("An HR user; they are reminded of the closing date.")] = (
        None
    )
    published_on: Day = None
    closes_on: Day = None
    planned_start_on: Day = None
    unit_text: LongText = None
    role_text: LongText = None


class VacancyCreate(_VacancyFields):
    """A new vacancy, saved as a draft; it opens (`POST .../status`) once it weighs an expectation.
    `hr_partner_id` left out is the caller."""

    title: Title
    org_unit_id: Annotated[int, IDENTIFIER]


class VacancyUpdate(_VacancyFields):
    """The details to change; fields left out stay as they are, null clears one."""

    title: Annotated[str | None, text(TITLE_MAX_LENGTH, required=True)] = None
    org_unit_id: Annotated[int | None, IDENTIFIER] = None


class WeightIn(Body):
    expectation: Annotated[str, text(KEY_MAX_LENGTH, required=True)]
    weight: Annotated[int, whole_number(min(WEIGHTS), max(WEIGHTS))]


class WeightsSet(Body):
    """The expectations the vacancy weighs, 1 (important) to 3 (decisive) each; the others are no
    longer weighed. The vacancy lists them heaviest first, ties in the order given."""

    weights: Annotated[
        list[WeightIn],
        Field(max_length=MAX_WEIGHTED_EXPECTATIONS, description="Expectation keys of the loaded platform."),
        AfterValidator(unique(_l("Each expectation may appear only once."), key=lambda w: w.expectation)),
    ]


class GroupSet(Body):
    """The recruitment group: the user accounts that interview the candidates (they see the vacancy)."""

    interviewer_ids: Annotated[
        list[Annotated[int, IDENTIFIER]],
        Field(max_length=MAX_INTERVIEWERS, json_schema_extra={"uniqueItems": True}),
        AfterValidator(unique(_l("Each value may appear only once."))),
    ]


class StatusMove(Body):
    """Move the vacancy on: draft → open or cancelled; open → interviewing or cancelled; interviewing →
    open or cancelled; decided → closed. Opening needs a weighed expectation."""

    status: Annotated[VacancyStatus, VACANCY_STATUS]


class CandidacyCreate(Body):
    """A candidate: a person already on the journey by `manager_id`, or a new applicant by `name` (and
    `email`), who enters the journey at recruit. `applied_on` defaults to today."""

    manager_id: Annotated[int | None, nullable(IDENTIFIER)] = None
    name: Annotated[str | None, nullable(text(NAME_MAX_LENGTH))] = None
    email: Annotated[str | None, nullable(EMAIL)] = None
    applied_on: Day = None


class StepMove(Body):
    """Move a candidate to another step before the decision; hired and not_selected are decisions of
    their own."""

    step: Annotated[CandidateStep, CANDIDATE_STEP]


class NotSelect(Body):
    """Record that the candidate is not selected, and why (a code, never free text about a person)."""

    reason: Annotated[NotSelectedReason, NOT_SELECTED_REASON]


# -- responses ----------------------------------------------------------------------------------------


class Vacancy(Out):
    """A vacancy and where it stands, with how many candidates are still in the process."""

    id: Id
    title: str
    status: VacancyStatus
    org_unit_id: Id
    hiring_manager_id: Id | None
    hr_partner_id: Id | None
    published_on: date | None
    closes_on: date | None
    planned_start_on: date | None
    candidates_in_process: int
    candidates_total: int
    created_at: Moment
    updated_at: Moment

    @classmethod
    def of(cls, vacancy: models.Vacancy, in_process: int, total: int) -> Vacancy:
        return cls(
            id=vacancy.id,
            title=vacancy.title,
            status=vacancy.status,
            org_unit_id=vacancy.org_unit_id,
            hiring_manager_id=vacancy.hiring_manager_id,
            hr_partner_id=vacancy.hr_partner_id,
            published_on=vacancy.published_on,
            closes_on=vacancy.closes_on,
            planned_start_on=vacancy.planned_start_on,
            candidates_in_process=in_process,
            candidates_total=total,
            created_at=vacancy.created_at,
            updated_at=vacancy.updated_at,
        )


class Weight(Out):
    """An expectation the vacancy weighs: 1 important, 2 very important, 3 decisive."""

    expectation: str
    pillar: str
    weight: Annotated[int, Field(ge=1, le=3)]
    position: int


class VacancyDetail(Vacancy):
    """A vacancy with its texts, the expectations it weighs (in its order) and its recruitment group."""

    unit_text: str
    role_text: str
    weights: list[Weight]
    interviewers: list[Actor]
    #: what HR may move the status to now
    status_moves: list[VacancyStatus]

    @classmethod
    def detail(
        cls, vacancy: models.Vacancy, in_process: int, total: int, moves: tuple[VacancyStatus, ...]
    ) -> VacancyDetail:
        return cls(
            **Vacancy.of(vacancy, in_process, total).model_dump(),
            unit_text=vacancy.unit_text,
            role_text=vacancy.role_text,
            weights=[
                Weight(
                    expectation=weight.expectation.key,
                    pillar=weight.expectation.pillar.key,
                    weight=weight.weight,
                    position=weight.position,
                )
                for weight in vacancy.weights
            ],
            interviewers=[Actor.model_validate(user) for user in vacancy.interviewers],
            status_moves=list(moves),
        )


class Candidacy(Out):
    """One person's application to a vacancy; `import_reference` is the recruitment system's id."""

    id: Id
    vacancy_id: Id
    manager_id: Id
    name: str
    source: CandidateSource
    step: CandidateStep
    not_selected_reason: NotSelectedReason | None
    applied_on: date
    import_reference: str | None
    step_changed_at: Moment
    created_at: Moment

    @classmethod
    def of(cls, candidacy: models.Candidacy) -> Candidacy:
        return cls(
            id=candidacy.id,
            vacancy_id=candidacy.vacancy_id,
            manager_id=candidacy.manager_id,
            name=candidacy.manager.name,
            source=candidacy.source,
            step=candidacy.step,
            not_selected_reason=candidacy.not_selected_reason,
            applied_on=candidacy.applied_on,
            import_reference=candidacy.import_reference,
            step_changed_at=candidacy.step_changed_at,
            created_at=candidacy.created_at,
        )


# -- the lists' query strings -------------------------------------------------------------------------


VACANCY_QUERY_PARAMETERS = (
    QueryParameter(
        "unit", IDENTIFIER.schema, "Only vacancies in this organisation unit or any unit below it."
    ),
    QueryParameter(
        "status",
        {"type": "array", "items": VACANCY_STATUS.schema},
        "Only these statuses; repeat the parameter or separate with commas. Default: the recruitments "
        "under way (draft, open, interviewing, decided).",
        repeatable=True,
    ),
    QueryParameter("hr_partner", IDENTIFIER.schema, "Only vacancies with this HR partner (a user id)."),
    *PAGE_PARAMETERS,
)

CANDIDACY_QUERY_PARAMETERS = (
    QueryParameter(
        "step",
        {"type": "array", "items": CANDIDATE_STEP.schema},
        "Only candidates at these steps; repeat the parameter or separate with commas. Default: every step.",
        repeatable=True,
    ),
    *PAGE_PARAMETERS,
)


@dataclass(frozen=True)
class ListPage:
    limit: int = DEFAULT_PAGE_SIZE
    #: the id after which the page starts (keyset pagination)
    after_id: int = 0


@dataclass(frozen=True)
class VacancyQuery:
    filters: VacancyFilter
    page: ListPage


@dataclass(frozen=True)
class CandidacyQuery:
    steps: tuple[CandidateStep, ...]
    page: ListPage


def _values_of(args: MultiDict[str, str], name: str, check: Check) -> tuple[Any, ...]:
    keys = [key.strip() for raw in args.getlist(name) for key in raw.split(",") if key.strip()]
    return tuple(dict.fromkeys(check.parse(key) for key in keys))


def _page_readers(args: MultiDict[str, str]) -> dict[str, Callable[[], Any]]:
    return {
        "limit": lambda: query_int(args, "limit", 1, MAX_PAGE_SIZE),
        "cursor": lambda: query_int(args, "cursor", 0, MAX_ID),
    }


def _page(values: dict[str, Any]) -> ListPage:
    return ListPage(limit=values["limit"] or DEFAULT_PAGE_SIZE, after_id=values["cursor"] or 0)


def parse_vacancy_query(args: MultiDict[str, str]) -> VacancyQuery:
    """Read the vacancy list's filters and page from the query string; refuse bad values with 400."""
    values = read_parameters(
        {
            "unit": lambda: query_int(args, "unit", 1, MAX_ID),
            "hr_partner": lambda: query_int(args, "hr_partner", 1, MAX_ID),
            "status": lambda: _values_of(args, "status", VACANCY_STATUS),
            **_page_readers(args),
        }
    )
    filters = VacancyFilter(
        unit_id=values["unit"],
        statuses=values["status"] or VacancyStatus.active(),
        hr_partner_id=values["hr_partner"],
    )
    return VacancyQuery(filters=filters, page=_page(values))


def parse_candidacy_query(args: MultiDict[str, str]) -> CandidacyQuery:
    """Read the candidate list's steps and page from the query string; refuse bad values with 400."""
    values = read_parameters(
        {"step": lambda: _values_of(args, "step", CANDIDATE_STEP), **_page_readers(args)}
    )
    return CandidacyQuery(steps=values["step"], page=_page(values))
