"""Telling a candidate who is not selected, by e-mail, when HR chooses to: politely, neutrally, once.

HR's choice is written with the decision (`not_select(..., tell_in=...)`): the language is kept on the
candidacy. After the commit the worker claims the e-mail with a conditional update, commits, and sends
it, so two workers given the same message (a redelivery, the sweep) cannot both send it. The e-mail
gives no reason for the decision, except what the candidate did themselves (withdrew, declined the
offer) or that the recruitment was cancelled: a reason code is HR's follow-up, not a verdict to mail.
"""

from __future__ import annotations

import logging
from datetime import datetime
from datetime import timedelta
from typing import cast

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import CursorResult
from sqlalchemy import select
from sqlalchemy import update

from lifecycle.db import utcnow
from lifecycle.enums import Language
from lifecycle.extensions import db
from lifecycle.i18n import BABEL_LOCALES
from lifecycle.models.recruitment import Candidacy
from lifecycle.models.recruitment import CandidateStep
from lifecycle.models.recruitment import NotSelectedReason
from lifecycle.notifications import render_email
from lifecycle.services.recruitment.vacancies import VacancyError

logger = logging.getLogger(__name__)

#: the reasons the e-mail may speak of: the candidate's own act, or the vacancy's fate, never a verdict
TOLD_REASONS = (
    NotSelectedReason.WITHDREW,
    NotSelectedReason.DECLINED_OFFER,
    NotSelectedReason.VACANCY_CANCELLED,
)


def ask_to_tell(candidacy: Candidacy, language: Language) -> None:
    """Note that the candidate is to be told by e-mail in this language; queued by the caller after commit."""
    if not candidacy.manager.email:
        raise VacancyError(
            "tell",
            _l(
                "There is no e-mail address for %(name)s. Add one to the details, or do not tell by e-mail.",
                name=candidacy.manager.name,
            ),
        )
    candidacy.notice_language = language
    candidacy.notice_failed_at = None
    db.session.flush()


def prepare_not_selected_email(
    candidacy_id: int, now: datetime | None = None
) -> EmailMultiAlternatives | None:
    """Claim the candidate's e-mail and return it; None when it is not waiting (sent, claimed, not asked)."""
    moment = now or utcnow()
    claimed = cast(
        "CursorResult[None]",
        db.session.execute(
            update(Candidacy)
            .where(
                Candidacy.id == candidacy_id,
                Candidacy.step == CandidateStep.NOT_SELECTED,
                Candidacy.notice_language.is_not(None),
                Candidacy.notice_sent_at.is_(None),
            )
            .values(notice_sent_at=moment, notice_failed_at=None)
            .execution_options(synchronize_session=False)
        ),
    )
    if claimed.rowcount != 1:
        logger.info("candidacy %s: no not-selected e-mail waiting", candidacy_id)
        return None
    candidacy = db.session.get(Candidacy, candidacy_id, populate_existing=True)
    if candidacy is None or candidacy.manager.anonymised_at is not None or not candidacy.manager.email:
        return None
    return render_not_selected_email(candidacy)


def record_notice_failure(candidacy_id: int, now: datetime | None = None) -> None:
    """Note that the e-mail did not go out; it waits to be sent again (HR sees that it failed)."""
    candidacy = db.session.get(Candidacy, candidacy_id, populate_existing=True)
    if candidacy is None:
        return
    candidacy.notice_sent_at = None
    candidacy.notice_failed_at = now or utcnow()
    db.session.flush()


def unsent_notices(now: datetime | None = None, older_than: timedelta = timedelta(minutes=10)) -> list[int]:
    """Return the candidacies whose e-mail was asked for a while ago and never sent nor failed."""
    moment = now or utcnow()
    return list(
        db.session.scalars(
            select(Candidacy.id)
            .where(
                Candidacy.step == CandidateStep.NOT_SELECTED,
                Candidacy.notice_language.is_not(None),
                Candidacy.notice_sent_at.is_(None),
                Candidacy.notice_failed_at.is_(None),
                Candidacy.step_changed_at < moment - older_than,
            )
            .order_by(Candidacy.id)
        )
    )


def render_not_selected_email(candidacy: Candidacy) -> EmailMultiAlternatives:
    """Render the e-mail (plain text and HTML) in the language HR chose."""
    person = candidacy.manager
    vacancy = candidacy.vacancy
    language = candidacy.notice_language or Language.SV
    reason = candidacy.not_selected_reason
    with force_locale(BABEL_LOCALES.get(language.value, "sv")):
        context = {
            "name": person.name,
            "title": vacancy.title,
            "reason": reason.value if reason in TOLD_REASONS else "",
            "signer": vacancy.hr_partner.name if vacancy.hr_partner else None,
        }
        subject = str(_l("Your application for %(title)s", title=vacancy.title)).replace("\n", " ")
        return render_email("not_selected", subject, person.email or "", **context)
