"""Swedish working days: milestones never land on a weekend, a public holiday or a de facto day off."""

from __future__ import annotations

from datetime import date

import pytest

from lifecycle.services.workdays import easter_sunday
from lifecycle.services.workdays import is_working_day
from lifecycle.services.workdays import next_working_day
from lifecycle.services.workdays import non_working_holidays


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_easter_sunday(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


@pytest.mark.parametrize(
    ("name", "day", "expected"),
    [
        ("midsommarafton 2026 (Friday) → Monday", date(2026, 6, 19), date(2026, 6, 22)),
        ("midsommarafton 2025 (Friday) → Monday", date(2025, 6, 20), date(2025, 6, 23)),
        ("juldagen 2025 (Thursday), annandag jul, weekend → Monday", date(2025, 12, 25), date(2025, 12, 29)),
        ("julafton 2025 (Wednesday) → the Monday after Christmas", date(2025, 12, 24), date(2025, 12, 29)),
        ("långfredag 2026 → Tuesday after annandag påsk", date(2026, 4, 3), date(2026, 4, 7)),
        ("annandag påsk 2026 → Tuesday", date(2026, 4, 6), date(2026, 4, 7)),
        ("a Saturday → Monday", date(2026, 3, 14), date(2026, 3, 16)),
        ("a Sunday → Monday", date(2026, 3, 15), date(2026, 3, 16)),
        ("nyårsafton 2026 (Thursday), nyårsdagen → Monday", date(2026, 12, 31), date(2027, 1, 4)),
        ("trettondedag jul 2026 (Tuesday) → Wednesday", date(2026, 1, 6), date(2026, 1, 7)),
        ("första maj 2026 (Friday) → Monday", date(2026, 5, 1), date(2026, 5, 4)),
        ("Kristi himmelsfärd 2026 (Thursday) → Friday", date(2026, 5, 14), date(2026, 5, 15)),
        ("nationaldagen 2025 (Friday) → Monday", date(2025, 6, 6), date(2025, 6, 9)),
        ("an ordinary Wednesday stays", date(2026, 3, 11), date(2026, 3, 11)),
        ("skärtorsdag is a working day", date(2026, 4, 2), date(2026, 4, 2)),
    ],
)
def test_next_working_day(name: str, day: date, expected: date) -> None:
    assert next_working_day(day) == expected, name


def test_named_days_off() -> None:
    days = non_working_holidays(2026)
    assert days[date(2026, 6, 19)] == "Midsommarafton"
    assert days[date(2026, 6, 20)] == "Midsommardagen"
    assert days[date(2026, 10, 31)] == "Alla helgons dag"
    assert days[date(2026, 4, 3)] == "Långfredagen"
    assert days[date(2026, 5, 14)] == "Kristi himmelsfärds dag"
    # Midsommarafton is the Friday between 19 and 25 June; alla helgons dag the Saturday from 31 October.
    assert date(2027, 6, 25) in non_working_holidays(2027)
    assert date(2027, 11, 6) in non_working_holidays(2027)


def test_is_working_day() -> None:
    assert is_working_day(date(2026, 6, 18))
    assert not is_working_day(date(2026, 6, 19))
    assert not is_working_day(date(2026, 6, 6))  # nationaldagen on a Saturday: a weekend anyway
    assert not is_working_day(date(2025, 12, 26))
    assert is_working_day(date(2025, 12, 30))
