"""Dates in the municipality's own time zone."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local_today() -> date:
    """Return today's date in Stockholm, whatever the server's time zone."""
    return datetime.now(STOCKHOLM).date()
