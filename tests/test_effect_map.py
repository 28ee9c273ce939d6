"""The effect map: the measures against hand-computed figures on a small fixed data set, the platform
file's `effect_map` (its errors named by field, a reload that keeps HR's edits), HR's changes and their
refusals, the map page and its CSV file, and Nordby's smaller map.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ActivityKind
from lifecycle.enums import MeasureKind
from lifecycle.enums import ObstacleSeverity
from lifecycle.enums import ObstacleStatus
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import AuditEvent
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import Obstacle
from lifecycle.models import OrgUnit
from lifecycle.models import Pillar
from lifecycle.models.effect_map import Effect
from lifecycle.models.effect_map import EffectDriver
from lifecycle.services.activities import add_activity
from lifecycle.services.activities import cancel_activity
from lifecycle.services.effect_map import EffectMapError
from lifecycle.services.effect_map import EffectValues
from lifecycle.services.effect_map import add_described_obstacle
from lifecycle.services.effect_map import add_driver
from lifecycle.services.effect_map import add_effect
from lifecycle.services.effect_map import change_effect
from lifecycle.services.effect_map import edit_item
from lifecycle.services.effect_map import link_obstacle
from lifecycle.services.effect_map import move_effect
from lifecycle.services.effect_map import set_item_retired
from lifecycle.services.effect_map.measures import KINDS
from lifecycle.services.effect_map.measures import PULSE_STATEMENTS
from lifecycle.services.effect_map.measures import MeasureQuery
from lifecycle.services.effect_map.measures import compute_measure
from lifecycle.services.effect_map.measures import has_data
from lifecycle.services.effect_map.periods import periods_of
from lifecycle.services.effect_map.queries import activities_per_period
from lifecycle.services.effect_map.queries import effects_on_map
from lifecycle.services.effect_map.seeding import seed_effect_map
from lifecycle.services.obstacles import ObstacleChange
from lifecycle.services.obstacles import change_obstacle
from lifecycle.services.obstacles import report_obstacle
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import PULSE_STATEMENT_KEYS
from lifecycle.services.platform_file import PlatformFileError
from lifecycle.services.platform_file import parse_platform
from lifecycle.timeutil import STOCKHOLM
from lifecycle.timeutil import local_today
from tests.conftest import csrf_token_from
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user
from tests.test_other_platform import NORDBY

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def orebro(app_ctx: Flask) -> Flask:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    return app_ctx


def _pillar(key: str) -> Pillar:
    found = db.session.scalar(select(Pillar).where(Pillar.key == key))
    assert found is not None
    return found


def _expectation(key: str) -> Expectation:
    found = db.session.scalar(select(Expectation).where(Expectation.key == key))
    assert found is not None
    return found


def _effect(key: str) -> Effect:
    found = db.session.scalar(select(Effect).where(Effect.seed_key == key))
    assert found is not None
    return found


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=STOCKHOLM)


# -- the periods -------------------------------------------------------------------------------------------


def test_the_periods_end_with_the_one_holding_today(app_ctx: Flask) -> None:
    today = local_today()
    assert today == date(2026, 11, 4)
    quarters = periods_of("8q", today)
    assert [(p.start, p.end) for p in quarters[:1] + quarters[-1:]] == [
        (date(2025, 1, 1), date(2025, 3, 31)),
        (date(2026, 10, 1), date(2026, 12, 31)),
    ]
    assert len(quarters) == 8
    months = periods_of("12m", today)
    assert (months[0].start, months[-1].end) == (date(2025, 12, 1), date(2026, 11, 30))
    assert [p.label for p in periods_of("3y", today)] == ["2024", "2025", "2026"]
    assert periods_of("no such span", today) == quarters


# -- the measures, against hand-computed figures -------------------------------------------------------------


@dataclass
class Data:
    a: OrgUnit
    b: OrgUnit
    query: Callable[..., MeasureQuery]


@pytest.fixture
def data(orebro: Flask) -> Data:
    """Two förvaltningar under one root; three managers in post, one candidate; activities and obstacles.

    Developer activities completed: m1 in 2026 Q1 and Q3, m2 (started in May 2026) in Q3, m3 in 2025 Q4;
    m3's cancelled one in Q3 and its leader one in Q3 (tagged leader.trust) do not count for developer.
    Obstacles removed: in A 10 and 28 days (Q1, secure and leader), 4 days (Q2); in B 20 days (Q3); in A
    one found not removable and one open.
    """
    hr = make_user(Role.HR)
    root = make_unit("Kommunen")
    a = make_unit("Förvaltning A", parent=root)
    b = make_unit("Förvaltning B", parent=root)
    m1 = make_manager("Mira Ett", org_unit=a)
    m2 = make_manager("Moa Två", org_unit=a, entered_on=date(2026, 5, 1))
    m3 = make_manager("Max Tre", org_unit=b)
    make_manager("Kim Kandidat", Stage.RECRUIT, org_unit=a)
    developer, leader = [_pillar("developer")], [_pillar("leader")]

    def done(manager: Manager, on: date, pillars: list[Pillar] = developer, **extra: Any) -> Any:
        return add_activity(
            kind=ActivityKind.COURSE,
            title=f"Kurs {on}",
            participants=[manager],
            pillars=pillars,
            actor=hr,
            completed_on=on,
            **extra,
        )

    done(m1, date(2026, 2, 10))
    done(m1, date(2026, 8, 1))
    done(m2, date(2026, 8, 15))
    done(m3, date(2025, 11, 1))
    cancel_activity(done(m3, date(2026, 8, 20)))
    done(m3, date(2026, 9, 1), leader, expectations=[_expectation("leader.trust")])

    def removed(unit: OrgUnit, reported: date, resolved: date, pillar: str, status: ObstacleStatus) -> None:
        with time_machine.travel(_at(reported), tick=False):
            obstacle = report_obstacle(
                reporter=None,
                unit=unit,
                title=f"Hinder {reported}",
                description="",
                severity=ObstacleSeverity.MEDIUM,
                shared=False,
                pillar_ids=[_pillar(pillar).id],
                expectation_ids=[],
                actor=hr,
            )
        with time_machine.travel(_at(resolved), tick=False):
            change_obstacle(obstacle, ObstacleChange(status, hr, None, explanation="Klart."), hr)

    removed(a, date(2026, 1, 5), date(2026, 1, 15), "secure", ObstacleStatus.REMOVED)
    removed(a, date(2026, 2, 1), date(2026, 3, 1), "leader", ObstacleStatus.REMOVED)
    removed(a, date(2026, 4, 1), date(2026, 4, 5), "secure", ObstacleStatus.REMOVED)
    removed(b, date(2026, 7, 1), date(2026, 7, 21), "secure", ObstacleStatus.REMOVED)
    removed(a, date(2026, 8, 1), date(2026, 8, 10), "secure", ObstacleStatus.NOT_REMOVABLE)
    with time_machine.travel(_at(date(2026, 9, 1)), tick=False):
        report_obstacle(
            reporter=None,
            unit=a,
            title="Öppet hinder",
            description="",
            severity=ObstacleSeverity.LOW,
            shared=False,
            pillar_ids=[_pillar("secure").id],
            expectation_ids=[],
            actor=hr,
        )
    db.session.flush()
    periods = periods_of("4q", local_today())

    def query(**values: Any) -> MeasureQuery:
        return MeasureQuery(periods=periods, **values)

    return Data(a=a, b=b, query=query)


def test_pillar_coverage_is_the_share_of_managers_in_post_per_quarter(data: Data) -> None:
    developer = _pillar("developer").id
    measure = MeasureKind.PILLAR_COVERAGE
    # 2026 Q1: m1 of m1, m3 (m2 starts in May); Q3: m1 and m2 of three; none in Q2 and Q4.
    assert compute_measure(measure, data.query(pillar_id=developer)) == [50.0, 0.0, 66.7, 0.0]
    assert compute_measure(measure, data.query(pillar_id=developer, unit_id=data.a.id)) == [
        100.0,
        0.0,
        100.0,
        0.0,
    ]
    # m3's developer activity was in 2025; the Q3 one was cancelled.
    assert compute_measure(measure, data.query(pillar_id=developer, unit_id=data.b.id)) == [0.0] * 4
    assert compute_measure(measure, data.query(pillar_id=_pillar("leader").id, unit_id=data.b.id)) == [
        0.0,
        0.0,
        100.0,
        0.0,
    ]


def test_a_unit_without_managers_has_no_coverage_figure(data: Data) -> None:
    empty = make_unit("Tom enhet", parent=data.a)
    query = data.query(pillar_id=_pillar("developer").id, unit_id=empty.id)
    assert compute_measure(MeasureKind.PILLAR_COVERAGE, query) == [None] * 4


def test_obstacle_removal_is_the_median_days_of_those_removed_in_each_quarter(data: Data) -> None:
    measure = MeasureKind.OBSTACLE_REMOVAL
    # Q1: 10 and 28 days → 19; Q2: 4; Q3: 20 (in B; the one not removable is not counted); Q4: none.
    assert compute_measure(measure, data.query()) == [19.0, 4.0, 20.0, None]
    assert compute_measure(measure, data.query(unit_id=data.a.id)) == [19.0, 4.0, None, None]
    assert compute_measure(measure, data.query(pillar_id=_pillar("secure").id)) == [10.0, 4.0, 20.0, None]


def test_the_activities_feeding_an_effect_are_counted_per_quarter(data: Data) -> None:
    periods = data.query().periods
    effect = add_effect(
        EffectValues(
            title_sv="Lärande",
            measure_kind=MeasureKind.PILLAR_COVERAGE,
            measure_pillar_id=_pillar("developer").id,
            pillar_ids=[_pillar("developer").id],
            expectation_ids=[_expectation("leader.trust").id],
        )
    )
    # Developer: m1's in Q1, m1's and m2's in Q3; leader.trust: m3's in Q3; the cancelled one never.
    assert activities_per_period(effect, periods, None) == [1, 0, 3, 0]
    assert activities_per_period(effect, periods, data.a.id) == [1, 0, 2, 0]
    assert activities_per_period(effect, periods, data.b.id) == [0, 0, 1, 0]
    unfed = add_effect(EffectValues(title_sv="Utan pelare", measure_kind=MeasureKind.EXITS))
    assert activities_per_period(unfed, periods, None) is None


def test_pulse_and_exits_are_kinds_without_data_yet(data: Data) -> None:
    assert set(PULSE_STATEMENTS) == set(PULSE_STATEMENT_KEYS)
    assert set(KINDS) == set(MeasureKind)
    for kind in (MeasureKind.PULSE_STATEMENT, MeasureKind.EXITS):
        assert not has_data(kind)
        assert compute_measure(kind, data.query(statement="support")) is None


# -- the platform file ------------------------------------------------------------------------------------

EFFECTS_AT = "\neffect_map:\n"


def _orebro_with(effect_map: str) -> str:
    platform = DEFAULT_PLATFORM.read_text(encoding="utf-8")
    return platform.split("\n# The effect map")[0] + "\neffect_map:\n" + effect_map


BAD_EFFECTS = """\
  - key: one
    title: {sv: "Ett", en: "One"}
    measure: {kind: happiness}
  - key: two
    title: {sv: "Två", en: "Two"}
    measure: {kind: pulse_statement}
  - key: three
    title: {sv: "Tre", en: "Three"}
    measure: {kind: pillar_coverage}
  - key: four
    title: {sv: "Fyra", en: "Four"}
    measure: {kind: obstacle_removal, pillar: brave}
    pillars: [leader, brave]
    drivers:
      - {sv: "Bara svenska"}
  - key: one
    title: {sv: "Ett igen", en: "One again"}
    measure: {kind: exits, statement: support}
  - key: six
    measure: {kind: exits}
