"""Management-group workshops: the discussion guide, planning a unit's group, the outcome per pillar
(group goals on every member's plan, obstacles in the log linked to the workshop), the pages, and the
GDPR and audit rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ActivityKind
from lifecycle.enums import Language
from lifecycle.enums import ObstacleSeverity
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.enums import WorkshopStatus
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import Manager
from lifecycle.models import Obstacle
from lifecycle.models import OrgUnit
from lifecycle.models import Pillar
from lifecycle.models import User
from lifecycle.models.workshops import Workshop
from lifecycle.models.workshops import WorkshopQuestion
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.services.workshops import GoalDraft
from lifecycle.services.workshops import ObstacleDraft
from lifecycle.services.workshops import PillarOutcome
from lifecycle.services.workshops import WorkshopError
from lifecycle.services.workshops import WorkshopValues
from lifecycle.services.workshops import add_participant
from lifecycle.services.workshops import cancel_workshop
from lifecycle.services.workshops import change_workshop
from lifecycle.services.workshops import plan_workshop
from lifecycle.services.workshops import record_outcome
from lifecycle.services.workshops import remove_participant
from lifecycle.services.workshops import set_goal_done
from lifecycle.services.workshops.guide import add_question
from lifecycle.services.workshops.guide import edit_question
from lifecycle.services.workshops.guide import guide_for
from lifecycle.services.workshops.guide import move_question
from lifecycle.services.workshops.guide import seed_workshop_questions
from lifecycle.services.workshops.guide import set_question_retired
from lifecycle.services.workshops.queries import group_goals_of
from lifecycle.timeutil import STOCKHOLM
from lifecycle.timeutil import local_today
from tests.conftest import csrf_token_from
from tests.conftest import post_form
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def orebro(app_ctx: Flask) -> Flask:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    return app_ctx


def _pillar(key: str) -> Pillar:
    found = db.session.scalar(select(Pillar).where(Pillar.key == key))
    assert found is not None
    return found


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=STOCKHOLM)


def _group(unit_name: str = "Ledningsgruppen") -> tuple[OrgUnit, list, User]:
    unit = make_unit(unit_name)
    first = make_manager("Anna Ledare", with_account=True, org_unit=unit)
    second = make_manager("Bo Ledare", with_account=True, org_unit=unit)
    make_manager("Cilla Kandidat", Stage.RECRUIT, org_unit=unit)  # not in post: not in the group
    return unit, [first, second], make_user(Role.HR, name="Hedda HR")


def _plan(unit: OrgUnit, hr: User, day: date, *pillars: str) -> Workshop:
    return plan_workshop(
        unit,
        WorkshopValues(
            title="Ledningsgruppens workshop",
            held_at=_at(day),
            facilitator=hr,
            pillar_ids=[_pillar(key).id for key in pillars or ("leader",)],
        ),
        hr,
    )


# -- the discussion guide --


def test_orebro_seeds_at_least_four_questions_per_pillar_in_both_languages(orebro: Flask) -> None:
    pillars = [_pillar(key) for key in ("secure", "developer", "leader")]
    for language in Language:
        guide = guide_for([p.id for p in pillars], language)
        assert all(len(guide[p.id]) >= 4 for p in pillars), language


def test_a_reload_keeps_hrs_edits_and_retirements(orebro: Flask) -> None:
    leader = _pillar("leader")
    first, second, *_rest = guide_for([leader.id], Language.SV)[leader.id]
    edit_question(first, "Vår egen fråga om ledarskap?")
    set_question_retired(second, True)
    doc = parse_platform(DEFAULT_PLATFORM.read_bytes())
    assert seed_workshop_questions(doc) == 0
    texts = [q.text for q in guide_for([leader.id], Language.SV)[leader.id]]
    assert texts[0] == "Vår egen fråga om ledarskap?"
    assert second.text not in texts


def test_hr_adds_and_reorders_questions_and_a_blank_one_is_refused(orebro: Flask) -> None:
    secure = _pillar("secure")
    added = add_question(secure, Language.EN, "  What would we stop doing?  ")
    assert added.text == "What would we stop doing?"
    assert guide_for([secure.id], Language.EN)[secure.id][-1] == added
    assert move_question(added, -1)
    assert guide_for([secure.id], Language.EN)[secure.id][-2] == added
    assert not move_question(guide_for([secure.id], Language.EN)[secure.id][0], -1)
    with pytest.raises(WorkshopError) as refused:
        add_question(secure, Language.SV, "   ")
    assert refused.value.field == "text"


# -- planning --


def test_planning_snapshots_the_units_managers_in_post_each_with_an_activity(orebro: Flask) -> None:
    unit, managers, hr = _group()
    # The management team also holds the heads of the units directly below, not those further down.
    department = make_unit("Avdelning Norr", parent=unit)
    managers.append(make_manager("Elin Avdelningschef", with_account=True, org_unit=department))
    make_manager("Fredrik Enhetschef", org_unit=make_unit("Enhet Norr 1", parent=department))
    workshop = _plan(unit, hr, local_today() + timedelta(days=7), "leader", "secure")
    assert sorted(p.manager_id for p in workshop.participants) == sorted(m.id for m in managers)
    activities = list(db.session.scalars(select(Activity).where(Activity.workshop_id == workshop.id)))
    assert len(activities) == 3
    assert {a.kind for a in activities} == {ActivityKind.WORKSHOP}
    assert all([p.key for p in a.pillars] == ["secure", "leader"] for a in activities)
    assert {a.participants[0].id for a in activities} == {m.id for m in managers}
    # A manager who joins the unit later is not in the group until HR adds them.
    late = make_manager("Dan Sen", org_unit=unit)
    assert late.id not in {p.manager_id for p in workshop.participants}
    add_participant(workshop, late, hr)
    remove_participant(workshop, managers[0].id, hr)
    db.session.flush()
    current = {
        a.participants[0].id: a
        for a in db.session.scalars(select(Activity).where(Activity.workshop_id == workshop.id))
    }
    assert current[late.id].cancelled_at is None
    assert current[managers[0].id].cancelled_at is not None


def test_a_workshop_without_pillars_or_managers_is_refused(orebro: Flask) -> None:
    unit, _managers, hr = _group()
    with pytest.raises(WorkshopError) as refused:
        plan_workshop(unit, WorkshopValues("W", _at(local_today()), hr, []), hr)
    assert refused.value.field == "pillars"
    with pytest.raises(WorkshopError) as refused:
        plan_workshop(
            make_unit("Tom enhet"), WorkshopValues("W", _at(local_today()), hr, [_pillar("leader").id]), hr
        )
    assert refused.value.field == "unit"


# -- the outcome --


def test_the_outcome_makes_group_goals_on_every_members_plan_and_obstacles_in_the_log(orebro: Flask) -> None:
    unit, (anna, bo), hr = _group()
    today = local_today()
    workshop = _plan(unit, hr, today - timedelta(days=1), "leader")
    leader = _pillar("leader")
    recorded = record_outcome(
        workshop,
        [
            PillarOutcome(
                leader.id,
                notes="Vi pratade om feedback.",
                goals=[GoalDraft("Feedback varje vecka", anna.id, today + timedelta(days=30))],
                obstacles=[ObstacleDraft("För stora personalgrupper", ObstacleSeverity.HIGH, shared=True)],
            )
        ],
        hr,
        today,
    )
    assert workshop.status is WorkshopStatus.HELD
    (goal,) = recorded.goals
    assert goal.owner == anna and [p.key for p in goal.pillars] == ["leader"]
    assert group_goals_of(anna) == [goal] == group_goals_of(bo)
    (obstacle,) = recorded.obstacles
    stored = db.session.get(Obstacle, obstacle.id)
    assert stored is not None and stored.workshop_id == workshop.id and stored.unit_id == unit.id
    assert stored.reporter_id is None and [p.key for p in stored.pillars] == ["leader"]
    activities = db.session.scalars(select(Activity).where(Activity.workshop_id == workshop.id))
    assert {a.completed_on for a in activities} == {today - timedelta(days=1)}
    set_goal_done(goal, True)
    assert goal.is_done


def test_a_wrong_outcome_names_its_field_and_records_nothing(orebro: Flask) -> None:
    unit, (anna, _bo), hr = _group()
    today = local_today()
    workshop = _plan(unit, hr, today, "leader")
    leader = _pillar("leader")
    stranger = make_manager("Utan Grupp", org_unit=make_unit("Annan"))
    cases = {
        "leader-goals-0-owner": GoalDraft("Mål", stranger.id, today + timedelta(days=3)),
        "leader-goals-0-follow_up_on": GoalDraft("Mål", anna.id, today),
        "leader-goals-0-text": GoalDraft("  ", anna.id, today + timedelta(days=3)),
    }
    for field, draft in cases.items():
        with pytest.raises(WorkshopError) as refused:
            record_outcome(workshop, [PillarOutcome(leader.id, goals=[draft])], hr, today)
        assert refused.value.field == field
    with pytest.raises(WorkshopError) as refused:
        record_outcome(
            workshop,
            [PillarOutcome(leader.id, obstacles=[ObstacleDraft("", ObstacleSeverity.LOW, False)])],
            hr,
            today,
        )
    assert refused.value.field == "leader-obstacles-0-title"
    with pytest.raises(WorkshopError) as refused:
        record_outcome(workshop, [PillarOutcome(_pillar("secure").id)], hr, today)
    assert refused.value.field == "pillars"
    future = _plan(unit, hr, today + timedelta(days=2))
    with pytest.raises(WorkshopError) as refused:
        record_outcome(future, [PillarOutcome(leader.id)], hr, today)
    assert refused.value.field == "status"
    cancel_workshop(future, hr)
    assert future.status is WorkshopStatus.CANCELLED
    assert db.session.scalar(select(WorkshopQuestion).limit(1)) is not None


# -- the pages --


def _planned_and_held(unit: OrgUnit, hr: User) -> tuple[Workshop, Workshop]:
    """A workshop two weeks ahead and one held yesterday, both of the unit's group, committed."""
    today = local_today()
    planned = _plan(unit, hr, today + timedelta(days=14), "leader")
    held = _plan(unit, hr, today - timedelta(days=1), "leader")
    record_outcome(held, [PillarOutcome(_pillar("leader").id, notes="Anteckning")], hr, today)
    db.session.commit()
    return planned, held


