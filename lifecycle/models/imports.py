"""Manager imports from the payroll/HR system, kept from preview to confirmation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from lifecycle.db import Base
from lifecycle.db import UTCDateTime
from lifecycle.db import utcnow


class ManagerImport(Base):
    """An uploaded CSV file: previewed first (a dry run), then imported when HR confirms."""

    __tablename__ = "manager_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    #: hex SHA-256 of `content`
    digest: Mapped[str] = mapped_column(String(64))
    #: the dry run's counts, e.g. {"created": 3, "updated": 1, "unchanged": 40, "error": 0}
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
