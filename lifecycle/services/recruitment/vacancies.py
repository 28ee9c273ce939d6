"""Vacancies: opening one, the expectations it weighs, its recruitment group, and where it stands."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import OrgUnit
from lifecycle.models import Platform
from lifecycle.models import User
from lifecycle.models.recruitment import WEIGHTS
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import Vacancy
from lifecycle.models.recruitment import VacancyExpectation
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.services.recruitment.matrix import refresh_matrix_facts
from lifecycle.services.reminders import sync_reminders_for

logger = logging.getLogger(__name__)

TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 10_000
#: more than this and the ad and the interview guide stop being about what matters most
MAX_WEIGHTED_EXPECTATIONS = 8
#: the moves HR makes by hand; `decided` is reached by hiring a candidate
STATUS_MOVES: dict[VacancyStatus, tuple[VacancyStatus, ...]] = {
    VacancyStatus.DRAFT: (VacancyStatus.OPEN, VacancyStatus.CANCELLED),
    VacancyStatus.OPEN: (VacancyStatus.INTERVIEWING, VacancyStatus.CANCELLED),
    VacancyStatus.INTERVIEWING: (VacancyStatus.OPEN, VacancyStatus.CANCELLED),
    VacancyStatus.DECIDED: (VacancyStatus.CLOSED,),
    VacancyStatus.CLOSED: (),
    VacancyStatus.CANCELLED: (),
}


class VacancyError(ValueError):
    """A change to a vacancy that is refused; `field` names what to fix."""

    def __init__(self, field: str, message: LazyString | str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class VacancyValues:
    """What HR writes about a vacancy."""

    title: str
    org_unit: OrgUnit
    hiring_manager: User | None = None
    hr_partner: User | None = None
    published_on: date | None = None
    closes_on: date | None = None
    planned_start_on: date | None = None
    unit_text: str = ""
    role_text: str = ""


def _checked(values: VacancyValues) -> VacancyValues:
    title = values.title.strip()
    if not title:
        raise VacancyError("title", _l("Give the vacancy a title."))
    if len(title) > TITLE_MAX_LENGTH:
        raise VacancyError("title", _l("At most %(num)d characters.", num=TITLE_MAX_LENGTH))
    for name in ("unit_text", "role_text"):
        if len(getattr(values, name)) > TEXT_MAX_LENGTH:
            raise VacancyError(name, _l("At most %(num)d characters.", num=TEXT_MAX_LENGTH))
    if values.published_on and values.closes_on and values.closes_on < values.published_on:
        raise VacancyError("closes_on", _l("The closing date cannot be before the publishing date."))
    if values.closes_on and values.planned_start_on and values.planned_start_on < values.closes_on:
        raise VacancyError("planned_start_on", _l("The planned start cannot be before the closing date."))
    return VacancyValues(
        title=title,
        org_unit=values.org_unit,
        hiring_manager=values.hiring_manager,
        hr_partner=values.hr_partner,
        published_on=values.published_on,
        closes_on=values.closes_on,
        planned_start_on=values.planned_start_on,
        unit_text=values.unit_text.strip(),
        role_text=values.role_text.strip(),
    )


def _apply(vacancy: Vacancy, values: VacancyValues) -> None:
    # Only what differs is set: a link set again to the same row would count as changed in the audit log.
    # Reading a link may load it; the change is flushed once, as one change.
    with db.session.no_autoflush:
        for name in VacancyValues.__dataclass_fields__:
            value = getattr(values, name)
            if getattr(vacancy, name) != value:
                setattr(vacancy, name, value)


def create_vacancy(values: VacancyValues, actor: User | None) -> Vacancy:
    """Open a draft vacancy; it is published by `set_status(..., OPEN)`."""
    vacancy = Vacancy(status=VacancyStatus.DRAFT, created_by=actor)
    _apply(vacancy, _checked(values))
    db.session.add(vacancy)
    db.session.flush()
    logger.info("vacancy %s created in unit %s", vacancy.id, vacancy.org_unit_id)
    return vacancy


def _refuse_when_over(vacancy: Vacancy) -> None:
    if vacancy.status in (VacancyStatus.CLOSED, VacancyStatus.CANCELLED):
        raise VacancyError("status", _l("The recruitment is over; its vacancy no longer changes."))


def update_vacancy(vacancy: Vacancy, values: VacancyValues) -> None:
    _refuse_when_over(vacancy)
    _apply(vacancy, _checked(values))
    db.session.flush()
    # The closing date and the HR partner decide its reminders.
    sync_reminders_for(vacancy)


def set_weights(vacancy: Vacancy, weights: Mapping[Expectation, int]) -> None:
    """Weigh these expectations (1–3 each), in this order; the others are no longer weighed."""
    _refuse_when_over(vacancy)
    if len(weights) > MAX_WEIGHTED_EXPECTATIONS:
        raise VacancyError(
            "expectations",
            _l(
                "Weigh at most %(num)d expectations: the ones that matter most.",
                num=MAX_WEIGHTED_EXPECTATIONS,
            ),
        )
    kept = {weight.expectation_id: weight for weight in vacancy.weights}
    for expectation, weight in weights.items():
        if weight not in WEIGHTS:
            raise VacancyError("expectations", _l("A weight is 1, 2 or 3."))
        if expectation.is_retired and expectation.id not in kept:
            raise VacancyError(
                "expectations", _l("A retired expectation cannot be chosen for something new.")
            )
    vacancy.weights = [
        _weight(vacancy, kept.get(expectation.id), expectation, weight, position)
        for position, (expectation, weight) in enumerate(weights.items())
    ]
    db.session.flush()
    # The totals weigh the scores by these weights: those already scored are counted again.
    scored = select(Candidacy.id).where(
        Candidacy.vacancy_id == vacancy.id, Candidacy.submitted_scorecards > 0
    )
    refresh_matrix_facts(vacancy, scored)


def weighable_expectations(vacancy: Vacancy, platform: Platform | None) -> list[Expectation]:
    """What HR may weigh, in the platform's order: current expectations, and retired ones still weighed."""
    weighed = {weight.expectation_id for weight in vacancy.weights}
    return [
        expectation
        for pillar in (platform.pillars if platform else [])
        for expectation in pillar.expectations
        if not expectation.is_retired or expectation.id in weighed
    ]


