"""The periods the effect map shows its figures in: quarters, months or years, the latest last."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from lifecycle.timeutil import STOCKHOLM


@dataclass(frozen=True)
class Period:
    """Whole days from `start` to `end`, both included, in Stockholm."""

    start: date
    end: date
    #: months in the period: 1, 3 or 12
    months: int

    @property
    def label(self) -> str:
        """The period's name: "2026 Q3" ("2026 K3" in Swedish), "2026-07" or "2026"."""
        if self.months == 3:
            quarter = (self.start.month - 1) // 3 + 1
            return str(_l("%(year)d Q%(quarter)d", year=self.start.year, quarter=quarter))
        if self.months == 12:
            return str(self.start.year)
        return f"{self.start.year}-{self.start.month:02d}"

    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time(0), tzinfo=STOCKHOLM)

    def ends_before(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=STOCKHOLM)


def _month_start(day: date, back: int) -> date:
    months = day.year * 12 + day.month - 1 - back
    return date(months // 12, months % 12 + 1, 1)


def _months(today: date, count: int, size: int) -> list[Period]:
    """`count` periods of `size` months each, aligned on the calendar, the last one holding today."""
    first_of_current = _month_start(today, (today.month - 1) % size)
    periods = []
    for number in range(count - 1, -1, -1):
        start = _month_start(first_of_current, number * size)
        end = _month_start(start, -size) - timedelta(days=1)
        periods.append(Period(start, end, size))
    return periods


#: the choices of the map's period filter: name → (title, number of periods, months in each)
SPANS: dict[str, tuple[LazyString, int, int]] = {
    "8q": (_l("The last two years, by quarter"), 8, 3),
    "4q": (_l("The last year, by quarter"), 4, 3),
    "12m": (_l("The last twelve months, by month"), 12, 1),
    "3y": (_l("The last three years, by year"), 3, 12),
}
DEFAULT_SPAN = "8q"


def periods_of(span: str, today: date) -> list[Period]:
    """The periods of one of `SPANS` up to today (the default span for an unknown name)."""
    _title, count, size = SPANS.get(span, SPANS[DEFAULT_SPAN])
    return _months(today, count, size)
