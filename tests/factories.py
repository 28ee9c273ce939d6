"""Test data made through the services, so every row obeys the same rules as real data."""

from __future__ import annotations

import itertools
import re
from datetime import date
from typing import Any

from lifecycle.enums import OrgUnitKind
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.models import Manager
from lifecycle.models import OrgUnit
from lifecycle.models import User
from lifecycle.services.accounts import create_user
from lifecycle.services.journey import enter_journey
from lifecycle.services.organisation import create_unit

PASSWORD = "correct horse battery"
_sequence = itertools.count(1)


def make_user(
    *roles: Role, email: str | None = None, name: str | None = None, password: str = PASSWORD
) -> User:
    number = next(_sequence)
    return create_user(
        email or f"user{number}@test.example", name or f"Användare {number}", password, set(roles)
    )


def make_unit(
    name: str | None = None, parent: OrgUnit | None = None, kind: OrgUnitKind = OrgUnitKind.UNIT
) -> OrgUnit:
    return create_unit(name or f"Enhet {next(_sequence)}", kind, parent)


def make_manager(
    name: str | None = None,
    stage: Stage = Stage.DEVELOP,
    *,
    user: User | None = None,
    line_manager: Manager | None = None,
    org_unit: OrgUnit | None = None,
    with_account: bool = False,
    entered_on: date = date(2025, 1, 15),
) -> Manager:
    number = next(_sequence)
    if with_account and user is None:
        user = make_user(Role.MANAGER, name=name)
    return enter_journey(
        name=name or f"Chef {number}",
        stage=stage,
        effective_date=entered_on,
        actor=None,
        employee_number=f"E{number:05d}",
        email=user.email if user else f"chef{number}@test.example",
        title="Enhetschef",
        org_unit=org_unit,
        line_manager=line_manager,
        start_date=entered_on if stage in (Stage.INTRODUCE, Stage.DEVELOP) else None,
        user=user,
    )


def orebro_platform_only() -> str:
    """Örebro's platform file without the programme, catalogue and recruitment banks it also carries.

    For tests that retire an expectation by removing its key and text: the others name it too.
    """
    from lifecycle.cli import DEFAULT_PLATFORM

    platform = DEFAULT_PLATFORM.read_text(encoding="utf-8").split("\n# The default introduction programme")[0]
    return re.sub(
        r"^        (?:phrases|questions):\n(?:          .*\n)+", "", platform + "\n", flags=re.MULTILINE
    )


def make_running_mentorship(mentor: Manager, mentee: Manager, actor: User | None = None) -> Any:
    """Mark `mentor` as a role model and start a mentorship of `mentee` that runs from today."""
    from datetime import timedelta

    from lifecycle.services.mentoring import mark_role_model
    from lifecycle.services.mentoring import start_mentorship
    from lifecycle.timeutil import local_today

    mark_role_model(mentor, pillar_keys=["leader"], expectation_keys=[], capacity=1, actor=actor)
    return start_mentorship(
        mentor=mentor,
        mentee=mentee,
        starts_on=local_today(),
        ends_on=local_today() + timedelta(days=180),
        goals="Feedback",
        cadence_weeks=4,
        actor=actor,
    )
