"""Heartbeats of the periodic processes."""

from __future__ import annotations

from datetime import datetime

from lifecycle.db import utcnow
from lifecycle.extensions import db
from lifecycle.models import Heartbeat

BEAT = "beat"


def record_heartbeat(name: str, now: datetime | None = None) -> Heartbeat:
    """Note that the named process is alive now."""
    beat = db.session.get(Heartbeat, name)
    seen = now or utcnow()
    if beat is None:
        beat = Heartbeat(name=name, last_seen_at=seen)
        db.session.add(beat)
    else:
        beat.last_seen_at = seen
    db.session.flush()
    return beat


def last_heartbeat(name: str) -> datetime | None:
    beat = db.session.get(Heartbeat, name)
    return beat.last_seen_at if beat else None
