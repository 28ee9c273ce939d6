"""The kept import files (`ManagerImport` rows) of every kind, from preview to confirmation.

One table keeps the files of every kind; `summary["type"]` tells them apart (a managers' file has none).
"""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import ColumnElement
from sqlalchemy import select
from sqlalchemy import true
from sqlalchemy.orm import defer

from lifecycle.db import utcnow
from lifecycle.enums import ImportStatus
from lifecycle.extensions import db
from lifecycle.models import ManagerImport
from lifecycle.models import User
from lifecycle.services.imports.reports import PlanReport

logger = logging.getLogger(__name__)


def digest_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def keep_checked_file(
    content: bytes, filename: str, plan: PlanReport, uploaded_by: User | None, default_name: str
) -> ManagerImport:
    """Keep an uploaded file with its dry-run report until it is confirmed."""
    record = ManagerImport(
        uploaded_by_id=uploaded_by.id if uploaded_by else None,
        filename=filename[:255] or default_name,
        content=content,
        digest=digest_of(content),
        summary=plan.summary(),
    )
    db.session.add(record)
    db.session.flush()
    logger.info("import %s (%s) previewed: %s", record.id, plan.import_type or "managers", plan.counts)
    return record


def keep_applied_file(content: bytes, filename: str, plan: PlanReport) -> ManagerImport:
    """Keep a file applied from the command line, so every import leaves the same trace."""
    record = ManagerImport(
        uploaded_by_id=None,
        filename=filename[:255],
        content=content,
        digest=digest_of(content),
        summary=plan.summary(),
        committed_at=utcnow(),
        status=ImportStatus.DONE,
        finished_at=utcnow(),
        rows_total=len(plan.rows),
        rows_done=len(plan.rows),
    )
    db.session.add(record)
    db.session.flush()
    return record


def _of_type(import_type: str | None) -> ColumnElement[bool]:
    """Select kept files of one type: `summary["type"]` (e.g. "activities"); managers' files have none."""
    stored: ColumnElement[str] = ManagerImport.summary["type"].as_string()
    return stored.is_(None) if import_type is None else stored == import_type


def _in_scope(vacancy_id: int | None) -> ColumnElement[bool]:
    """Select kept files imported into this vacancy (`summary["vacancy_id"]`); None: every file."""
    if vacancy_id is None:
        return true()
    scoped: ColumnElement[int] = ManagerImport.summary["vacancy_id"].as_integer()
    return scoped == vacancy_id


def get_import(
    import_id: int, for_update: bool = False, import_type: str | None = None, vacancy_id: int | None = None
) -> ManagerImport | None:
    """Return a kept import; `for_update` locks it, so two confirmations of one file run one at a time."""
    # The file itself (up to 5 MB) is loaded only when confirming reads it.
    statement = (
        select(ManagerImport)
        .where(ManagerImport.id == import_id, _of_type(import_type), _in_scope(vacancy_id))
        .options(defer(ManagerImport.content))
    )
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(statement)


def recent_imports(
    limit: int = 10, import_type: str | None = None, vacancy_id: int | None = None
) -> list[ManagerImport]:
    return list(
        db.session.scalars(
            select(ManagerImport)
            .where(_of_type(import_type), _in_scope(vacancy_id))
            .options(defer(ManagerImport.content))
            .order_by(ManagerImport.id.desc())
            .limit(limit)
        )
    )
