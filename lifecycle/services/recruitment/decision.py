"""The decision: the hiring manager (or HR) records whom the vacancy hires, and why.

The chosen candidate's step becomes hired and the vacancy decided; the other candidates stay where
they are for HR to close as not selected (`not_select`), each with its reason. The hand-over to the
introduction is its own step, taken right after this one in the same transaction.
"""

from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lifecycle.db import utcnow
from lifecycle.extensions import db
from lifecycle.models import User
from lifecycle.models.interviews import VacancyDecision
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import CandidateStep
from lifecycle.models.recruitment import Vacancy
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.services.recruitment.interviews import interviews_of
from lifecycle.services.recruitment.interviews import sync_interview_reminders
from lifecycle.services.recruitment.vacancies import VacancyError

logger = logging.getLogger(__name__)

REASON_MAX_LENGTH = 4000
#: the vacancies a decision can be made for
DECIDING = (VacancyStatus.OPEN, VacancyStatus.INTERVIEWING)


def decision_of(vacancy: Vacancy) -> VacancyDecision | None:
    return db.session.scalar(select(VacancyDecision).where(VacancyDecision.vacancy_id == vacancy.id))


def record_decision(
    vacancy: Vacancy, candidacy: Candidacy, reason: str, actor: User | None
) -> VacancyDecision:
    """Hire the candidate for the vacancy with the reason: their step becomes hired, the vacancy decided.

    Recorded once; nothing else changes (the hand-over to the introduction follows separately).
    """
    if candidacy.vacancy_id != vacancy.id:
        raise VacancyError("candidacy", _l("Choose one of this vacancy's candidates."))
    if vacancy.status not in DECIDING or decision_of(vacancy) is not None:
        raise VacancyError("candidacy", _l("The decision for this vacancy is made, or it is not open."))
    if candidacy.step not in CandidateStep.in_process():
        raise VacancyError("candidacy", _l("This candidate is no longer in the process."))
    if candidacy.step not in CandidateStep.decidable():
        raise VacancyError("candidacy", _l("Interview the candidate before deciding to hire them."))
    reason = reason.strip()
    if not reason:
        raise VacancyError("reason", _l("Give the reason for the decision."))
    if len(reason) > REASON_MAX_LENGTH:
        raise VacancyError("reason", _l("At most %(num)d characters.", num=REASON_MAX_LENGTH))
    decision = VacancyDecision(
        vacancy=vacancy, candidacy=candidacy, reason=reason, decided_by_id=actor.id if actor else None
    )
    db.session.add(decision)
    candidacy.step = CandidateStep.HIRED
    candidacy.step_changed_at = utcnow()
    vacancy.status = VacancyStatus.DECIDED
    db.session.flush()
    # Reminders about the hired candidate's interviews and scorecards owed stop.
    sync_interview_reminders(interviews_of(candidacy))
    logger.info("vacancy %s decided: candidacy %s hired", vacancy.id, candidacy.id)
    return decision
