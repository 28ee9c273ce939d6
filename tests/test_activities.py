"""Activities always build a pillar; coverage counts match hand-computed examples, shared activities too."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ActivityKind
from lifecycle.enums import OrgUnitKind
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import Expectation
from lifecycle.models import Pillar
from lifecycle.models.activities import ActivityWithoutPillarError
from lifecycle.policy import visible_managers_clause
from lifecycle.services.activities import ActivityError
from lifecycle.services.activities import add_activity
from lifecycle.services.activities import add_from_catalogue
from lifecycle.services.activities import cancel_activity
from lifecycle.services.activities import complete_activity
from lifecycle.services.activities import create_catalogue_item
from lifecycle.services.activities import reopen_activity
from lifecycle.services.activities import resolve_tags
from lifecycle.services.coverage import manager_coverage
from lifecycle.services.coverage import uncovered_managers
from lifecycle.services.coverage import unit_heatmap
from lifecycle.services.organisation import create_unit
from lifecycle.services.platform import get_platform
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from tests.factories import make_manager
from tests.factories import make_user
from tests.factories import orebro_platform_only

# Dates here are computed from today: every test runs at the suite's fixed moment (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("clock")

TODAY = date(2026, 11, 27)


@pytest.fixture
def platform(app_ctx: Flask):  # type: ignore[no-untyped-def]
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    return get_platform()


def _pillar(key: str) -> Pillar:
    pillar = db.session.scalar(select(Pillar).where(Pillar.key == key))
    assert pillar is not None
    return pillar


def _activity(participants, pillar_keys, expectation_keys=(), completed_on=None, title="Aktivitet"):  # type: ignore[no-untyped-def]
    pillars, expectations = resolve_tags(pillar_keys, expectation_keys)
    return add_activity(
        kind=ActivityKind.COURSE,
        title=title,
        participants=participants,
        pillars=pillars,
        expectations=expectations,
        actor=None,
        completed_on=completed_on,
    )


def test_an_activity_without_a_pillar_is_refused_by_the_service(platform) -> None:  # type: ignore[no-untyped-def]
    manager = make_manager()
    with pytest.raises(ActivityError, match="minst en pelare"):
        add_activity(
            kind=ActivityKind.WORKSHOP, title="Utan pelare", participants=[manager], pillars=[], actor=None
        )
    with pytest.raises(ActivityError, match="minst en pelare"):
        resolve_tags([], [])


def test_an_activity_without_a_pillar_is_refused_by_the_model_itself(platform) -> None:  # type: ignore[no-untyped-def]
    manager = make_manager()
    with pytest.raises(ActivityWithoutPillarError), db.session.begin_nested():
        db.session.add(Activity(kind=ActivityKind.OTHER, title="Rå", participants=[manager], pillars=[]))
        db.session.flush()
    activity = _activity([manager], ["leader"])
    with pytest.raises(ActivityWithoutPillarError), db.session.begin_nested():
        activity.pillars = []
        db.session.flush()


def test_an_expectation_brings_its_pillar(platform) -> None:  # type: ignore[no-untyped-def]
    pillars, expectations = resolve_tags([], ["leader.feedback", "secure.decide"])
    assert [p.key for p in pillars] == ["secure", "leader"]
    assert [e.key for e in expectations] == ["secure.decide", "leader.feedback"]


def test_retired_expectations_keep_their_tags_but_are_not_handed_out(platform) -> None:  # type: ignore[no-untyped-def]
    manager = make_manager()
    activity = _activity([manager], [], ["leader.feedback"], completed_on=date(2026, 5, 1))
    original = orebro_platform_only()
    load_platform(
        parse_platform(
            original.replace(
                "      - key: leader.feedback\n        text:\n          sv: ge och få feedback\n"
                "          en: give and receive feedback\n",
                "",
            )
        )
    )
    db.session.expire_all()
    tagged = db.session.get(Activity, activity.id)
    assert tagged is not None
    assert [e.key for e in tagged.expectations] == ["leader.feedback"]
    assert tagged.expectations[0].is_retired
    with pytest.raises(ActivityError, match="utgått"):
        resolve_tags([], ["leader.feedback"])
    coverage = manager_coverage(manager, get_platform().pillars, TODAY)  # type: ignore[union-attr]
    leader = next(c for c in coverage if c.pillar.key == "leader")
    assert [(c.expectation.key, c.count) for c in leader.expectations if c.expectation.is_retired] == [
        ("leader.feedback", 1)
    ]


def test_catalogue_activity_carries_its_tags(platform) -> None:  # type: ignore[no-untyped-def]
    manager = make_manager()
    pillars, expectations = resolve_tags(["developer"], ["developer.experiment"])
    item = create_catalogue_item(
        title="Leda i förändring",
        kind=ActivityKind.COURSE,
        description="Kommunens ledarprogram",
        pillars=pillars,
        expectations=expectations,
    )
    activity = add_from_catalogue(item, manager, None, due_on=date(2026, 12, 1))
    assert activity.title == "Leda i förändring" and activity.catalogue_item is item
    assert [p.key for p in activity.pillars] == ["developer"]
    assert [e.key for e in activity.expectations] == ["developer.experiment"]


def test_manager_coverage_counts_by_hand(platform) -> None:  # type: ignore[no-untyped-def]
    anna = make_manager("Anna")
    bo = make_manager("Bo")
    # A workshop shared by both counts once for each of them.
    _activity([anna, bo], ["leader"], ["leader.feedback", "leader.trust"], completed_on=date(2026, 3, 1))
    _activity([anna], ["secure", "leader"], ["secure.decide"], completed_on=date(2026, 9, 1))
    _activity([anna], ["developer"], completed_on=date(2025, 11, 27))  # older than twelve months
    _activity([anna], ["developer"], completed_on=date(2025, 11, 28))  # the first day of the window
    _activity([anna], ["developer"])  # planned, not done
    cancelled = _activity([anna], ["developer"], completed_on=date(2026, 10, 1))
    cancel_activity(cancelled)

    def counts(manager):  # type: ignore[no-untyped-def]
        return {c.pillar.key: c.count for c in manager_coverage(manager, get_platform().pillars, TODAY)}  # type: ignore[union-attr]

    assert counts(anna) == {"secure": 1, "developer": 1, "leader": 2}
    assert counts(bo) == {"secure": 0, "developer": 0, "leader": 1}
    leader = next(
        c for c in manager_coverage(anna, get_platform().pillars, TODAY) if c.pillar.key == "leader"
    )  # type: ignore[union-attr]
    by_key = {c.expectation.key: c.count for c in leader.expectations}
    assert by_key["leader.feedback"] == 1 and by_key["leader.trust"] == 1 and by_key["leader.organise"] == 0


def test_heatmap_and_uncovered_list_by_hand(platform) -> None:  # type: ignore[no-untyped-def]
    root = create_unit("Kommunen", OrgUnitKind.MUNICIPALITY)
    care = create_unit("Vård", OrgUnitKind.ADMINISTRATION, root)
    school = create_unit("Skola", OrgUnitKind.ADMINISTRATION, root)
    home = create_unit("Hemtjänst", OrgUnitKind.UNIT, care)
    a = make_manager("A", org_unit=care)
    b = make_manager("B", org_unit=home)
    c = make_manager("C", org_unit=home)
    d = make_manager("D", org_unit=school)
    make_manager("Kandidat", Stage.RECRUIT, org_unit=care)  # not in post: not counted
    _activity([a, b], ["leader"], completed_on=date(2026, 6, 1))
    _activity([d], ["secure"], completed_on=date(2026, 6, 1))
    late = _activity([c], ["leader"], completed_on=date(2026, 6, 1))
    reopen_activity(late)
    hr = make_user(Role.HR)
    rows = unit_heatmap([care, school], get_platform().pillars, visible_managers_clause(hr), TODAY)  # type: ignore[union-attr]
    leader, secure = _pillar("leader"), _pillar("secure")
    care_row, school_row = rows
    assert care_row.managers == 3 and school_row.managers == 1
    assert care_row.shares[leader.id] == pytest.approx(2 / 3)
    assert care_row.shares[secure.id] == 0
    assert school_row.shares[secure.id] == 1.0
    uncovered = uncovered_managers(visible_managers_clause(hr), leader, TODAY)
    assert [m.name for m in uncovered] == ["C", "D"]
    complete_activity(late, date(2026, 11, 1))
    assert [m.name for m in uncovered_managers(visible_managers_clause(hr), leader, TODAY)] == ["D"]


def test_unknown_tags_are_refused(platform) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ActivityError, match="Okänd"):
        resolve_tags(["nonsense"], [])
    with pytest.raises(ActivityError, match="Okänd"):
        resolve_tags([], ["leader.nonsense"])
    assert db.session.scalar(select(Expectation).where(Expectation.key == "leader.nonsense")) is None


def test_a_completion_date_in_the_future_is_refused(platform) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from lifecycle.timeutil import local_today

    manager = make_manager()
    tomorrow = local_today() + timedelta(days=1)
    with pytest.raises(ActivityError, match="framtiden"):
        _activity([manager], ["leader"], completed_on=tomorrow)
    planned = _activity([manager], ["leader"])
    with pytest.raises(ActivityError, match="framtiden"):
        complete_activity(planned, tomorrow)
    assert planned.completed_on is None
