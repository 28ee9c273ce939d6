"""Telling the reporter that their obstacle is resolved (removed, or not removable and why), once.

After the commit that resolved it the view queues the e-mail; the worker claims it with a conditional
update, commits, and sends it, so two workers given the same message (a redelivery, the sweep) cannot
both send it. It is written in the reporter's own language (their account's, else the default).
"""

from __future__ import annotations

import logging
from datetime import datetime
from datetime import timedelta
from typing import cast

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import ColumnElement
from sqlalchemy import CursorResult
from sqlalchemy import select
from sqlalchemy import update

from lifecycle.db import utcnow
from lifecycle.enums import ObstacleStatus
from lifecycle.extensions import db
from lifecycle.models.obstacles import Obstacle
from lifecycle.notifications import external_url
from lifecycle.notifications import recipient_locale
from lifecycle.notifications import render_email

logger = logging.getLogger(__name__)


def _waiting() -> tuple[ColumnElement[bool], ...]:
    return (
        Obstacle.status.in_(ObstacleStatus.resolved()),
        Obstacle.reporter_id.is_not(None),
        Obstacle.notice_sent_at.is_(None),
    )


def prepare_resolved_email(obstacle_id: int, now: datetime | None = None) -> EmailMultiAlternatives | None:
    """Claim the reporter's e-mail and return it; None when none is waiting (sent, claimed, nobody)."""
    moment = now or utcnow()
    claimed = cast(
        "CursorResult[None]",
        db.session.execute(
            update(Obstacle)
            .where(Obstacle.id == obstacle_id, *_waiting())
            .values(notice_sent_at=moment, notice_failed_at=None)
            .execution_options(synchronize_session=False)
        ),
    )
    if claimed.rowcount != 1:
        logger.info("obstacle %s: no resolution e-mail waiting", obstacle_id)
        return None
    obstacle = db.session.get(Obstacle, obstacle_id, populate_existing=True)
    reporter = obstacle.reporter if obstacle is not None else None
    if obstacle is None or reporter is None or reporter.anonymised_at is not None:
        return None
    account = reporter.user
    address = account.email if account is not None and account.is_enabled else reporter.email
    if not address:
        logger.info("obstacle %s: the reporter has no e-mail address", obstacle_id)
        return None
    locale = recipient_locale(account) if account is not None else "sv"
    with force_locale(locale):
        subject = str(
            _l("Your obstacle is removed: %(title)s", title=obstacle.title)
            if obstacle.status is ObstacleStatus.REMOVED
            else _l("Your obstacle cannot be removed: %(title)s", title=obstacle.title)
        ).replace("\n", " ")
        return render_email(
            "obstacle_resolved",
            subject,
            address,
            name=reporter.name,
            obstacle=obstacle,
            removed=obstacle.status is ObstacleStatus.REMOVED,
            url=external_url("obstacles.detail", {"obstacle_id": obstacle.id}),
        )


def record_resolved_failure(obstacle_id: int, now: datetime | None = None) -> None:
    """Note that the e-mail did not go out; it waits to be sent again."""
    obstacle = db.session.get(Obstacle, obstacle_id, populate_existing=True)
    if obstacle is None:
        return
    obstacle.notice_sent_at = None
    obstacle.notice_failed_at = now or utcnow()
    db.session.flush()


def unsent_resolved_notices(
    now: datetime | None = None, older_than: timedelta = timedelta(minutes=10)
) -> list[int]:
    """The obstacles resolved a while ago whose e-mail was never sent nor failed (never queued)."""
    moment = now or utcnow()
    return list(
        db.session.scalars(
            select(Obstacle.id)
            .where(
                *_waiting(),
                Obstacle.notice_failed_at.is_(None),
                Obstacle.resolved_at < moment - older_than,
            )
            .order_by(Obstacle.id)
        )
    )
