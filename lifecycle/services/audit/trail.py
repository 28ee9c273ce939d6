"""Reading the log: one page of a person's audit trail, newest first."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import lazyload
from sqlalchemy.orm import load_only

from lifecycle.extensions import db
from lifecycle.models import AuditEvent
from lifecycle.models import Manager
from lifecycle.models import User

#: events on one page of a person's audit trail
EVENTS_PER_PAGE = 50


@dataclass(frozen=True)
class AuditTrail:
    """One page of a person's audit trail, newest first."""

    events: list[AuditEvent]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def audit_trail(subject: Manager | User, page: int = 1, per_page: int = EVENTS_PER_PAGE) -> AuditTrail:
    """Return a page of what was done to or read of the subject's data, with the actors' names."""
    if isinstance(subject, Manager):
        about = AuditEvent.subject_manager_id == subject.id
    else:
        about = AuditEvent.subject_user_id == subject.id
    total = db.session.scalar(select(func.count()).select_from(AuditEvent).where(about)) or 0
    page = min(max(page, 1), max(1, -(-total // per_page)))
    events = db.session.scalars(
        select(AuditEvent)
        .where(about)
        # Only the actor's name is shown: none of a user's roles or links are loaded for it.
        .options(joinedload(AuditEvent.actor).options(load_only(User.id, User.name), lazyload("*")))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return AuditTrail(list(events), total, page, per_page)
