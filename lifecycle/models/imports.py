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
from lifecycle.db import enum_column
from lifecycle.db import utcnow
from lifecycle.enums import ImportStatus


class ManagerImport(Base):
    """An uploaded CSV file: previewed first (a dry run), then imported by a worker when HR confirms.

    The row is also the import job: its status, how many rows are done and why it failed, which the
    progress page shows. See `lifecycle.services.imports.jobs` for how a job runs.
    """

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
    status: Mapped[ImportStatus] = mapped_column(
        enum_column(ImportStatus, "import_status"), default=ImportStatus.CHECKED, server_default="checked"
    )
    #: who confirmed the import: the worker acts as them
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: rows of the file written so far, of `rows_total`, while the job runs
    rows_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rows_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: why the job failed, as a stored message (`lifecycle.i18n_messages`) shown in the reader's language
    failure: Mapped[Any] = mapped_column(JSON, nullable=True)
