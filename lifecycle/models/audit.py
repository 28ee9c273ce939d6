"""The audit log: who changed or read whose personal data, and when."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from lifecycle.append_only import append_only
from lifecycle.db import Base
from lifecycle.db import UTCDateTime
from lifecycle.db import utcnow

if TYPE_CHECKING:
    from lifecycle.models.managers import Manager
    from lifecycle.models.users import User


@append_only(erasable=("detail",))
class AuditEvent(Base):
    """One change to, or one read by someone else of, a person's data.

    The row names objects by type and id and changed fields by name; it never copies values, so the log
    itself holds no personal data beyond ids and survives a person's anonymisation unchanged.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_subject_manager_occurred", "subject_manager_id", "occurred_at"),
        Index("ix_audit_events_subject_user_occurred", "subject_user_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: who did it; None for the system (an import without a user, a scheduled job)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: whose data it was: the person on the journey ...
    subject_manager_id: Mapped[int | None] = mapped_column(ForeignKey("managers.id"))
    #: ... or an account without a journey (HR, administrators)
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: what happened, e.g. "view", "create", "update", "delete", "move", "export", "anonymise"
    action: Mapped[str] = mapped_column(String(30))
    #: the kind of object, e.g. "manager", "plan", "goal", "activity", "review", "account"
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    #: where it came from: "web", "api", "import", "system", "cli"
    source: Mapped[str] = mapped_column(String(20), default="web")
    #: names of changed fields and other non-personal facts; never values
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    subject_manager: Mapped[Manager | None] = relationship(foreign_keys=[subject_manager_id])
    subject_user: Mapped[User | None] = relationship(foreign_keys=[subject_user_id])