def _held_workshop_as_hr(login: Callable[..., Any]) -> tuple[Workshop, Manager]:
    """A workshop of the group held yesterday (committed) and its participant Anna, with HR signed in."""
    unit, (anna, _bo), hr = _group()
    workshop = _plan(unit, hr, local_today() - timedelta(days=1), "leader")
    db.session.commit()
    login(hr.email)
    return workshop, anna


def test_a_blank_or_unknown_obstacle_severity_is_a_field_error_and_records_nothing(
    orebro: Flask, client: FlaskClient, login: Callable[..., Any]
) -> None:
    workshop, anna = _held_workshop_as_hr(login)
    url = f"/workshops/{workshop.id}/outcome/leader"
    for blank in ("", "   ", "urgent"):
        response = post_form(
            client,
            url,
            {
                "notes": "Anteckningar som inte sparas",
                "goals-0-text": "Ett mål som inte sparas",
                "goals-0-owner": str(anna.id),
                "goals-0-follow_up_on": (local_today() + timedelta(days=30)).isoformat(),
                "obstacles-0-title": "Ett hinder utan allvarlighetsgrad",
                "obstacles-0-severity": blank,
            },
        )
        assert response.status_code == 422, (blank, response.status_code)
        page = response.get_data(as_text=True)
        assert 'id="obstacles-0-severity-error"' in page, blank
        db.session.expire_all()
        assert workshop.status is WorkshopStatus.PLANNED
        assert not workshop.goals and not workshop.outcomes
        assert db.session.scalar(select(Obstacle).where(Obstacle.workshop_id == workshop.id)) is None
    # A row left empty is skipped, whatever its severity says.
    skipped = post_form(client, url, {"notes": "Bara anteckningar", "obstacles-0-severity": ""})
    assert skipped.status_code == 302
    db.session.expire_all()
    assert workshop.status is WorkshopStatus.HELD


