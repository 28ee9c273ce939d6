"""Bookkeeping of the running system."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from lifecycle.db import Base
from lifecycle.db import UTCDateTime


class Heartbeat(Base):
    """The last time a periodic process (Celery beat) was seen alive."""

    __tablename__ = "heartbeats"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AppSetting(Base):
    """A setting HR or an administrator changes in the app (e.g. the development review cadence)."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
