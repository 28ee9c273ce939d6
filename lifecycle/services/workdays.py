"""Swedish working days: weekends and public holidays, computed (no holiday package needed)."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from functools import lru_cache

#: a milestone never searches further than this for a working day; Sweden has at most four in a row off
_MAX_SEARCH_DAYS = 14


def easter_sunday(year: int) -> date:
    """Return Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month, day = divmod(h + weekday_shift - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _saturday_between(year: int, month: int, day: int) -> date:
    """Return the Saturday in the seven days starting on `year-month-day`."""
    first = date(year, month, day)
    return first + timedelta(days=(5 - first.weekday()) % 7)


@lru_cache(maxsize=64)
def non_working_holidays(year: int) -> dict[date, str]:
    """Return the days off in a Swedish municipality in `year` besides weekends, with their Swedish names."""
    easter = easter_sunday(year)
    midsummer_day = _saturday_between(year, 6, 20)
    days = {
        date(year, 1, 1): "Nyårsdagen",
        date(year, 1, 6): "Trettondedag jul",
        easter - timedelta(days=2): "Långfredagen",
        easter: "Påskdagen",
        easter + timedelta(days=1): "Annandag påsk",
        date(year, 5, 1): "Första maj",
        easter + timedelta(days=39): "Kristi himmelsfärds dag",
        easter + timedelta(days=49): "Pingstdagen",
        date(year, 6, 6): "Sveriges nationaldag",
        midsummer_day - timedelta(days=1): "Midsommarafton",
        midsummer_day: "Midsommardagen",
        _saturday_between(year, 10, 31): "Alla helgons dag",
        date(year, 12, 25): "Juldagen",
        date(year, 12, 26): "Annandag jul",
        # Midsommarafton (above), julafton and nyårsafton are not public holidays by law, but
        # municipalities' collective agreements make them days off, so nothing is scheduled on them.
        date(year, 12, 24): "Julafton",
        date(year, 12, 31): "Nyårsafton",
    }
    return days


def is_working_day(day: date) -> bool:
    """Return whether `day` is a working day: a weekday that is not a Swedish holiday (or de facto one)."""
    return day.weekday() < 5 and day not in non_working_holidays(day.year)


def next_working_day(day: date) -> date:
    """Return `day` if it is a working day, else the first working day after it."""
    candidate = day
    for _ in range(_MAX_SEARCH_DAYS):
        if is_working_day(candidate):
            return candidate
        candidate += timedelta(days=1)
    raise AssertionError(f"no working day within {_MAX_SEARCH_DAYS} days of {day}")  # pragma: no cover
