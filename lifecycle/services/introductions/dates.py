"""When a milestone is due: a start date moved by an offset, onto a working day."""

from __future__ import annotations

import calendar
from datetime import date
from datetime import timedelta

from lifecycle.enums import OffsetUnit
from lifecycle.models import TemplateMilestone
from lifecycle.services.workdays import next_working_day


def add_months(day: date, months: int) -> date:
    """Return the same day `months` later (or earlier), the month's last day when it is shorter."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year = day.year + years
    month = month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def offset_date(start: date, amount: int, unit: OffsetUnit) -> date:
    """Return the start date moved by an offset, before any shift to a working day."""
    if unit is OffsetUnit.MONTHS:
        return add_months(start, amount)
    return start + timedelta(days=amount * (7 if unit is OffsetUnit.WEEKS else 1))


def milestone_due_date(start: date, amount: int, unit: OffsetUnit) -> date:
    """Return when a milestone is due: the start date plus its offset, on the next working day."""
    return next_working_day(offset_date(start, amount, unit))


def approximate_days(milestone: TemplateMilestone) -> int:
    """Return an offset in days for ordering milestones (a month counted as 30 days)."""
    per_unit = {OffsetUnit.DAYS: 1, OffsetUnit.WEEKS: 7, OffsetUnit.MONTHS: 30}
    return milestone.offset_amount * per_unit[milestone.offset_unit]