def test_adding_a_participant_to_a_held_workshop_says_why_and_changes_nothing(
    orebro: Flask, client: FlaskClient, login: Callable[..., Any]
) -> None:
    unit, managers, hr = _group()
    _planned, held = _planned_and_held(unit, hr)
    late = make_manager("Dan Sen", org_unit=unit)
    db.session.commit()
    login(hr.email)
    response = post_form(
        client, f"/workshops/{held.id}/participants", {"employee_number": late.employee_number}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/workshops/{held.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bara en planerad workshop kan ändras." in page
    db.session.expire_all()
    assert sorted(p.manager_id for p in held.participants) == sorted(m.id for m in managers)


def test_each_reorder_button_of_the_guide_names_its_own_question(
    orebro: Flask, client: FlaskClient, login: Callable[..., Any]
) -> None:
    hr = make_user(Role.HR)
    leader = _pillar("leader")
    count = len(guide_for([leader.id], Language.SV)[leader.id])
    assert count >= 3
    db.session.commit()
    login(hr.email)
    page = client.get("/workshops/guide/leader?lang=sv").get_data(as_text=True)
    swedish = page.split('id="guide-sv"')[1].split('id="guide-en"')[0]
    labels = re.findall(r'aria-label="((?:Upp|Ned): fråga \d+)"', swedish)
    expected = [
        f"{direction}: fråga {number}" for number in range(1, count + 1) for direction in ("Upp", "Ned")
    ]
    assert labels == expected


def test_planning_with_ids_beyond_the_database_is_a_field_error(
    orebro: Flask, client: FlaskClient, login: Callable[..., Any]
) -> None:
    unit, _managers, hr = _group()
    db.session.commit()
    login(hr.email)
    huge = "99999999999999999999999"
    fields = {
        "title": "Ledningsgruppens workshop",
        "held_on": (local_today() + timedelta(days=7)).isoformat(),
        "held_time": "09:00",
        "pillars": huge,
    }
    for unit_id, field in ((str(unit.id), "pillars"), (huge, "unit")):
        response = post_form(client, "/workshops/new", {**fields, "unit": unit_id})
        assert response.status_code == 422, (field, response.status_code)
        assert f'id="{field}-error"' in response.get_data(as_text=True), field
    assert db.session.scalar(select(Workshop).limit(1)) is None


# -- what the service refuses, and what it keeps --


def test_a_held_or_cancelled_workshop_no_longer_changes(orebro: Flask) -> None:
    unit, (anna, bo), hr = _group()
    planned, held = _planned_and_held(unit, hr)
    values = WorkshopValues("Ny titel", _at(local_today() + timedelta(days=3)), hr, [_pillar("leader").id])
    late = make_manager("Dan Sen", org_unit=unit)
    for refuse in (
        lambda: change_workshop(held, values, hr),
        lambda: add_participant(held, late, hr),
        lambda: remove_participant(held, anna.id, hr),
        lambda: cancel_workshop(held, hr),
    ):
        with pytest.raises(WorkshopError) as refused:
            refuse()
        assert refused.value.field == "status"
    assert held.title == "Ledningsgruppens workshop" and len(held.participants) == 2
    cancel_workshop(planned, hr)
    with pytest.raises(WorkshopError) as refused:
        record_outcome(planned, [PillarOutcome(_pillar("leader").id)], hr, local_today() + timedelta(days=30))
    assert refused.value.field == "status"
    activities = db.session.scalars(select(Activity).where(Activity.workshop_id == planned.id)).all()
    assert {a.participants[0].id for a in activities} == {anna.id, bo.id}
    assert all(a.cancelled_at is not None for a in activities)


def test_the_group_takes_managers_in_post_and_keeps_one(orebro: Flask) -> None:
    unit, (anna, bo), hr = _group()
    workshop = _plan(unit, hr, local_today() + timedelta(days=7))
    candidate = make_manager("Kim Kandidat", Stage.RECRUIT, org_unit=unit)
    with pytest.raises(WorkshopError) as refused:
        add_participant(workshop, candidate, hr)
    assert refused.value.field == "manager"
    add_participant(workshop, anna, hr)  # already in it: nothing changes
    remove_participant(workshop, candidate.id, hr)  # not in it: nothing changes
    assert sorted(p.manager_id for p in workshop.participants) == sorted([anna.id, bo.id])
    remove_participant(workshop, bo.id, hr)
    with pytest.raises(WorkshopError) as refused:
        remove_participant(workshop, anna.id, hr)
    assert refused.value.field == "manager"
    assert [p.manager_id for p in workshop.participants] == [anna.id]


def test_planning_refuses_a_long_title_and_expectations_of_pillars_not_discussed(orebro: Flask) -> None:
    unit, _managers, hr = _group()
    leader, secure = _pillar("leader"), _pillar("secure")
    when = _at(local_today() + timedelta(days=7))
    cases = {
        "title": WorkshopValues("x" * 201, when, hr, [leader.id]),
        "held_on": WorkshopValues("W", when.replace(tzinfo=None), hr, [leader.id]),
        "pillars": WorkshopValues("W", when, hr, [leader.id, 2_000_000_000]),
        "expectations": WorkshopValues("W", when, hr, [leader.id], [secure.expectations[0].id]),
    }
    for field, values in cases.items():
        with pytest.raises(WorkshopError) as refused:
            plan_workshop(unit, values, hr)
        assert refused.value.field == field
    assert db.session.scalar(select(Workshop).limit(1)) is None
    workshop = plan_workshop(
        unit, WorkshopValues("W", when, hr, [leader.id], [leader.expectations[0].id]), hr
    )
    assert [e.key for e in workshop.expectations] == [leader.expectations[0].key]


def test_an_outcome_recorded_again_keeps_notes_left_empty_and_adds_its_goals(orebro: Flask) -> None:
    unit, (anna, bo), hr = _group()
    today = local_today()
    workshop = _plan(unit, hr, today - timedelta(days=1), "leader", "secure")
    leader, secure = _pillar("leader"), _pillar("secure")
    record_outcome(workshop, [PillarOutcome(leader.id, notes="Först")], hr, today)
    follow_up = today + timedelta(days=14)
    record_outcome(
        workshop,
        [
            PillarOutcome(leader.id, notes="", goals=[GoalDraft("Mål", bo.id, follow_up)]),
            PillarOutcome(secure.id, notes="Om budgeten"),
        ],
        hr,
        today,
    )
    assert {o.pillar_id: o.notes for o in workshop.outcomes} == {leader.id: "Först", secure.id: "Om budgeten"}
    record_outcome(workshop, [PillarOutcome(leader.id, notes="Sedan")], hr, today)
    assert {o.pillar_id: o.notes for o in workshop.outcomes}[leader.id] == "Sedan"
    assert [g.owner for g in workshop.goals] == [bo]
    for outcomes, field in (
        ([PillarOutcome(leader.id), PillarOutcome(leader.id)], "pillars"),
        ([], "pillars"),
        ([PillarOutcome(leader.id, notes="x" * 4001)], "leader-notes"),
        ([PillarOutcome(leader.id, goals=[GoalDraft("Mål", anna.id, follow_up)] * 21)], "leader-goals"),
        (
            [
                PillarOutcome(
                    leader.id, goals=[GoalDraft("Mål", anna.id, follow_up, [secure.expectations[0].id])]
                )
            ],
            "leader-goals-0-expectations",
        ),
    ):
        with pytest.raises(WorkshopError) as refused:
            record_outcome(workshop, outcomes, hr, today)
        assert refused.value.field == field
    set_goal_done(workshop.goals[0], True)
    set_goal_done(workshop.goals[0], False)
    assert not workshop.goals[0].is_done


def test_the_guide_restores_at_the_end_moves_down_and_follows_the_file_where_hr_did_not_touch_it(
    orebro: Flask,
) -> None:
    secure = _pillar("secure")
    first, second, third, *_rest = guide_for([secure.id], Language.SV)[secure.id]
    set_question_retired(first, True)
    assert not move_question(first, 1), "a retired question has no place to move from"
    set_question_retired(first, False)
    assert guide_for([secure.id], Language.SV)[secure.id][-1] == first
    assert move_question(second, 1)
    assert guide_for([secure.id], Language.SV)[secure.id][:2] == [third, second]
    assert not move_question(second, 2)
    # The file's new words reach a question HR left alone, not one HR edited.
    edit_question(third, "HR:s egen formulering?")
    text = DEFAULT_PLATFORM.read_text(encoding="utf-8")
    changed = text.replace(second.text, "Filens nya ord?").replace(_seeded_text(3), "Filens andra ord?")
    assert seed_workshop_questions(parse_platform(changed.encode())) == 1
    assert second.text == "Filens nya ord?" and third.text == "HR:s egen formulering?"
    with pytest.raises(WorkshopError) as refused:
        edit_question(second, " ")
    assert refused.value.field == "text"


def _seeded_text(number: int) -> str:
    """The Swedish words of the platform file's question `number` of the secure pillar."""
    doc = parse_platform(DEFAULT_PLATFORM.read_bytes())
    (secure,) = [p for p in doc.pillars if p.key == "secure"]
    return secure.workshop_questions["sv"][number - 1]


# -- more of the pages --


def test_an_outcome_error_is_shown_at_the_row_that_was_filled_in(
    orebro: Flask, client: FlaskClient, login: Callable[..., Any]
) -> None:
    workshop, anna = _held_workshop_as_hr(login)
    later = (local_today() + timedelta(days=30)).isoformat()
    url = f"/workshops/{workshop.id}/outcome/leader"
    fields = {  # as a browser sends it: the first row left empty, the second without an owner
        "goals-0-text": "",
        "goals-0-owner": "",
        "goals-0-follow_up_on": "",
        "goals-1-text": "Feedback varje vecka",
        "goals-1-owner": "",
        "goals-1-follow_up_on": later,
        "goals-2-text": "Ett mål till",
        "goals-2-owner": str(anna.id),
        "goals-2-follow_up_on": later,
    }
    response = post_form(client, url, fields)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="goals-1-owner-error"' in page and "Välj en ansvarig bland deltagarna." in page
    assert 'id="goals-0-owner-error"' not in page and 'href="#goals-1-owner"' in page
    # An owner the form never offered (another manager's id) is refused in words, at the same field.
    stranger = make_manager("Utan Grupp", org_unit=make_unit("Annan"))
    db.session.commit()
    response = post_form(client, url, {**fields, "goals-1-owner": str(stranger.id)})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Välj en ansvarig bland deltagarna." in page
    assert 'id="goals-1-owner-error"' in page and "Not a valid choice" not in page
    db.session.expire_all()
    assert not workshop.goals and workshop.status is WorkshopStatus.PLANNED


def test_hr_changes_a_workshop_and_an_unknown_facilitator_is_a_field_error(
    orebro: Flask, client: FlaskClient, login: Callable[..., Any]
) -> None:
    unit, _managers, hr = _group()
    workshop = _plan(unit, hr, local_today() + timedelta(days=7), "leader")
    db.session.commit()
    login(hr.email)
    url = f"/workshops/{workshop.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert 'value="Ledningsgruppens workshop"' in form and f'value="{hr.email}"' in form
    fields = {
        "title": "Ny titel",
        "held_on": (local_today() + timedelta(days=8)).isoformat(),
        "held_time": "13:30",
        "facilitator": "okand@kommun.example",
        "pillars": [str(_pillar("secure").id), str(_pillar("leader").id)],
    }
    refused = post_form(client, url, fields)
    assert refused.status_code == 422
    assert 'id="facilitator-error"' in refused.get_data(as_text=True)
    saved = post_form(client, url, {**fields, "facilitator": ""})
    assert saved.status_code == 302
    db.session.expire_all()
    assert workshop.title == "Ny titel" and workshop.facilitator is None
    assert [p.key for p in workshop.pillars] == ["secure", "leader"]
    assert _at(local_today() + timedelta(days=8), 13).replace(minute=30) == workshop.held_at


def test_hr_takes_a_participant_out_and_cancels_on_the_page(
    orebro: Flask, client: FlaskClient, login: Callable[..., Any]
) -> None:
    unit, (anna, bo), hr = _group()
    workshop = _plan(unit, hr, local_today() + timedelta(days=7), "leader")
    db.session.commit()
    login(hr.email)
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    # Each button's name begins with what it shows and names whom it takes out (WCAG 2.5.3).
    for manager in (anna, bo):
        assert f'Ta bort<span class="visually-hidden"> {manager.name}</span></button>' in page
    csrf = csrf_token_from(page)
    response = client.post(f"/workshops/{workshop.id}/participants/{bo.id}/remove", data={"csrf_token": csrf})
    assert response.status_code == 302
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert "Gruppen är sparad." in page
    assert "Ta bort<span" not in page, "the last participant cannot be taken out"
    response = client.post(
        f"/workshops/{workshop.id}/participants/{anna.id}/remove", data={"csrf_token": csrf}
    )
    assert "En workshop måste ha minst en deltagare." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    client.post(f"/workshops/{workshop.id}/cancel", data={"csrf_token": csrf})
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert "Workshoppen är inställd." in page and "Lägg till i gruppen" not in page
    db.session.expire_all()
    assert workshop.status is WorkshopStatus.CANCELLED
    assert [p.manager_id for p in workshop.participants] == [anna.id]


def test_the_owner_marks_a_group_goal_done_from_their_plan(
    orebro: Flask, client: FlaskClient, login: Callable[..., Any]
) -> None:
    unit, (anna, _bo), hr = _group()
    today = local_today()
    workshop = _plan(unit, hr, today - timedelta(days=1), "leader")
    (goal,) = record_outcome(
        workshop,
        [
            PillarOutcome(
                _pillar("leader").id, goals=[GoalDraft("Feedback", anna.id, today + timedelta(days=9))]
            )
        ],
        hr,
        today,
    ).goals
    db.session.commit()
    assert anna.user is not None
    login(anna.user.email)
    plan = client.get("/me").get_data(as_text=True)
    assert "Feedback" in plan
    url = f"/workshops/{workshop.id}/goals/{goal.id}/done"
    response = client.post(
        url, data={"csrf_token": csrf_token_from(plan), "done": "1", "plan_of": str(anna.id)}
    )
    assert response.status_code == 302 and response.headers["Location"] == f"/managers/{anna.id}/plan"
    db.session.expire_all()
    assert goal.is_done
