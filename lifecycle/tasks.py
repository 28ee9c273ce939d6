"""Celery tasks: load by id, call a service, commit. The beat schedule lives in config.py."""

from __future__ import annotations

import logging

from celery import shared_task

from lifecycle.extensions import db
from lifecycle.services.system import BEAT
from lifecycle.services.system import record_heartbeat

logger = logging.getLogger(__name__)


@shared_task(name="system.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Record that beat is scheduling and a worker is consuming."""
    record_heartbeat(BEAT)
    db.session.commit()
