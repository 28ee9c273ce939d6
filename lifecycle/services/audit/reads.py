"""Recording reads: a person's plan, reviews or profile shown (or exported) to someone else."""

from __future__ import annotations

from lifecycle.db import utcnow
from lifecycle.extensions import db
from lifecycle.models import AuditEvent
from lifecycle.models import Manager
from lifecycle.models import User
from lifecycle.services.audit.acting import current_context
from lifecycle.services.audit.vocabulary import VIEW


def record_read(
    actor: User | None,
    subject: Manager,
    object_type: str,
    object_id: int | None = None,
    *,
    action: str = VIEW,
) -> AuditEvent | None:
    """Record that `actor` read (or exported) the subject's data; a person's own reads are not recorded.

    Flushes nothing: the caller commits, as with every change.
    """
    if actor is not None and subject.user_id == actor.id:
        return None
    context = current_context()
    event_row = AuditEvent(
        occurred_at=utcnow(),
        actor_id=actor.id if actor is not None else context.actor_id,
        subject_manager_id=subject.id,
        subject_user_id=None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        source=context.source,
        detail={},
    )
    db.session.add(event_row)
    return event_row
