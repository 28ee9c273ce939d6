"""The demo's recruitments: one interviewing, one open for applications, one still a draft.

They use the people the demo already has: each department's applicant (in the recruit stage), a unit
manager applying internally, and the department head as the hiring manager with an account. Seeded
once: when any vacancy exists, nothing is added.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from sqlalchemy import select

from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import OrgUnit
from lifecycle.models import Platform
from lifecycle.models import User
from lifecycle.models import Vacancy
from lifecycle.models.platform import Expectation
from lifecycle.models.recruitment import CandidateStep
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.services.recruitment import VacancyValues
from lifecycle.services.recruitment import add_candidate
from lifecycle.services.recruitment import create_vacancy
from lifecycle.services.recruitment import move_candidate
from lifecycle.services.recruitment import set_recruitment_group
from lifecycle.services.recruitment import set_status
from lifecycle.services.recruitment import set_weights

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Department:
    unit: OrgUnit
    head: Manager
    applicants: list[Manager]
    unit_managers: list[Manager]


def _department(name: str) -> _Department | None:
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.name == name))
    if unit is None:
        return None
    people = db.session.scalars(
        select(Manager).where(Manager.org_unit_id == unit.id).order_by(Manager.id)
    ).all()
    head = next((p for p in people if p.stage is Stage.DEVELOP and p.user is not None), None)
    if head is None:
        return None
    below = db.session.scalars(
        select(Manager)
        .where(Manager.line_manager_id == head.id, Manager.stage == Stage.DEVELOP)
        .order_by(Manager.id)
    ).all()
    return _Department(
        unit=unit,
        head=head,
        applicants=[p for p in people if p.stage is Stage.RECRUIT],
        unit_managers=list(below),
    )


def demo_weights(platform: Platform) -> dict[Expectation, int]:
    """Three expectations to weigh: the first current one of each of the platform's first three pillars,
    the first of them decisive (3), the others very important (2).
    """
    firsts = [
        next(e for e in pillar.expectations if not e.is_retired)
        for pillar in platform.pillars
        if not pillar.is_retired and any(not e.is_retired for e in pillar.expectations)
    ]
    return dict(zip(firsts[:3], (3, 2, 2), strict=False))


def _vacancy(
    title: str,
    department: _Department,
    hr_partner: User,
    platform: Platform,
    dates: tuple[date | None, date | None, date | None],
    role_text: str,
) -> Vacancy:
    published, closes, start = dates
    vacancy = create_vacancy(
        VacancyValues(
            title=title,
            org_unit=department.unit,
            hiring_manager=department.head.user,
            hr_partner=hr_partner,
            published_on=published,
            closes_on=closes,
            planned_start_on=start,
            unit_text=f"{department.unit.name} är en del av Demo kommun.",
            role_text=role_text,
        ),
        actor=hr_partner,
    )
    set_weights(vacancy, demo_weights(platform))
    return vacancy


def seed_demo_recruitment(today: date, hr_partners: list[User], platform: Platform) -> list[Vacancy]:
    """Create the demo's three vacancies and their candidates, unless a vacancy already exists."""
    if db.session.scalar(select(Vacancy.id).limit(1)) is not None:
        return []
    preschools = _department("Förskoleavdelningen")
    technical = _department("Teknik")
    if preschools is None or technical is None or not preschools.head.user:
        logger.info("demo recruitment skipped: the demo organisation is not there")
        return []
    hr = hr_partners[0]

    interviewing = _vacancy(
        "Enhetschef, Förskolor öster",
        preschools,
        hr,
        platform,
        (today - timedelta(days=40), today - timedelta(days=12), today + timedelta(days=75)),
        "Du leder sex förskolor med omkring 60 medarbetare tillsammans med två biträdande chefer.",
    )
    set_recruitment_group(
        interviewing,
        [u for u in (preschools.head.user, hr, *(m.user for m in preschools.unit_managers[:1])) if u],
    )
    set_status(interviewing, VacancyStatus.OPEN, today - timedelta(days=40))
    applicants = list(preschools.applicants)
    internal = preschools.unit_managers[-1:] if len(preschools.unit_managers) > 1 else []
    for offset, person in enumerate([*applicants, *internal]):
        candidacy = add_candidate(interviewing, person, hr, today - timedelta(days=30 - offset))
        move_candidate(candidacy, CandidateStep.SCREENED)
        move_candidate(candidacy, CandidateStep.INTERVIEW)
    set_status(interviewing, VacancyStatus.INTERVIEWING, today - timedelta(days=10))

    open_vacancy = _vacancy(
        "Enhetschef, Gata och park",
        technical,
        hr_partners[-1],
        platform,
        (today - timedelta(days=7), today + timedelta(days=14), today + timedelta(days=120)),
        "Du ansvarar för drift och underhåll av kommunens gator, parker och lekplatser.",
    )
    set_recruitment_group(open_vacancy, [u for u in (technical.head.user, hr_partners[-1]) if u])
    set_status(open_vacancy, VacancyStatus.OPEN, today - timedelta(days=7))
    for person in technical.applicants:
        add_candidate(open_vacancy, person, hr_partners[-1], today - timedelta(days=3))

    draft = _vacancy(
        "Biträdande enhetschef, Förskolor norr",
        preschools,
        hr,
        platform,
        (None, None, today + timedelta(days=150)),
        "",
    )
    db.session.flush()
    logger.info("demo recruitment: %d vacancies", 3)
    return [interviewing, open_vacancy, draft]
