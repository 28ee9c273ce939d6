"""What the talent pool's pages read: HR's filtered list of members, one member, and their recruitments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from sqlalchemy import Select
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import Pillar
from lifecycle.models.activities import activity_participants
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import CandidateStep
from lifecycle.models.recruitment import Vacancy
from lifecycle.models.talent_pool import TALENT_TAGS
from lifecycle.models.talent_pool import PoolSource
from lifecycle.models.talent_pool import TalentProfile
from lifecycle.services.recruitment.candidates import RECEIVING

MEMBERS_PER_PAGE = 50
#: "consent running out soon": within this many days
RUNS_OUT_SOON_DAYS = 60
#: the activities a member's page shows, newest first
RECENT_ACTIVITIES = 10


@dataclass(frozen=True)
class PoolFilter:
    """What HR narrows the pool down to; every field is optional."""

    sources: tuple[PoolSource, ...] = ()
    #: strength in this pillar (by key)
    pillar: str | None = None
    #: strength in this expectation (by key)
    expectation: str | None = None
    #: only those whose consent runs out within `RUNS_OUT_SOON_DAYS`
    runs_out_soon: bool = False
    #: a name or e-mail address, or part of one
    query: str = ""


def _live() -> Select[TalentProfile]:
    """The profiles of people whose journey is open and who are not anonymised."""
    return (
        select(TalentProfile)
        .join(Manager, Manager.id == TalentProfile.manager_id)
        .where(Manager.stage != Stage.CLOSED, Manager.anonymised_at.is_(None))
    )


def _filtered(filters: PoolFilter, today: date, period: timedelta) -> Select[TalentProfile]:
    query = _live()
    if filters.sources:
        query = query.where(TalentProfile.source.in_(filters.sources))
    if filters.pillar:
        tags = TALENT_TAGS.pillars
        query = query.where(
            exists()
            .where(TALENT_TAGS.pillar_owner == TalentProfile.id)
            .where(
                tags.c.pillar_id == select(Pillar.id).where(Pillar.key == filters.pillar).scalar_subquery()
            )
        )
    if filters.expectation:
        tags = TALENT_TAGS.expectations
        expectation = select(Expectation.id).where(Expectation.key == filters.expectation).scalar_subquery()
        query = query.where(
            exists().where(
                TALENT_TAGS.expectation_owner == TalentProfile.id, tags.c.expectation_id == expectation
            )
        )
    if filters.runs_out_soon:
        # consent_until = consent_given_on + period falls within the coming days.
        query = query.where(
            TalentProfile.consent_given_on < today - period + timedelta(days=RUNS_OUT_SOON_DAYS + 1)
        )
    typed = " ".join(filters.query.split()).lower()
    if typed:
        pattern = "%" + typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            func.lower(Manager.name).like(pattern, escape="\\")
            | func.lower(Manager.email).like(pattern, escape="\\")
        )
    return query


def _with_people(query: Select[TalentProfile]) -> Select[TalentProfile]:
    return query.options(
        joinedload(TalentProfile.manager),
        selectinload(TalentProfile.pillars),
        selectinload(TalentProfile.expectations),
    )


def pool_page(
    filters: PoolFilter, today: date, period: timedelta, page: int, per_page: int = MEMBERS_PER_PAGE
) -> tuple[list[TalentProfile], int]:
    """A page of the pool's members, consent running out first, with their people and strengths."""
    query = _filtered(filters, today, period)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    ordered = query.order_by(TalentProfile.consent_given_on, TalentProfile.id)
    profiles = list(db.session.scalars(_with_people(ordered).limit(per_page).offset((page - 1) * per_page)))
    return profiles, total


def pool_after(
    filters: PoolFilter, today: date, period: timedelta, after_id: int, limit: int
) -> tuple[list[TalentProfile], bool]:
    """The members after `after_id` in the order of their profiles' ids (the API's keyset paging);
    and whether more follow."""
    query = _filtered(filters, today, period).where(TalentProfile.id > after_id).order_by(TalentProfile.id)
    profiles = list(db.session.scalars(_with_people(query).limit(limit + 1)))
    return profiles[:limit], len(profiles) > limit


def live_candidacies(manager_ids: Sequence[int]) -> dict[int, list[Candidacy]]:
    """The candidacies of these people still in the process (not decided), by person (one query)."""
    if not manager_ids:
        return {}
    found: dict[int, list[Candidacy]] = {}
    for candidacy in db.session.scalars(
        select(Candidacy)
        .where(Candidacy.manager_id.in_(manager_ids), Candidacy.step.in_(CandidateStep.in_process()))
        .options(joinedload(Candidacy.vacancy))
        .order_by(Candidacy.applied_on, Candidacy.id)
    ):
        found.setdefault(candidacy.manager_id, []).append(candidacy)
    return found


def profile_in_full(profile_id: int) -> TalentProfile | None:
    """The member of a live profile, with their strengths and who added them."""
    return db.session.scalar(
        _live()
        .where(TalentProfile.id == profile_id)
        .options(
            joinedload(TalentProfile.manager),
            joinedload(TalentProfile.added_by),
            selectinload(TalentProfile.pillars),
            selectinload(TalentProfile.expectations).joinedload(Expectation.pillar),
        )
    )


def candidacies_of(manager: Manager) -> list[Candidacy]:
    """All the person's candidacies, newest first, with their vacancies."""
    return list(
        db.session.scalars(
            select(Candidacy)
            .where(Candidacy.manager_id == manager.id)
            .options(joinedload(Candidacy.vacancy))
            .order_by(Candidacy.applied_on.desc(), Candidacy.id.desc())
        )
    )


def recent_activities(manager: Manager, limit: int = RECENT_ACTIVITIES) -> list[Activity]:
    """The person's latest activities (their attract activities among them), with their pillars."""
    return list(
        db.session.scalars(
            select(Activity)
            .join(activity_participants, activity_participants.c.activity_id == Activity.id)
            .where(activity_participants.c.manager_id == manager.id)
            .options(selectinload(Activity.pillars))
            .order_by(Activity.created_at.desc(), Activity.id.desc())
            .limit(limit)
        )
    )


def receiving_vacancies() -> list[Vacancy]:
    """The vacancies that take new candidates, by title, for choosing one to move a member into."""
    return list(
        db.session.scalars(
            select(Vacancy)
            .where(Vacancy.status.in_(RECEIVING))
            .options(joinedload(Vacancy.org_unit))
            .order_by(Vacancy.title, Vacancy.id)
        )
    )


def pool_members_among(manager_ids: Sequence[int]) -> list[Manager]:
    """The people of these ids who are live members of the pool, by name (for an attract activity)."""
    if not manager_ids:
        return []
    return list(
        db.session.scalars(
            select(Manager)
            .join(TalentProfile, TalentProfile.manager_id == Manager.id)
            .where(
                Manager.id.in_(manager_ids),
                Manager.stage != Stage.CLOSED,
                Manager.anonymised_at.is_(None),
            )
            .order_by(Manager.name, Manager.id)
        )
    )
