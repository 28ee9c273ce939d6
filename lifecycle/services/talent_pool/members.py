"""Pool members: adding a person to the talent pool, their profile and consent, moving them into a
recruitment, and removing them.

A member is a person on the journey with a `TalentProfile`. Someone new (an external contact, or an
employee in the aspiring-leader programme who is not on the journey yet) enters the journey at
attract; a person already on it (an aspirant in attract, a manager in post aiming for a bigger post)
keeps their own journey. Removing a member erases their profile; a person who is on the journey only
because of the pool (still in attract) has their journey closed and is anonymised as well.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta

from flask import current_app
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy import select

from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import Pillar
from lifecycle.models import User
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import CandidateSource
from lifecycle.models.recruitment import Vacancy
from lifecycle.models.talent_pool import PoolSource
from lifecycle.models.talent_pool import TalentProfile
from lifecycle.services.gdpr import anonymise_people
from lifecycle.services.journey import enter_journey
from lifecycle.services.journey import move_to_stage
from lifecycle.services.recruitment import add_candidate

logger = logging.getLogger(__name__)

DEFAULT_POOL_RETENTION_DAYS = 730
NOTES_MAX_LENGTH = 1000
NAME_MAX_LENGTH = 200
#: the stages from which a person may be in the pool: an aspirant, a candidate, a manager in post
POOL_STAGES = (Stage.ATTRACT, Stage.RECRUIT, Stage.INTRODUCE, Stage.DEVELOP)


class PoolError(ValueError):
    """A change to the talent pool that is refused; `field` names what to fix."""

    def __init__(self, field: str, message: LazyString | str) -> None:
        super().__init__(message)
        self.field = field


def pool_retention_period() -> timedelta:
    """Return how long a consent to be kept in the pool lasts (`TALENT_POOL_RETENTION_DAYS`)."""
    days = int(current_app.config.get("TALENT_POOL_RETENTION_DAYS", DEFAULT_POOL_RETENTION_DAYS))
    return timedelta(days=max(1, days))


def consent_until(consent_given_on: date, period: timedelta | None = None) -> date:
    """Return the last day a consent given on `consent_given_on` keeps the person in the pool."""
    return consent_given_on + (period or pool_retention_period())


@dataclass(frozen=True)
class ProfileValues:
    """What HR records about a pool member."""

    source: PoolSource
    consent_given_on: date
    notes: str = ""
    pillars: Sequence[Pillar] = field(default_factory=tuple)
    expectations: Sequence[Expectation] = field(default_factory=tuple)


def _check_consent(given_on: date, today: date) -> None:
    if given_on > today:
        raise PoolError("consent_given_on", _l("The consent cannot be given in the future."))
    if consent_until(given_on) < today:
        raise PoolError(
            "consent_given_on",
            _l("A consent given on that day has already run out. Ask the person for a new one."),
        )


def _checked(values: ProfileValues, today: date, kept: TalentProfile | None = None) -> ProfileValues:
    _check_consent(values.consent_given_on, today)
    notes = values.notes.strip()
    if len(notes) > NOTES_MAX_LENGTH:
        raise PoolError("notes", _l("At most %(num)d characters.", num=NOTES_MAX_LENGTH))
    old_pillars = {pillar.id for pillar in kept.pillars} if kept else set()
    old_expectations = {expectation.id for expectation in kept.expectations} if kept else set()
    if any(p.is_retired and p.id not in old_pillars for p in values.pillars) or any(
        e.is_retired and e.id not in old_expectations for e in values.expectations
    ):
        raise PoolError("pillars", _l("A retired part of the platform cannot be chosen for something new."))
    # An expectation shows strength in its pillar too.
    pillars = list(dict.fromkeys([*values.pillars, *(e.pillar for e in values.expectations)]))
    return ProfileValues(
        source=values.source,
        consent_given_on=values.consent_given_on,
        notes=notes,
        pillars=sorted(pillars, key=lambda p: p.position),
        expectations=sorted(
            dict.fromkeys(values.expectations), key=lambda e: (e.pillar.position, e.position)
        ),
    )


def _apply(profile: TalentProfile, values: ProfileValues) -> None:
    profile.source = values.source
    profile.consent_given_on = values.consent_given_on
    profile.notes = values.notes
    profile.pillars = list(values.pillars)
    profile.expectations = list(values.expectations)


def profile_of(person: Manager) -> TalentProfile | None:
    return db.session.scalar(select(TalentProfile).where(TalentProfile.manager_id == person.id))


def add_to_pool(person: Manager, values: ProfileValues, actor: User | None, today: date) -> TalentProfile:
    """Add a person already on the journey to the pool; they keep their own journey and stage."""
    if person.anonymised_at is not None or person.stage not in POOL_STAGES:
        raise PoolError("person", _l("Only a person whose journey is under way can join the talent pool."))
    if profile_of(person) is not None:
        raise PoolError("person", _l("%(name)s is already in the talent pool.", name=person.name))
    checked = _checked(values, today)
    profile = TalentProfile(manager=person, added_by=actor)
    _apply(profile, checked)
    db.session.add(profile)
    db.session.flush()
    logger.info("manager %s joined the talent pool (%s)", person.id, checked.source.value)
    return profile


def add_new_person_to_pool(
    *,
    name: str,
    email: str | None,
    employee_number: str | None,
    values: ProfileValues,
    actor: User | None,
    today: date,
) -> TalentProfile:
    """Enter someone new on the journey at attract, as a member of the talent pool."""
    name = " ".join(name.split())
    if not name:
        raise PoolError("name", _l("Give the person's name."))
    if len(name) > NAME_MAX_LENGTH:
        raise PoolError("name", _l("At most %(num)d characters.", num=NAME_MAX_LENGTH))
    email = (email or "").strip() or None
    employee_number = (employee_number or "").strip() or None
    if employee_number and db.session.scalar(
        select(Manager.id).where(Manager.employee_number == employee_number)
    ):
        raise PoolError(
            "employee_number",
            _l("Someone on the journey has this employee number: add them as a person on the journey."),
        )
    if email and db.session.scalar(
        select(Manager.id).where(func.lower(Manager.email) == email.lower(), Manager.anonymised_at.is_(None))
    ):
        raise PoolError(
            "email",
            _l("Someone on the journey has this e-mail address: add them as a person on the journey."),
        )
    checked = _checked(values, today)
    person = enter_journey(
        name=name,
        stage=Stage.ATTRACT,
        effective_date=today,
        actor=actor,
        reason=str(_l("Added to the talent pool: %(source)s", source=checked.source.title)),
        email=email,
        employee_number=employee_number,
    )
    return add_to_pool(person, checked, actor, today)


def update_profile(profile: TalentProfile, values: ProfileValues, today: date) -> None:
    """Change a member's source, strengths, note or consent date."""
    _apply(profile, _checked(values, today, kept=profile))
    db.session.flush()