def heaviest_first(weights: Mapping[Expectation, int]) -> dict[Expectation, int]:
    """The chosen weights, heaviest first (the order the vacancy lists them in), ties in the given order."""
    return dict(sorted(weights.items(), key=lambda pair: -pair[1]))


def _weight(
    vacancy: Vacancy, kept: VacancyExpectation | None, expectation: Expectation, weight: int, position: int
) -> VacancyExpectation:
    row = kept or VacancyExpectation(vacancy=vacancy, expectation=expectation)
    row.weight = weight
    row.position = position
    return row


def set_recruitment_group(vacancy: Vacancy, interviewers: Sequence[User]) -> None:
    """The user accounts that interview the candidates: they see this vacancy and nothing else of it."""
    _refuse_when_over(vacancy)
    vacancy.interviewers = list(dict.fromkeys(interviewers))
    db.session.flush()


def status_moves(vacancy: Vacancy) -> tuple[VacancyStatus, ...]:
    return STATUS_MOVES[vacancy.status]


def set_status(vacancy: Vacancy, status: VacancyStatus, today: date) -> None:
    """Move the vacancy on; opening it needs a weighed expectation and sets the publishing date."""
    if status not in STATUS_MOVES[vacancy.status]:
        raise VacancyError(
            "status",
            _l(
                "A vacancy that is %(current)s cannot become %(target)s.",
                current=str(vacancy.status.title).lower(),
                target=str(status.title).lower(),
            ),
        )
    if status is VacancyStatus.OPEN:
        if not vacancy.weights:
            raise VacancyError("status", _l("Choose the expectations the vacancy weighs before opening it."))
        if vacancy.published_on is None:
            vacancy.published_on = today
    vacancy.status = status
    db.session.flush()
    # Only an open vacancy's closing date is reminded of.
    sync_reminders_for(vacancy)
    logger.info("vacancy %s is now %s", vacancy.id, status.value)
