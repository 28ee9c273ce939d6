"""HR's list of reasons for leaving, seeded with the usual ones; a retired reason stays on old interviews."""

from __future__ import annotations

import logging
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy import select

from lifecycle.db import utcnow
from lifecycle.extensions import db
from lifecycle.models import ExitReason
from lifecycle.models.offboarding import REASON_CODE_MAX_LENGTH
from lifecycle.models.offboarding import REASON_NAME_MAX_LENGTH
from lifecycle.services.offboarding.errors import OffboardingError

logger = logging.getLogger(__name__)

#: code, Swedish, English: what `ensure_exit_reasons` seeds
DEFAULT_REASONS: tuple[tuple[str, str, str], ...] = (
    ("pension", "Pension", "Retirement"),
    ("new_job_outside", "Nytt jobb utanför kommunen", "New job outside the municipality"),
    ("new_job_inside", "Nytt jobb inom kommunen", "New job inside the municipality"),
    ("family", "Familjeskäl", "Family reasons"),
    ("health", "Hälsoskäl", "Health"),
    ("reorganisation", "Organisationsförändring", "Organisational change"),
    ("dismissal", "Uppsägning från arbetsgivaren", "Dismissal by the employer"),
    ("other", "Annat", "Other"),
)

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def ensure_exit_reasons() -> None:
    """Seed HR's list with the usual reasons unless it has any; HR's own changes are never overwritten."""
    if db.session.scalar(select(ExitReason.id).limit(1)) is not None:
        return
    for position, (code, name_sv, name_en) in enumerate(DEFAULT_REASONS):
        db.session.add(ExitReason(code=code, name_sv=name_sv, name_en=name_en, position=position))
    db.session.flush()
    logger.info("the default reasons for leaving are seeded")


def all_reasons() -> list[ExitReason]:
    """Return every reason in HR's order, retired ones included."""
    return list(db.session.scalars(select(ExitReason).order_by(ExitReason.position, ExitReason.id)))


def current_reasons() -> list[ExitReason]:
    """Return the reasons an exit interview may give, in HR's order."""
    return [reason for reason in all_reasons() if not reason.is_retired]


def add_reason(code: str, name_sv: str, name_en: str) -> ExitReason:
    """Add a reason at the end of HR's list; the code is stable (the API and the CSV use it)."""
    clean = code.strip().lower()
    if not _CODE.match(clean) or len(clean) > REASON_CODE_MAX_LENGTH:
        raise OffboardingError(
            "code", _l("Use lower-case letters, digits and _ only, starting with a letter (at most 40).")
        )
    if db.session.scalar(select(ExitReason.id).where(ExitReason.code == clean)) is not None:
        raise OffboardingError("code", _l("Another reason has this code."))
    names = {"name_sv": name_sv.strip(), "name_en": name_en.strip()}
    for field, name in names.items():
        if not name:
            raise OffboardingError(field, _l("Give the reason a name."))
        if len(name) > REASON_NAME_MAX_LENGTH:
            raise OffboardingError(field, _l("The name is too long (at most 120 characters)."))
    last = db.session.scalar(select(func.max(ExitReason.position)))
    reason = ExitReason(code=clean, position=(last or 0) + 1, **names)
    db.session.add(reason)
    db.session.flush()
    return reason


def set_reason_retired(reason: ExitReason, retired: bool) -> None:
    """Retire a reason (no new interview gives it) or offer it again."""
    reason.retired_at = (reason.retired_at or utcnow()) if retired else None
    db.session.flush()
