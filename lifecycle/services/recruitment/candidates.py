"""Candidates: a person linked to a vacancy, and their steps through the recruitment.

A candidate is a person on the journey. Someone from the talent pool (attract) moves to recruit when
they apply; a manager in post (introduce or develop) applying for a new assignment keeps their stage
until hired; an external applicant enters the journey at recruit.
"""

from __future__ import annotations

import logging
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists
from sqlalchemy import select

from lifecycle.db import utcnow
from lifecycle.enums import Language
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import User
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import CandidateSource
from lifecycle.models.recruitment import CandidateStep
from lifecycle.models.recruitment import NotSelectedReason
from lifecycle.models.recruitment import Vacancy
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.services.journey import enter_journey
from lifecycle.services.journey import move_to_stage
from lifecycle.services.recruitment.notices import ask_to_tell
from lifecycle.services.recruitment.vacancies import VacancyError

logger = logging.getLogger(__name__)

#: the stages from which a person may apply: the pool, other candidacies, and managers in post
APPLYING_STAGES = (Stage.ATTRACT, Stage.RECRUIT, Stage.INTRODUCE, Stage.DEVELOP)
#: the vacancies that take new candidates
RECEIVING = (VacancyStatus.DRAFT, VacancyStatus.OPEN, VacancyStatus.INTERVIEWING)


def _source_of(person: Manager) -> CandidateSource:
    if person.stage is Stage.ATTRACT:
        return CandidateSource.TALENT_POOL
    if person.stage in (Stage.INTRODUCE, Stage.DEVELOP):
        return CandidateSource.INTERNAL
    return CandidateSource.EXTERNAL


def add_candidate(
    vacancy: Vacancy,
    person: Manager,
    actor: User | None,
    applied_on: date,
    source: CandidateSource | None = None,
    import_reference: str | None = None,
) -> Candidacy:
    """Link a person already on the journey to the vacancy; someone from the pool moves to recruit."""
    if vacancy.status not in RECEIVING:
        raise VacancyError("person", _l("This vacancy takes no more candidates."))
    if person.stage not in APPLYING_STAGES:
        raise VacancyError("person", _l("Only a person whose journey is under way can apply."))
    already = db.session.scalar(
        select(exists().where(Candidacy.vacancy_id == vacancy.id, Candidacy.manager_id == person.id))
    )
    if already:
        raise VacancyError(
            "person", _l("%(name)s is already a candidate for this vacancy.", name=person.name)
        )
    chosen_source = source or _source_of(person)
    if person.stage is Stage.ATTRACT:
        move_to_stage(
            person,
            Stage.RECRUIT,
            actor=actor,
            reason=str(_l("Applied for %(title)s", title=vacancy.title)),
            effective_date=max(applied_on, person.stage_entered_on),
        )
    candidacy = Candidacy(
        vacancy=vacancy,
        manager=person,
        source=chosen_source,
        step=CandidateStep.APPLIED,
        applied_on=applied_on,
        import_reference=import_reference,
    )
    db.session.add(candidacy)
    db.session.flush()
    logger.info("manager %s is a candidate for vacancy %s", person.id, vacancy.id)
    return candidacy


def add_external_candidate(
    vacancy: Vacancy,
    *,
    name: str,
    email: str | None,
    actor: User | None,
    applied_on: date,
    source: CandidateSource = CandidateSource.EXTERNAL,
    import_reference: str | None = None,
) -> Candidacy:
    """Enter an applicant from outside on the journey at recruit, as a candidate for the vacancy."""
    if vacancy.status not in RECEIVING:
        raise VacancyError("name", _l("This vacancy takes no more candidates."))
    if not name.strip():
        raise VacancyError("name", _l("Give the applicant's name."))
    person = enter_journey(
        name=name,
        stage=Stage.RECRUIT,
        effective_date=applied_on,
        actor=actor,
        reason=str(_l("Applied for %(title)s", title=vacancy.title)),
        email=email,
    )
    return add_candidate(vacancy, person, actor, applied_on, source, import_reference)


def move_candidate(candidacy: Candidacy, step: CandidateStep) -> None:
    """Move a candidate to another step before the decision (forwards, or back when HR corrects it)."""
    if candidacy.step not in CandidateStep.in_process():
        raise VacancyError(
            "step", _l("The decision about this candidate is made; the step no longer changes.")
        )
    if step not in CandidateStep.in_process():
        raise VacancyError("step", _l("Hiring and not selecting are decisions of their own."))
    if step is not candidacy.step:
        candidacy.step = step
        candidacy.step_changed_at = utcnow()
        db.session.flush()


def _has_other_candidacies(candidacy: Candidacy) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Candidacy.manager_id == candidacy.manager_id,
                    Candidacy.id != candidacy.id,
                    Candidacy.step.in_(CandidateStep.in_process()),
                )
            )
        )
    )


def not_select(
    candidacy: Candidacy,
    reason: NotSelectedReason,
    actor: User | None,
    today: date,
    tell_in: Language | None = None,
) -> None:
    """Record that the candidate is not selected, and why; told by e-mail in `tell_in` when HR chooses.

    A candidate who came to the journey for recruitment, and applies for nothing else, has their journey
    closed with the reason; a manager in post or in the pool goes on as before. The e-mail is the
    worker's, queued by the caller after the commit (`services.recruitment.notices`).
    """
    if candidacy.step not in CandidateStep.in_process():
        raise VacancyError(
            "step", _l("The decision about this candidate is made; the step no longer changes.")
        )
    if tell_in is not None:
        ask_to_tell(candidacy, tell_in)
    candidacy.step = CandidateStep.NOT_SELECTED
    candidacy.not_selected_reason = reason
    candidacy.step_changed_at = utcnow()
    db.session.flush()
    person = candidacy.manager
    if person.stage is Stage.RECRUIT and not _has_other_candidacies(candidacy):
        move_to_stage(
            person,
            Stage.CLOSED,
            actor=actor,
            reason=str(reason.title),
            effective_date=max(today, person.stage_entered_on),
        )
    logger.info("candidacy %s: not selected (%s)", candidacy.id, reason.value)
