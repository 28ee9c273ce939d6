"""Offboarding: the checklist launched on entering offboard (dates counted back on Swedish working days,
responsible people by relation), the exit interview by pillar, closing the journey once, bad input
refused, and HR's analysis of exits against hand-computed figures."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func
from sqlalchemy import select

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ActivityKind
from lifecycle.enums import OffsetUnit
from lifecycle.enums import OrgUnitKind
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.enums import TemplatePurpose
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import ExitInterview
from lifecycle.models import ExitReason
from lifecycle.models import IntroductionTemplate
from lifecycle.models import Manager
from lifecycle.models import OffboardingChecklist
from lifecycle.models import OrgUnit
from lifecycle.models import StageTransition
from lifecycle.models import User
from lifecycle.services.introductions import default_template
from lifecycle.services.introductions import ensure_default_template
from lifecycle.services.journey import move_to_stage
from lifecycle.services.offboarding import DEFAULT_CHECKLIST_NAME
from lifecycle.services.offboarding import ExitFilter
from lifecycle.services.offboarding import ExitInterviewValues
from lifecycle.services.offboarding import OffboardingError
from lifecycle.services.offboarding import Period
from lifecycle.services.offboarding import PillarAnswer
from lifecycle.services.offboarding import add_reason
from lifecycle.services.offboarding import by_pillar
from lifecycle.services.offboarding import by_reason
from lifecycle.services.offboarding import by_unit_over_time
from lifecycle.services.offboarding import checklist_of
from lifecycle.services.offboarding import close_if_complete
from lifecycle.services.offboarding import complete_task
from lifecycle.services.offboarding import interview_pillars
from lifecycle.services.offboarding import last_working_day
from lifecycle.services.offboarding import record_exit_interview
from lifecycle.services.offboarding import set_reason_retired
from lifecycle.services.offboarding import shares
from lifecycle.services.offboarding import task_due_date
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.timeutil import local_today
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("clock")

#: Nyårsdagen 2027, a Friday: the last working day is Wednesday 30 December (nyårsafton is off)
END = date(2027, 1, 1)


@pytest.fixture
def orebro(app_ctx: Flask) -> Flask:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    return app_ctx


def _leaving(name: str = "Lena Lämnar", unit: OrgUnit | None = None, line_account: bool = True) -> Manager:
    line = make_manager(f"Chef för {name}", with_account=line_account, org_unit=unit)
    manager = make_manager(name, with_account=True, line_manager=line, org_unit=unit)
    manager.hr_partner = make_user(Role.HR, name=f"HR-partner för {name}")
    db.session.flush()
    return manager


def _offboard(manager: Manager, end: date = END, on: date = date(2026, 11, 2)) -> OffboardingChecklist:
    move_to_stage(manager, Stage.OFFBOARD, None, "Slutar", on, end_date=end)
    checklist = checklist_of(manager.id)
    assert checklist is not None
    return checklist


def _answers(*scores: int) -> dict[str, PillarAnswer]:
    keys = [p.key for p in interview_pillars()]
    assert len(keys) == len(scores)
    return {key: PillarAnswer(score, f"Om {key}") for key, score in zip(keys, scores, strict=True)}


def _values(*scores: int, reason: str = "pension", **changes: object) -> ExitInterviewValues:
    values = {
        "held_on": date(2026, 11, 3),
        "voluntary": True,
        "regrettable": True,
        "reason_code": reason,
        "answers": _answers(*scores),
        "comment": "Tack för allt",
    }
    values.update(changes)
    return ExitInterviewValues(**values)  # type: ignore[arg-type]


def _do_every_task(checklist: OffboardingChecklist, actor: User | None = None) -> None:
    for task in list(checklist.tasks):
        if task.kind is not ActivityKind.EXIT_INTERVIEW and task.completed_on is None:
            complete_task(checklist, task, actor, local_today())


# -- dates ---------------------------------------------------------------------------------------------


def test_dates_are_counted_back_from_the_last_working_day_on_swedish_working_days() -> None:
    assert last_working_day(END) == date(2026, 12, 30)
    assert last_working_day(date(2026, 12, 28)) == date(2026, 12, 28)
    last = date(2026, 12, 30)
    assert task_due_date(last, 0, OffsetUnit.DAYS) == last
    # 29, 28, then past julafton, juldagen, annandag jul and the weekend: 23, 22, 21
    assert task_due_date(last, -5, OffsetUnit.DAYS) == date(2026, 12, 21)
    assert task_due_date(last, -10, OffsetUnit.DAYS) == date(2026, 12, 14)
    assert task_due_date(last, -2, OffsetUnit.WEEKS) == date(2026, 12, 16)
    # a month before 31 March 2026 is Saturday 28 February: the Friday before
    assert task_due_date(date(2026, 3, 31), -1, OffsetUnit.MONTHS) == date(2026, 2, 27)
    # an offset after the last day is never used: a task is due by the last day
    assert task_due_date(last, 3, OffsetUnit.DAYS) == last


# -- launching ---------------------------------------------------------------------------------------


def test_entering_offboard_launches_the_checklist_with_dates_and_responsible_people(orebro: Flask) -> None:
    manager = _leaving()
    checklist = _offboard(manager)
    assert checklist.last_day == date(2026, 12, 30)
    tasks = {t.title: t for t in checklist.tasks}
    assert {title: (t.due_on, t.responsible_id, t.stage, t.kind) for title, t in tasks.items()} == {
        "Överlämning av verksamheten": (
            date(2026, 12, 14),
            manager.user_id,
            Stage.OFFBOARD,
            ActivityKind.OTHER,
        ),
        "Budgetansvar lämnas över": (
            date(2026, 12, 14),
            manager.line_manager.user_id,  # type: ignore[union-attr]
            Stage.OFFBOARD,
            ActivityKind.OTHER,
        ),
        "Personalansvar lämnas över": (
            date(2026, 12, 14),
            manager.line_manager.user_id,  # type: ignore[union-attr]
            Stage.OFFBOARD,
            ActivityKind.OTHER,
        ),
        "Avgångssamtal": (
            date(2026, 12, 21),
            manager.hr_partner_id,
            Stage.OFFBOARD,
            ActivityKind.EXIT_INTERVIEW,
        ),
        "Konton, behörigheter och utrustning": (
            date(2026, 12, 30),
            manager.hr_partner_id,
            Stage.OFFBOARD,
            ActivityKind.OTHER,
        ),
    }
    assert {p.key for p in tasks["Avgångssamtal"].pillars} == {"secure", "developer", "leader"}
    assert all(t.participants == [manager] for t in checklist.tasks)
    # the reasons are seeded; the built checklist is the offboarding default, not the introduction's
    assert db.session.scalar(select(func.count()).select_from(ExitReason)) == 8
    template = default_template(TemplatePurpose.OFFBOARDING)
    assert template is not None and template.name == DEFAULT_CHECKLIST_NAME
    ensure_default_template()
    introduction = default_template()
    assert introduction is not None and introduction.purpose is TemplatePurpose.INTRODUCTION
    # a second leaver gets the same checklist, not a second template
    _offboard(_leaving("Olle Också"))
    assert (
        db.session.scalar(
            select(func.count()).where(IntroductionTemplate.purpose == TemplatePurpose.OFFBOARDING)
        )
        == 1
    )


def test_a_responsible_person_without_an_account_is_named(orebro: Flask) -> None:
    manager = _leaving(line_account=False)
    checklist = _offboard(manager)
    budget = next(t for t in checklist.tasks if t.title == "Budgetansvar lämnas över")
    assert budget.responsible_id is None
    assert budget.responsible_note == manager.line_manager.name  # type: ignore[union-attr]


# -- the exit interview and closing ------------------------------------------------------------------


def test_completing_the_checklist_closes_the_journey_once(orebro: Flask) -> None:
    manager = _leaving()
    hr = make_user(Role.HR)
    checklist = _offboard(manager)
    _do_every_task(checklist, hr)
    assert manager.stage is Stage.OFFBOARD, "the exit interview is still to be recorded"
    interview = record_exit_interview(checklist, _values(4, 2, 5), hr, local_today())
    assert manager.stage is Stage.CLOSED
    assert checklist.completed_at is not None
    assert manager.user is not None and not manager.user.is_enabled
    task = db.session.get(Activity, interview.activity_id)
    assert (
        task is not None
        and task.kind is ActivityKind.EXIT_INTERVIEW
        and task.completed_on == date(2026, 11, 3)
    )
    assert {s.pillar.key: (s.score, s.comment) for s in interview.scores} == {
        "secure": (4, "Om secure"),
        "developer": (2, "Om developer"),
        "leader": (5, "Om leader"),
    }
    assert (interview.left_on, interview.reason.code, interview.voluntary) == (END, "pension", True)
    assert close_if_complete(checklist, hr, local_today()) is False
    closings = select(func.count()).where(
        StageTransition.manager_id == manager.id, StageTransition.to_stage == Stage.CLOSED
    )
    assert db.session.scalar(closings) == 1
    with pytest.raises(OffboardingError):
        record_exit_interview(checklist, _values(4, 2, 5), hr, local_today())


def test_the_interview_first_then_the_last_task_closes(orebro: Flask) -> None:
    manager = _leaving()
    checklist = _offboard(manager)
    record_exit_interview(checklist, _values(3, 3, 3), None, local_today())
    assert manager.stage is Stage.OFFBOARD
    tasks = [t for t in checklist.tasks if t.completed_on is None]
    for task in tasks[:-1]:
        assert complete_task(checklist, task, None, local_today()) is False
    assert complete_task(checklist, tasks[-1], None, local_today()) is True
    assert manager.stage is Stage.CLOSED


def test_the_exit_interview_task_is_done_by_recording_the_interview(orebro: Flask) -> None:
    checklist = _offboard(_leaving())
    task = next(t for t in checklist.tasks if t.kind is ActivityKind.EXIT_INTERVIEW)
    with pytest.raises(OffboardingError) as refused:
        complete_task(checklist, task, None, local_today())
    assert refused.value.field == "task"
    assert task.completed_on is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"answers": {}}, "secure-score"),
        ({"held_on": date(2026, 11, 20)}, "held_on"),
        ({"held_on": None}, "held_on"),
        ({"reason": "lottery"}, "reason"),
        ({"reason": "retired_one"}, "reason"),
        ({"comment": "x" * 4001}, "comment"),
    ],
)
def test_a_bad_interview_is_refused_with_its_field_and_nothing_changed(
    orebro: Flask, changes: dict[str, object], field: str
) -> None:
    manager = _leaving()
    checklist = _offboard(manager)
    set_reason_retired(add_reason("retired_one", "Gammal", "Old"), True)
    reason = str(changes.pop("reason", "pension"))
    values = _values(4, 4, 4, reason=reason, **changes)
    with pytest.raises(OffboardingError) as refused:
        record_exit_interview(checklist, values, None, local_today())
    assert refused.value.field == field
    assert db.session.scalar(select(func.count()).select_from(ExitInterview)) == 0
    assert all(t.completed_on is None for t in checklist.tasks)
    assert manager.stage is Stage.OFFBOARD


def test_a_score_out_of_range_and_an_unknown_pillar_are_refused(orebro: Flask) -> None:
    checklist = _offboard(_leaving())
    bad = {**_answers(4, 4, 4), "leader": PillarAnswer(6)}
    with pytest.raises(OffboardingError) as refused:
        record_exit_interview(checklist, _values(4, 4, 4, answers=bad), None, local_today())
    assert refused.value.field == "leader-score"
    unknown = {**_answers(4, 4, 4), "nordby": PillarAnswer(3)}
    with pytest.raises(OffboardingError) as refused:
        record_exit_interview(checklist, _values(4, 4, 4, answers=unknown), None, local_today())
    assert refused.value.field == "answers"


def test_a_bad_reason_is_refused_with_its_field(orebro: Flask) -> None:
    for code, sv, en, field in (
        ("Pension!", "Pension", "Pension", "code"),
        ("pension", "Dubbel", "Double", "code"),
        ("ny_kod", "", "New", "name_sv"),
        ("ny_kod", "Ny", "x" * 121, "name_en"),
    ):
        if code == "pension":
            add_reason("pension", "Pension", "Retirement")
        with pytest.raises(OffboardingError) as refused:
            add_reason(code, sv, en)
        assert refused.value.field == field


# -- the analysis ----------------------------------------------------------------------------------------


@pytest.fixture
def exits(orebro: Flask) -> dict[str, OrgUnit]:
    """Four exits with hand-picked scores (secure, developer, leader) in a förvaltning and two units."""
    admin = make_unit("Förvaltningen", kind=OrgUnitKind.ADMINISTRATION)
    u1, u2 = make_unit("Enhet ett", admin), make_unit("Enhet två", admin)
    data = [
        (u1, date(2026, 2, 13), True, True, "pension", (5, 4, 2)),
        (u1, date(2026, 5, 15), True, False, "new_job_outside", (3, 1, 4)),
        (u2, date(2026, 5, 29), False, False, "dismissal", (2, 2, 5)),
        (admin, date(2025, 11, 14), True, True, "new_job_outside", (4, 5, 3)),
    ]
    for number, (unit, end, voluntary, regrettable, reason, scores) in enumerate(data):
        manager = _leaving(f"Avgången {number}", unit)
        checklist = _offboard(manager, end, date(2025, 10, 1))
        values = _values(*scores, reason=reason, voluntary=voluntary, regrettable=regrettable)
        record_exit_interview(checklist, values, None, local_today())
    return {"admin": admin, "u1": u1, "u2": u2}


def _pillar_figures(filters: ExitFilter) -> dict[str, tuple[int, float | None, int, int]]:
    return {
        f.pillar.key: (f.answers, round(f.mean, 4) if f.mean is not None else None, f.worked, f.failed)
        for f in by_pillar(filters, interview_pillars())
    }


def test_exits_by_pillar_match_hand_computed_figures(exits: dict[str, OrgUnit]) -> None:
    assert _pillar_figures(ExitFilter()) == {
        "secure": (4, 3.5, 2, 1),
        "developer": (4, 3.0, 2, 2),
        "leader": (4, 3.5, 2, 1),
    }
    assert _pillar_figures(ExitFilter(start=date(2026, 1, 1))) == {
        "secure": (3, round(10 / 3, 4), 1, 1),
        "developer": (3, round(7 / 3, 4), 1, 2),
        "leader": (3, round(11 / 3, 4), 2, 1),
    }
    assert _pillar_figures(ExitFilter(unit=exits["u1"])) == {
        "secure": (2, 4.0, 1, 0),
        "developer": (2, 2.5, 1, 1),
        "leader": (2, 3.0, 1, 1),
    }
    assert _pillar_figures(ExitFilter(end=date(2025, 1, 1))) == {
        "secure": (0, None, 0, 0),
        "developer": (0, None, 0, 0),
        "leader": (0, None, 0, 0),
    }


def test_exits_by_reason_and_the_shares_match_hand_computed_figures(exits: dict[str, OrgUnit]) -> None:
    figures = {f.reason.code: (f.exits, f.voluntary, f.regrettable) for f in by_reason(ExitFilter())}
    assert figures["pension"] == (1, 1, 1)
    assert figures["new_job_outside"] == (2, 2, 1)
    assert figures["dismissal"] == (1, 0, 0)
    assert figures["health"] == (0, 0, 0)
    assert len(figures) == 8
    everyone = shares(ExitFilter())
    assert (everyone.exits, everyone.voluntary, everyone.regrettable) == (4, 3, 2)
    assert (everyone.voluntary_share, everyone.regrettable_share) == (0.75, 0.5)
    in_u1 = shares(ExitFilter(unit=exits["u1"], start=date(2026, 4, 1), end=date(2026, 6, 30)))
    assert (in_u1.exits, in_u1.voluntary, in_u1.regrettable) == (1, 1, 0)
    assert shares(ExitFilter(end=date(2025, 1, 1))).voluntary_share is None


def test_exits_by_unit_over_time_match_hand_computed_figures(exits: dict[str, OrgUnit]) -> None:
    admin, u1, u2 = exits["admin"], exits["u1"], exits["u2"]
    quarters = by_unit_over_time(ExitFilter(unit=admin))
    assert quarters.periods == [(2025, 4), (2026, 1), (2026, 2)]
    assert [(r.unit.id, r.is_direct, r.counts, r.total) for r in quarters.rows] == [
        (admin.id, True, {(2025, 4): 1}, 1),
        (u1.id, False, {(2026, 1): 1, (2026, 2): 1}, 2),
        (u2.id, False, {(2026, 2): 1}, 1),
    ]
    years = by_unit_over_time(ExitFilter(per=Period.YEAR))
    assert years.periods == [(2025, 0), (2026, 0)]
    assert [(r.unit.id, r.counts) for r in years.rows] == [
        (admin.id, {(2025, 0): 1}),
        (u1.id, {(2026, 0): 2}),
        (u2.id, {(2026, 0): 1}),
    ]
    recent = by_unit_over_time(ExitFilter(unit=admin, start=date(2026, 5, 1)))
    assert recent.periods == [(2026, 2)]
    assert [r.total for r in recent.rows] == [0, 1, 1]


# -- the GDPR --------------------------------------------------------------------------------------------


def test_the_exit_interview_is_exported_with_the_person_and_its_comments_blanked_on_anonymisation(
    orebro: Flask,
) -> None:
    from lifecycle.models import ExitPillarScore
    from lifecycle.services.gdpr import anonymise_person
    from lifecycle.services.gdpr import export_person

    manager = _leaving()
    checklist = _offboard(manager)
    interview = record_exit_interview(checklist, _values(4, 2, 5), None, local_today())
    exported = str(export_person(manager))
    assert "Tack för allt" in exported and "Om developer" in exported
    assert anonymise_person(manager, None)
    db.session.expire_all()
    kept = db.session.get(ExitInterview, interview.id)
    assert kept is not None and kept.comment != "Tack för allt"
    assert (kept.reason.code, kept.voluntary, kept.org_unit_id) == ("pension", True, manager.org_unit_id)
    scores = db.session.scalars(select(ExitPillarScore).where(ExitPillarScore.interview_id == interview.id))
    assert sorted((s.score, "Om" in s.comment) for s in scores) == [(2, False), (4, False), (5, False)]


def test_the_demo_has_a_half_done_checklist_and_past_exits_in_the_analysis(orebro: Flask) -> None:
    from lifecycle.services.demo import seed_demo_data

    seed_demo_data(local_today())
    checklists = db.session.scalars(select(OffboardingChecklist)).all()
    half = [
        c
        for c in checklists
        if c.manager.stage is Stage.OFFBOARD and any(t.completed_on for t in c.tasks) and c.interview is None
    ]
    assert len(half) == 1 and any(t.completed_on is None for t in half[0].tasks)
    closed = [c for c in checklists if c.manager.stage is Stage.CLOSED]
    assert closed and shares(ExitFilter()).exits == len(closed)
    assert all(f.answers == len(closed) for f in by_pillar(ExitFilter(), interview_pillars()))
    seed_demo_data(local_today())
    assert shares(ExitFilter()).exits == len(closed)