def renew_consent(profile: TalentProfile, given_on: date, today: date) -> date:
    """Record a new consent to be kept in the pool, given on `given_on`; return its last day."""
    _check_consent(given_on, today)
    if given_on < profile.consent_given_on:
        raise PoolError("consent_given_on", _l("A renewed consent cannot be older than the one it renews."))
    profile.consent_given_on = given_on
    db.session.flush()
    logger.info("talent profile %s: consent renewed", profile.id)
    return consent_until(given_on)


def move_into_recruitment(
    profile: TalentProfile, vacancy: Vacancy, actor: User | None, today: date
) -> Candidacy:
    """Make the member a candidate for the vacancy (from attract they move to recruit); the profile stays."""
    return add_candidate(vacancy, profile.manager, actor, today, CandidateSource.TALENT_POOL)


def remove_from_pool(
    profiles: Sequence[TalentProfile],
    actor: User | None,
    today: date,
    *,
    reason: LazyString | str,
    source: str = "web",
    audit_reason: str = "talent_pool",
) -> list[int]:
    """Remove the members from the pool; return the ids of the people anonymised with it.

    Their profiles (source, strengths, note, consent) are deleted. A person who is on the journey only
    because of the pool, still in attract, has their journey closed with `reason` and is anonymised
    (`anonymise_people`: name, e-mail and free texts gone; stages, dates and pillar counts stay). A
    candidate or a manager in post keeps their journey: only their place in the pool goes.
    """
    pool_only: list[Manager] = []
    for profile in profiles:
        person = profile.manager
        if person.stage is Stage.ATTRACT and person.anonymised_at is None:
            move_to_stage(
                person,
                Stage.CLOSED,
                actor=actor,
                reason=str(reason),
                effective_date=max(today, person.stage_entered_on),
            )
            pool_only.append(person)
        db.session.delete(profile)
    db.session.flush()
    anonymised = anonymise_people(pool_only, actor, source, reason=audit_reason) if pool_only else []
    logger.info("talent pool: %d members removed, %d of them anonymised", len(profiles), len(anonymised))
    return anonymised
