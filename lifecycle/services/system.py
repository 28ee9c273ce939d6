"""Heartbeats of the periodic processes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lifecycle.db import utcnow
from lifecycle.extensions import db
from lifecycle.models import Heartbeat

BEAT = "beat"


def record_heartbeat(name: str, now: datetime | None = None) -> None:
    """Note that the named process is alive now; an upsert, so two beats starting at once cannot collide."""
    seen = now or utcnow()
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(Heartbeat).values(name=name, last_seen_at=seen)
    db.session.execute(
        statement.on_conflict_do_update(index_elements=["name"], set_={"last_seen_at": seen}),
        execution_options={"synchronize_session": False},
    )
    db.session.expire_all()


def last_heartbeat(name: str) -> datetime | None:
    beat = db.session.get(Heartbeat, name)
    return beat.last_seen_at if beat else None
