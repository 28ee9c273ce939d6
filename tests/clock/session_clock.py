"""The suite's clock: with CHEFSRESAN_TEST_TODAY=YYYY-MM-DD every test process lives on that day.

`make test` must pass whatever day it runs, and the way to prove it is to run it on other days. The test
session (tests/conftest.py) and every process the tests start (a Celery worker, through
`sitecustomize.py` in this directory on its PYTHONPATH) move their clock to that day at the real time of
day, and let it tick. Moving each process by the same number of whole days keeps them in step with each
other. Tests that freeze the clock themselves (time_machine.travel) still do, inside this.
"""

from __future__ import annotations

import os
from datetime import date
from datetime import datetime
from pathlib import Path

import time_machine

VARIABLE = "CHEFSRESAN_TEST_TODAY"
#: put on a child process's PYTHONPATH so that its interpreter starts on the same day
DIRECTORY = Path(__file__).resolve().parent


def test_today() -> date | None:
    """Return the day the suite is told to run on, or None for the real one."""
    value = os.environ.get(VARIABLE, "").strip()
    return date.fromisoformat(value) if value else None


def start() -> time_machine.travel | None:
    """Move this process to the test day (if one is set); return the traveller, already started."""
    day = test_today()
    if day is None:
        return None
    now = datetime.now().astimezone()
    traveller = time_machine.travel(datetime.combine(day, now.timetz()), tick=True)
    traveller.start()
    return traveller
