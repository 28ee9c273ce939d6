"""The manager profile: the timeline, moving with a form, and HR's edits recorded old → new."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lifecycle.enums import OrgUnitKind
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import ManagerChange
from lifecycle.services.managers import ChangeSet
from lifecycle.services.managers import ManagerDetailsError
from lifecycle.services.managers import update_manager
from lifecycle.services.organisation import create_unit
from tests.conftest import post_form
from tests.factories import make_manager
from tests.factories import make_user


def test_timeline_shows_moves_and_changes_newest_first(app_ctx: Flask, client: FlaskClient, login) -> None:
    hr = make_user(Role.HR, name="Hanna HR")
    person = make_manager("Tina Tidslinje", Stage.RECRUIT, entered_on=date(2025, 1, 10))
    from lifecycle.services.journey import move_to_stage

    move_to_stage(person, Stage.INTRODUCE, hr, "Anställd", date(2025, 3, 1))
    update_manager(person, ChangeSet({"title": "Rektor"}), hr)
    login(hr.email)
    page = client.get(f"/managers/{person.id}").get_data(as_text=True)
    timeline = page[page.index('class="timeline"') :]
    changed = timeline.index("Befattning ändrades från Enhetschef till Rektor")
    moved = timeline.index("Flyttad från Rekrytera till Introducera")
    started = timeline.index("Började chefsresan i Rekrytera")
    assert changed < moved < started
    assert "Anställd" in timeline and "Hanna HR" in timeline


def test_hr_edits_details_and_every_change_is_recorded(app_ctx: Flask, client: FlaskClient, login) -> None:
    hr = make_user(Role.HR, name="Hanna HR")
    unit = create_unit("Nya enheten", OrgUnitKind.UNIT)
    boss = make_manager("Ny Chef")
    person = make_manager("Eddie Edit")
    login(hr.email)
    response = post_form(
        client,
        f"/managers/{person.id}/edit",
        {
            "name": "Eddie Edit",
            "employee_number": person.employee_number,
            "email": "eddie@kommun.example",
            "title": "Områdeschef",
            "org_unit_id": unit.id,
            "line_manager_number": boss.employee_number,
            "mentor_number": "",
            "hr_partner_id": 0,
            "start_date": "2025-01-15",
            "end_date": "",
        },
    )
    assert response.status_code == 302
    changes = db.session.scalars(
        select(ManagerChange).where(ManagerChange.manager_id == person.id).order_by(ManagerChange.field)
    ).all()
    assert {(c.field, c.old_value, c.new_value, c.actor_id) for c in changes} == {
        ("email", person.email, "eddie@kommun.example", hr.id),
        ("title", "Enhetschef", "Områdeschef", hr.id),
        ("org_unit_id", None, str(unit.id), hr.id),
        ("line_manager_id", None, str(boss.id), hr.id),
    }
    page = client.get(f"/managers/{person.id}").get_data(as_text=True)
    assert "Närmaste chef ändrades från – till Ny Chef" in page
    assert "Enhet ändrades från – till Nya enheten" in page


def test_edit_errors_are_shown_next_to_the_field_and_nothing_changes(
    app_ctx: Flask, client: FlaskClient, login
) -> None:
    login(make_user(Role.HR).email)
    person = make_manager("Felix Fel")
    response = post_form(
        client,
        f"/managers/{person.id}/edit",
        {
            "name": " ",
            "email": "inte-en-adress",
            "line_manager_number": "FINNS-INTE",
            "org_unit_id": 0,
            "hr_partner_id": 0,
            "start_date": "2025-13-45",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="name-error"' in page and 'id="email-error"' in page and 'id="start_date-error"' in page
    assert db.session.scalars(select(ManagerChange).where(ManagerChange.manager_id == person.id)).all() == []


def test_a_line_manager_loop_is_refused(app_ctx: Flask) -> None:
    top = make_manager("Överst")
    middle = make_manager("Mitten", line_manager=top)
    bottom = make_manager("Nederst", line_manager=middle)
    try:
        update_manager(top, ChangeSet({"line_manager_id": bottom.id}), None)
    except ManagerDetailsError as refused:
        assert refused.field == "line_manager_id"
        assert "cirkel" in str(refused)
    else:
        raise AssertionError("a loop of line managers was accepted")
    assert top.line_manager_id is None


def test_unchanged_details_leave_no_trace(app_ctx: Flask) -> None:
    person = make_manager("Samma Samma")
    assert update_manager(person, ChangeSet({"name": " Samma Samma ", "title": "Enhetschef"}), None) == []


def test_move_form_without_csrf_is_refused(app_ctx: Flask, client: FlaskClient, login) -> None:
    login(make_user(Role.HR).email)
    person = make_manager(stage=Stage.INTRODUCE)
    response = client.post(
        f"/managers/{person.id}/move",
        data={"to_stage": "develop", "reason": "x", "effective_date": "2026-01-01"},
    )
    assert response.status_code == 400
    assert person.stage is Stage.INTRODUCE


def test_move_form_lists_only_allowed_moves_and_reports_refusals(
    app_ctx: Flask, client: FlaskClient, login
) -> None:
    login(make_user(Role.HR).email)
    person = make_manager(stage=Stage.DEVELOP, entered_on=date(2025, 1, 1))
    page = client.get(f"/managers/{person.id}/move").get_data(as_text=True)
    assert 'value="offboard"' in page and 'value="introduce"' in page and 'value="closed"' not in page
    response = post_form(
        client,
        f"/managers/{person.id}/move",
        {"to_stage": "offboard", "reason": "Slutar", "effective_date": "2025-06-01"},
    )
    assert response.status_code == 200
    assert "En flytt till avveckling kräver ett slutdatum." in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.stage is Stage.DEVELOP


def test_managers_cannot_move_or_edit_even_themselves(app_ctx: Flask, client: FlaskClient, login) -> None:
    person = make_manager(with_account=True)
    login(person.user.email)  # type: ignore[union-attr]
    assert client.get(f"/managers/{person.id}/move").status_code == 404
    assert client.get(f"/managers/{person.id}/edit").status_code == 404


def test_suggestions_only_name_people_the_user_may_see(app_ctx: Flask, client: FlaskClient, login) -> None:
    boss = make_manager("Sune Synlig", with_account=True)
    make_manager("Sune Rapport", line_manager=boss)
    make_manager("Sune Främling")
    login(boss.user.email)  # type: ignore[union-attr]
    page = client.get("/managers/suggest", query_string={"q": "sune"}).get_data(as_text=True)
    assert "Sune Rapport" in page and "Sune Synlig" in page and "Sune Främling" not in page


def test_the_change_log_cannot_be_rewritten(app_ctx: Flask) -> None:
    import pytest as _pytest

    from lifecycle.models.managers import HistoryIsAppendOnlyError

    person = make_manager("Logg Logg")
    (change,) = update_manager(person, ChangeSet({"title": "Rektor"}), None)
    with _pytest.raises(HistoryIsAppendOnlyError), db.session.begin_nested():
        change.new_value = "Något annat"
        db.session.flush()
    with _pytest.raises(HistoryIsAppendOnlyError), db.session.begin_nested():
        db.session.delete(change)
        db.session.flush()