"""


def test_the_effect_maps_errors_are_named_by_effect_and_field(app_ctx: Flask) -> None:
    with pytest.raises(PlatformFileError) as refused:
        parse_platform(_orebro_with(BAD_EFFECTS))
    problems = "\n".join(refused.value.problems)
    for expected in (
        "effect 1 measure kind must be one of pulse_statement, exits, pillar_coverage, obstacle_removal",
        "effect 2 measure statement must be one of clear_expectations, support",
        "effect 3 measure pillar_coverage needs a 'pillar'",
        "effect 4 measure pillar 'brave' is not a key of this platform",
        "effect 4 pillars: 'brave' is not a key of this platform",
        "effect 4 driver 1 is missing 'en'",
        "effect 5 measure statement is only for pulse_statement",
        "effect 6 is missing 'title'",
    ):
        assert expected in problems, problems
    assert all(re.match(r"line \d+: ", problem) for problem in refused.value.problems)


def test_a_platform_file_without_an_effect_map_seeds_none(app_ctx: Flask) -> None:
    doc = parse_platform(DEFAULT_PLATFORM.read_text(encoding="utf-8").split("\n# The effect map")[0])
    assert doc.effect_map == []
    load_platform(doc)
    assert effects_on_map() == []


def test_orebro_ships_the_effects_the_seed_names(orebro: Flask) -> None:
    effects = effects_on_map()
    assert [e.seed_key for e in effects] == [
        "clear_expectations",
        "support",
        "learning_organisation",
        "goal_attainment",
    ]
    clear, support, learning, goals = effects
    assert (clear.measure_kind, clear.measure_statement) == (
        MeasureKind.PULSE_STATEMENT,
        "clear_expectations",
    )
    assert (support.measure_kind, support.measure_statement) == (MeasureKind.PULSE_STATEMENT, "support")
    assert learning.measure_kind is MeasureKind.PILLAR_COVERAGE and learning.measure_pillar == _pillar(
        "developer"
    )
    assert "leader.role_model" in [e.key for e in learning.expectations]
    assert any("förebilder" in d.text_sv and "role models" in d.text_en for d in learning.drivers)
    assert goals.measure_kind is MeasureKind.OBSTACLE_REMOVAL
    assert all(e.title_sv and e.title_en and e.drivers for e in effects)


def test_a_reload_keeps_hrs_edits_and_follows_the_file_elsewhere(orebro: Flask) -> None:
    support, learning = _effect("support"), _effect("learning_organisation")
    change_effect(
        support,
        EffectValues(
            title_sv="Vårt eget stöd",
            measure_kind=MeasureKind.PULSE_STATEMENT,
            measure_statement="support",
            pillar_ids=[_pillar("secure").id],
        ),
    )
    first, second = learning.drivers
    edit_item(first, "Mentorskap, med HR:s ord")
    set_item_retired(second, True)
    assert seed_effect_map(parse_platform(DEFAULT_PLATFORM.read_bytes())) == 0
    changed = (
        DEFAULT_PLATFORM.read_text(encoding="utf-8")
        .replace("Ökad måluppfyllelse för verksamheterna", "Högre måluppfyllelse")
        .replace("Cheferna upplever att de får det stöd", "Cheferna får det stöd")
    )
    assert seed_effect_map(parse_platform(changed)) == 1
    db.session.expire_all()
    assert _effect("goal_attainment").title_sv == "Högre måluppfyllelse"
    assert _effect("support").title_sv == "Vårt eget stöd"
    drivers = _effect("learning_organisation").drivers
    assert drivers[0].text_sv == "Mentorskap, med HR:s ord"
    assert drivers[1].is_retired
    assert db.session.scalar(select(func.count()).select_from(Effect)) == 4


# -- HR's changes -----------------------------------------------------------------------------------------


def _count(model: type[Any]) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title_sv": "  ", "measure_kind": MeasureKind.EXITS}, "title_sv"),
        ({"title_sv": "x" * 201, "measure_kind": MeasureKind.EXITS}, "title_sv"),
        ({"title_sv": "Täckning", "measure_kind": MeasureKind.PILLAR_COVERAGE}, "measure_pillar"),
        (
            {"title_sv": "Puls", "measure_kind": MeasureKind.PULSE_STATEMENT, "measure_statement": "joy"},
            "measure_statement",
        ),
        ({"title_sv": "Taggar", "measure_kind": MeasureKind.EXITS, "pillar_ids": [2_000_000]}, "pillars"),
    ],
)
def test_bad_effects_are_refused_by_field_and_change_nothing(
    orebro: Flask, values: dict[str, Any], field: str
) -> None:
    before = _count(Effect)
    with pytest.raises(EffectMapError) as refused:
        add_effect(EffectValues(**values))
    assert refused.value.field == field
    assert _count(Effect) == before


def test_hr_keeps_drivers_and_obstacles_and_reorders_effects(orebro: Flask) -> None:
    effect = _effect("goal_attainment")
    with pytest.raises(EffectMapError) as refused:
        add_driver(effect, "   ")
    assert refused.value.field == "text_sv"
    driver = add_driver(effect, "Tydliga mål", "Clear goals")
    assert effect.drivers[-1] is driver
    with pytest.raises(EffectMapError):
        link_obstacle(effect, None)
    hr = make_user(Role.HR)
    obstacle = report_obstacle(
        reporter=None,
        unit=make_unit(),
        title="Långsamma beslut",
        description="",
        severity=ObstacleSeverity.HIGH,
        shared=False,
        pillar_ids=[_pillar("secure").id],
        expectation_ids=[],
        actor=hr,
    )
    link = link_obstacle(effect, obstacle)
    with pytest.raises(EffectMapError) as twice:
        link_obstacle(effect, obstacle)
    assert twice.value.field == "obstacle"
    with pytest.raises(EffectMapError):
        edit_item(link, "Ett linkat hinder ändras i loggen")
    set_item_retired(link, True)
    assert link_obstacle(effect, obstacle) is link and not link.is_retired
    described = add_described_obstacle(effect, "Otydliga mål")
    assert described.text_en == "" and not described.is_linked
    assert move_effect(effect, -1)
    assert [e.seed_key for e in effects_on_map()][2:] == ["goal_attainment", "learning_organisation"]
    assert not move_effect(effects_on_map()[0], -1)


def test_hrs_changes_are_audited(orebro: Flask) -> None:
    effect = _effect("support")
    add_driver(effect, "Chefsstöd")
    db.session.flush()
    kinds = set(db.session.scalars(select(AuditEvent.object_type)))
    assert {"effect", "effect_driver", "effect_obstacle"} <= kinds


# -- the pages ----------------------------------------------------------------------------------------------


def _login(client: FlaskClient, email: str) -> None:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": email,
            "password": "correct horse battery",
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302


def test_the_map_shows_the_measure_and_the_activities_per_period(data: Data, app: Flask) -> None:
    hr = make_user(Role.HR, email="hr.karta@test.example")
    db.session.flush()
    client = app.test_client()
    _login(client, hr.email)
    page = client.get("/effect-map?period=4q&lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    learning = _effect("learning_organisation")
    section = html.split(f'id="effect-{learning.id}"')[1].split("</section>")[0]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">([^<]+)</th>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>", section)
    # Coverage of the developer pillar; activities feeding it build developer or leader (m3's in Q3 too).
    assert rows == [
        ("2026 Q1", "50 %", "1"),
        ("2026 Q2", "0 %", "0"),
        ("2026 Q3", "66.7 %", "3"),
        ("2026 Q4", "0 %", "0"),
    ]
    assert 'role="img"' in section
    clear = _effect("clear_expectations")
    assert "No data yet for this measure." in html.split(f'id="effect-{clear.id}"')[1].split("</section>")[0]
    unit_page = client.get(f"/effect-map?period=4q&unit={data.a.id}&lang=en").get_data(as_text=True)
    assert "Figures for Förvaltning A and the units below it." in unit_page
    download = client.get("/effect-map.csv?period=4q&lang=en")
    assert download.status_code == 200
    rows_csv = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    learning_rows = [row for row in rows_csv if row[0] == learning.title_en]
    assert [(row[2], row[5], row[6]) for row in learning_rows] == [
        ("2026 Q1", "50", "1"),
        ("2026 Q2", "0", "0"),
        ("2026 Q3", "66.7", "3"),
        ("2026 Q4", "0", "0"),
    ]
    assert [row[5] for row in rows_csv if row[0] == clear.title_en] == ["No data yet"] * 4


def test_a_manager_reads_the_map_without_the_obstacles_they_may_not_read(orebro: Flask, app: Flask) -> None:
    unit = make_unit("Kartenheten")
    reader = make_manager("Rut Läsare", with_account=True, org_unit=unit)
    other = make_manager("Olle Annan", with_account=True, org_unit=unit)
    hr = make_user(Role.HR)

    def reported(title: str, shared: bool) -> Obstacle:
        return report_obstacle(
            reporter=other,
            unit=unit,
            title=title,
            description="",
            severity=ObstacleSeverity.LOW,
            shared=shared,
            pillar_ids=[_pillar("secure").id],
            expectation_ids=[],
            actor=hr,
        )

    effect = _effect("goal_attainment")
    link_obstacle(effect, reported("Delat kartinder", True))
    link_obstacle(effect, reported("Privat kartinder", False))
    db.session.flush()
    assert reader.user is not None
    client = app.test_client()
    _login(client, reader.user.email)
    html = client.get("/effect-map?lang=en").get_data(as_text=True)
    assert "Delat kartinder" in html and "(Reported)" in html
    assert "Privat kartinder" not in html
    assert "1 more obstacle of the log that you cannot read." in html
    assert "Add an effect" not in html
    # The unit filter is HR's: a manager's request for one shows the whole organisation.
    assert "Figures for" not in client.get(f"/effect-map?unit={unit.id}&lang=en").get_data(as_text=True)
    assert client.get(f"/effect-map/effects/{effect.id}").status_code == 404
    nobody = make_user(Role.MANAGER, email="ingen.chef@test.example")
    db.session.flush()
    stranger = app.test_client()
    _login(stranger, nobody.email)
    assert stranger.get("/effect-map").status_code == 404


def test_bad_input_on_the_pages_is_refused_with_field_errors(orebro: Flask, app: Flask) -> None:
    hr = make_user(Role.HR, email="hr.fel@test.example")
    db.session.flush()
    client = app.test_client()
    _login(client, hr.email)
    effects, drivers = _count(Effect), _count(EffectDriver)
    form = client.get("/effect-map/effects/new?lang=en")
    token = csrf_token_from(form.get_data(as_text=True))
    refused = client.post(
        "/effect-map/effects/new?lang=en",
        data={
            "csrf_token": token,
            "title_sv": "Täckning",
            "measure_kind": "pillar_coverage",
            "measure_pillar": "",
        },
    )
    assert refused.status_code == 422
    assert "Choose the pillar whose coverage is measured." in refused.get_data(as_text=True)
    effect = _effect("support")
    page = client.get(f"/effect-map/effects/{effect.id}?lang=en")
    token = csrf_token_from(page.get_data(as_text=True))
    blank = client.post(
        f"/effect-map/effects/{effect.id}/drivers?lang=en", data={"csrf_token": token, "driver-text_sv": " "}
    )
    assert blank.status_code == 422 and "Write it in Swedish." in blank.get_data(as_text=True)
    unknown = client.post(
        f"/effect-map/effects/{effect.id}/obstacles?lang=en",
        data={"csrf_token": token, "obstacle-obstacle": "2000000000"},
    )
    assert unknown.status_code == 422
    assert "There is no obstacle with this number in the log." in unknown.get_data(as_text=True)
    assert (_count(Effect), _count(EffectDriver)) == (effects, drivers)
    added = client.post(
        "/effect-map/effects/new",
        data={
            "csrf_token": token,
            "title_sv": "Fler chefer stannar",
            "measure_kind": "pillar_coverage",
            "measure_pillar": str(_pillar("leader").id),
            "pillars": [str(_pillar("leader").id)],
        },
    )
    assert added.status_code == 302
    assert _count(Effect) == effects + 1


# -- another platform ------------------------------------------------------------------------------------


def test_nordby_has_its_own_smaller_map(app_ctx: Flask, app: Flask) -> None:
    load_platform(parse_platform(NORDBY.read_bytes()))
    effects = effects_on_map()
    assert [
        (e.seed_key, e.measure_kind, e.measure_pillar.key if e.measure_pillar else None) for e in effects
    ] == [("modiga_chefer", MeasureKind.PILLAR_COVERAGE, "modig")]
    hr = make_user(Role.HR, email="hr.nordby@test.example")
    db.session.flush()
    client = app.test_client()
    _login(client, hr.email)
    html = client.get("/effect-map").get_data(as_text=True)
    assert "Chefer som vågar pröva nytt" in html and "Nordbys chefsnätverk" in html
    assert "förebilder" not in html


def test_nordby_without_a_map_shows_an_empty_one(app_ctx: Flask, app: Flask) -> None:
    load_platform(parse_platform(NORDBY.read_text(encoding="utf-8").split("\neffect_map:")[0]))
    assert effects_on_map() == []
    hr = make_user(Role.HR, email="hr.tom@test.example")
    db.session.flush()
    client = app.test_client()
    _login(client, hr.email)
    assert "The effect map has no effects yet." in client.get("/effect-map?lang=en").get_data(as_text=True)
