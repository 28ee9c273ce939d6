"""The obstacle log: reporting, HR's handling with its history, who may read what, the reporter's
e-mail, HR's overview with the median time to removal, and the GDPR rules.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import true
from sqlalchemy.exc import DBAPIError

from lifecycle.append_only import HistoryIsAppendOnlyError
from lifecycle.append_only import erasure_window
from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.db import utcnow
from lifecycle.enums import Language
from lifecycle.enums import ObstacleSeverity
from lifecycle.enums import ObstacleStatus
from lifecycle.enums import OrgUnitKind
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import AuditEvent
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import Obstacle
from lifecycle.models import ObstacleEvent
from lifecycle.models import OrgUnit
from lifecycle.models import Pillar
from lifecycle.models import User
from lifecycle.policy import may_handle_obstacle
from lifecycle.policy import visible_obstacles_clause
from lifecycle.services.gdpr import anonymise_person
from lifecycle.services.gdpr import export_person
from lifecycle.services.obstacles import ObstacleChange
from lifecycle.services.obstacles import ObstacleError
from lifecycle.services.obstacles import change_obstacle
from lifecycle.services.obstacles import report_obstacle
from lifecycle.services.obstacles import resolves
from lifecycle.services.obstacles.notices import unsent_resolved_notices
from lifecycle.services.obstacles.queries import PAGE_SIZE
from lifecycle.services.obstacles.queries import ObstacleFilter
from lifecycle.services.obstacles.queries import median_days_to_removal
from lifecycle.services.obstacles.queries import obstacles_after
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.tasks import send_obstacle_resolved
from lifecycle.timeutil import local_today
from tests.conftest import Inbox
from tests.conftest import WorkerTasks
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


def _expectation(key: str = "leader.trust") -> Expectation:
    found = db.session.scalar(select(Expectation).where(Expectation.key == key))
    assert found is not None
    return found


def _pillar(key: str = "secure") -> Pillar:
    found = db.session.scalar(select(Pillar).where(Pillar.key == key))
    assert found is not None
    return found


def report(reporter: Manager | None, unit: OrgUnit | None = None, **more: Any) -> Obstacle:
    values: dict[str, Any] = {
        "title": "Ingen administrativ stöd",
        "description": "Schemaläggningen tar halva veckan.",
        "severity": ObstacleSeverity.HIGH,
        "shared": False,
        "pillar_ids": [],
        "expectation_ids": [_expectation().id],
        "actor": reporter.user if reporter else None,
    }
    values.update(more)
    chosen = unit or (reporter.org_unit if reporter else None)
    assert chosen is not None
    return report_obstacle(reporter=reporter, unit=chosen, **values)


def test_a_manager_reports_an_obstacle_with_its_first_event(orebro: Flask) -> None:
    unit = make_unit("Norra skolan")
    manager = make_manager("Rut Rektor", org_unit=unit, with_account=True)
    obstacle = report(manager, title="  Ingen administrativ stöd  ")
    assert obstacle.id is not None and obstacle.status is ObstacleStatus.REPORTED
    assert (obstacle.reporter, obstacle.unit, obstacle.title) == (manager, unit, "Ingen administrativ stöd")
    # An expectation brings its pillar.
    assert [p.key for p in obstacle.pillars] == ["leader"]
    assert [e.key for e in obstacle.expectations] == ["leader.trust"]
    assert obstacle.last_activity_at == obstacle.reported_at and obstacle.resolved_at is None
    events = list(db.session.scalars(select(ObstacleEvent).where(ObstacleEvent.obstacle_id == obstacle.id)))
    assert [(e.field, e.old_value, e.new_value, e.actor_user_id) for e in events] == [
        ("reported", None, "reported", manager.user_id)
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "x" * 4001}, "description"),
        ({"expectation_ids": [], "pillar_ids": []}, "pillars"),
        ({"expectation_ids": [987654]}, "expectations"),
        ({"expectation_ids": [], "pillar_ids": [987654]}, "pillars"),
        ({"severity": "huge"}, "severity"),
    ],
)
def test_a_refused_report_names_the_field_and_writes_nothing(
    orebro: Flask, change: dict[str, Any], field: str
) -> None:
    manager = make_manager(org_unit=make_unit())
    with pytest.raises(ObstacleError) as refused:
        report(manager, **change)
    assert refused.value.field == field
    assert db.session.scalar(select(func.count()).select_from(Obstacle)) == 0


def test_a_pillar_alone_is_enough(orebro: Flask) -> None:
    obstacle = report(make_manager(org_unit=make_unit()), pillar_ids=[_pillar().id], expectation_ids=[])
    assert [p.key for p in obstacle.pillars] == ["secure"] and obstacle.expectations == []


# -- HR's handling and its history ---------------------------------------------------------------------


def test_hr_assigns_and_moves_an_obstacle_on_with_every_change_in_its_history(orebro: Flask) -> None:
    hr = make_user(Role.HR, name="Hanna HR")
    owner = make_user(name="Olle Fastighet")
    manager = make_manager("Rut Rektor", org_unit=make_unit(), with_account=True)
    obstacle = report(manager)
    due = local_today() + timedelta(days=14)
    events = change_obstacle(
        obstacle, ObstacleChange(ObstacleStatus.BEING_HANDLED, owner, due, comment="Vi tittar på det"), hr
    )
    assert [e.field for e in events] == ["owner", "due_date", "status", "comment"]
    assert not resolves(events)
    assert (obstacle.owner, obstacle.due_date, obstacle.status) == (owner, due, ObstacleStatus.BEING_HANDLED)
    # The same values again change nothing and write nothing.
    assert change_obstacle(obstacle, ObstacleChange(ObstacleStatus.BEING_HANDLED, owner, due), hr) == []
    events = change_obstacle(
        obstacle,
        ObstacleChange(ObstacleStatus.REMOVED, owner, due, explanation="Ny assistent anställd"),
        owner,
    )
    assert resolves(events) and obstacle.resolved_at is not None
    history = [
        (e.field, e.old_value, e.new_value)
        for e in db.session.scalars(
            select(ObstacleEvent).where(ObstacleEvent.obstacle_id == obstacle.id).order_by(ObstacleEvent.id)
        )
    ]
    assert history == [
        ("reported", None, "reported"),
        ("owner", None, "Olle Fastighet"),
        ("due_date", None, due.isoformat()),
        ("status", "reported", "being_handled"),
        ("comment", None, "Vi tittar på det"),
        ("explanation", None, "Ny assistent anställd"),
        ("status", "being_handled", "removed"),
    ]
    # Resolved is final.
    with pytest.raises(ObstacleError) as refused:
        change_obstacle(obstacle, ObstacleChange(ObstacleStatus.BEING_HANDLED, owner, due), hr)
    assert refused.value.field == "status"


def test_the_history_is_append_only(orebro: Flask) -> None:
    obstacle = report(make_manager(org_unit=make_unit()))
    event = db.session.scalars(select(ObstacleEvent).where(ObstacleEvent.obstacle_id == obstacle.id)).one()
    event.new_value = "removed"
    with pytest.raises(HistoryIsAppendOnlyError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.postgres
def test_the_database_itself_keeps_the_history(orebro: Flask) -> None:
    obstacle = report(make_manager(org_unit=make_unit()))
    params = {"id": obstacle.id}
    for statement in (
        "UPDATE obstacle_events SET new_value = 'removed' WHERE obstacle_id = :id",
        "DELETE FROM obstacle_events WHERE obstacle_id = :id",
    ):
        with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
            db.session.execute(text(statement), params)
    with db.session.begin_nested(), erasure_window(db.session):
        db.session.execute(
            text("UPDATE obstacle_events SET new_value = '[x]' WHERE obstacle_id = :id"), params
        )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": ObstacleStatus.NOT_REMOVABLE}, "explanation"),
        ({"status": ObstacleStatus.NOT_REMOVABLE, "explanation": "   "}, "explanation"),
        ({"explanation": "x" * 4001}, "explanation"),
        ({"comment": "x" * 4001}, "comment"),
        ({"due_date": date(2020, 1, 1)}, "due_date"),
        ({"owner": "disabled"}, "owner"),
    ],
)
def test_a_refused_change_names_the_field(orebro: Flask, change: dict[str, Any], field: str) -> None:
    hr = make_user(Role.HR)
    obstacle = report(make_manager(org_unit=make_unit()))
    if change.get("owner") == "disabled":
        shut = make_user()
        shut.is_enabled = False
        change["owner"] = shut
    values: dict[str, Any] = {"status": ObstacleStatus.REPORTED, "owner": None, "due_date": None, **change}
    with pytest.raises(ObstacleError) as refused:
        change_obstacle(obstacle, ObstacleChange(**values), hr)
    assert refused.value.field == field
    # Refused before anything is written.
    assert obstacle.status is ObstacleStatus.REPORTED and obstacle.owner is None


def test_not_removable_needs_its_explanation_and_keeps_it(orebro: Flask) -> None:
    hr = make_user(Role.HR)
    obstacle = report(make_manager(org_unit=make_unit()))
    with pytest.raises(ObstacleError) as refused:
        change_obstacle(obstacle, ObstacleChange(ObstacleStatus.NOT_REMOVABLE, None, None), hr)
    assert refused.value.field == "explanation"
    assert obstacle.status is ObstacleStatus.REPORTED and len(obstacle.events) == 1
    events = change_obstacle(
        obstacle, ObstacleChange(ObstacleStatus.NOT_REMOVABLE, None, None, explanation="Lagkrav"), hr
    )
    assert resolves(events) and obstacle.explanation == "Lagkrav"


# -- the pages -----------------------------------------------------------------------------------------


def _handle(client: FlaskClient, obstacle: Obstacle, data: dict[str, Any]) -> Any:
    page = client.get(f"/obstacles/{obstacle.id}")
    assert page.status_code == 200
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(f"/obstacles/{obstacle.id}/handle", data={**data, "csrf_token": token})


def test_a_report_with_errors_shows_them_next_to_the_fields_and_saves_nothing(
    orebro: Flask, client: FlaskClient, login: Callable[..., Any]
) -> None:
    manager = make_manager("Rut Rektor", org_unit=make_unit("Norra skolan"), with_account=True)
    assert manager.user is not None
    login(manager.user.email)
    page = client.get("/obstacles/new")
    assert page.status_code == 200 and "Norra skolan" in page.get_data(as_text=True)
    response = post_form(client, "/obstacles/new", {"title": "  ", "description": "x", "severity": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="title-error"' in html and 'id="severity-error"' in html
    assert db.session.scalar(select(func.count()).select_from(Obstacle)) == 0
    # A report that hinders nothing: the error is on the pillars.
    response = post_form(client, "/obstacles/new", {"title": "Lokalerna", "severity": "high"})
    assert 'id="pillars-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Obstacle)) == 0
    response = post_form(
        client,
        "/obstacles/new",
        {"title": "Lokalerna", "severity": "high", "expectations": [str(_expectation().id)], "shared": "y"},
    )
    assert response.status_code == 302
    obstacle = db.session.scalars(select(Obstacle)).one()
    assert (obstacle.reporter_id, obstacle.shared, obstacle.severity) == (
        manager.id,
        True,
        ObstacleSeverity.HIGH,
    )
    mine = client.get("/obstacles").get_data(as_text=True)
    assert "Lokalerna" in mine


def test_hr_assigns_and_resolves_on_the_page_and_the_reporter_is_e_mailed_once(
    orebro: Flask, client: FlaskClient, login: Callable[..., Any], inbox: Inbox, worker_tasks: WorkerTasks
) -> None:
    hr = make_user(Role.HR, name="Hanna HR")
    owner = make_user(name="Olle Fastighet", email="olle@test.example")
    manager = make_manager("Rut Rektor", org_unit=make_unit(), with_account=True)
    assert manager.user is not None
    manager.user.language = Language.EN
    obstacle = report(manager, title="Trasig ventilation")
    db.session.commit()
    login(hr.email)
    response = _handle(client, obstacle, {"owner": "nobody@test.example", "status": "reported"})
    assert response.status_code == 422 and 'id="owner-error"' in response.get_data(as_text=True)
    response = _handle(client, obstacle, {"owner": "OLLE@test.example", "status": "not_removable"})
    assert response.status_code == 422 and 'id="explanation-error"' in response.get_data(as_text=True)
    assert obstacle.owner_user_id is None
    response = _handle(
        client, obstacle, {"owner": "olle@test.example", "status": "being_handled", "comment": "Beställt"}
    )
    assert response.status_code == 302
    assert inbox.messages == [], "nothing is resolved yet"
    response = _handle(
        client,
        obstacle,
        {"owner": "olle@test.example", "status": "removed", "explanation": "New fans installed"},
    )
    assert response.status_code == 302
    assert worker_tasks.named("obstacles.send_resolved") == [[[obstacle.id]]]
    messages = inbox.to(manager.user.email)
    assert len(messages) == 1
    assert messages[0]["Subject"] == "Your obstacle is removed: Trasig ventilation"
    body = messages[0].get_body(preferencelist=("plain",))
    assert body is not None and "New fans installed" in body.get_content()
    # The task again (a redelivery) and the sweep send nothing more.
    db.session.expire_all()
    send_obstacle_resolved.run([obstacle.id])
    assert unsent_resolved_notices() == []
    assert len(inbox.to(manager.user.email)) == 1
    # The reporter sees it resolved, with its history.
    client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})
    login(manager.user.email)
    page = client.get(f"/obstacles/{obstacle.id}").get_data(as_text=True)
    assert "Removed" in page and "New fans installed" in page and "Olle Fastighet" in page
    assert "Handle the obstacle" not in page
    db.session.refresh(obstacle)
    assert obstacle.owner == owner and obstacle.notice_sent_at is not None


def test_the_owner_moves_the_status_but_does_not_reassign(
    orebro: Flask, client: FlaskClient, login: Callable[..., Any]
) -> None:
    hr = make_user(Role.HR)
    owner = make_user(name="Olle Fastighet")
    obstacle = report(make_manager(org_unit=make_unit()))
    change_obstacle(obstacle, ObstacleChange(ObstacleStatus.REPORTED, owner, None), hr)
    db.session.commit()
    login(owner.email)
    assert "Trasig" not in client.get("/obstacles").get_data(as_text=True)
    assert obstacle.title in client.get("/obstacles").get_data(as_text=True)
    response = _handle(client, obstacle, {"status": "being_handled", "owner": "someone@else.example"})
    assert response.status_code == 302
    db.session.refresh(obstacle)
    assert (obstacle.status, obstacle.owner_user_id) == (ObstacleStatus.BEING_HANDLED, owner.id)
    assert client.get("/obstacles/overview").status_code == 404


# -- who sees what -------------------------------------------------------------------------------------


def test_shared_obstacles_are_read_in_the_same_unit_tree_and_private_ones_by_no_other_manager(
    orebro: Flask, client: FlaskClient, login: Callable[..., Any]
) -> None:
    school = make_unit("Grundskolan", kind=OrgUnitKind.DEPARTMENT)
    north, south = make_unit("Norra skolan", school), make_unit("Södra skolan", school)
    elsewhere = make_unit("Äldreomsorgen", kind=OrgUnitKind.DEPARTMENT)
    reporter = make_manager("Rut Rektor", org_unit=north, with_account=True)
    above = make_manager("Gun Grundskolechef", org_unit=school, with_account=True)
    beside = make_manager("Sune Södra", org_unit=north, with_account=True)
    other_branch = make_manager("Sara Södra", org_unit=south, with_account=True)
    outside = make_manager("Åke Äldre", org_unit=elsewhere, with_account=True)
    shared = report(reporter, title="Delat hinder", shared=True)
    private = report(reporter, title="Eget hinder", shared=False)
    db.session.commit()

    def reads(person: Manager) -> set[int]:
        assert person.user is not None
        return set(db.session.scalars(select(Obstacle.id).where(visible_obstacles_clause(person.user))))

    assert reads(reporter) == {shared.id, private.id}
    assert reads(above) == reads(beside) == {shared.id}
    assert reads(other_branch) == reads(outside) == set()
    for person, expected in ((beside, 200), (above, 200), (outside, 404), (other_branch, 404)):
        test_client = client.application.test_client()
        assert person.user is not None
        login(person.user.email, test_client=test_client)
        assert test_client.get(f"/obstacles/{shared.id}").status_code == expected
        assert test_client.get(f"/obstacles/{private.id}").status_code == 404
        # Reading is not handling.
        assert test_client.post(f"/obstacles/{shared.id}/handle", data={"status": "removed"}).status_code in (
            400,
            404,
        )
    assert "Delat hinder" in _page_of(client, login, beside, "/obstacles")
    assert may_handle_obstacle(beside.user, shared) is False


def _page_of(client: FlaskClient, login: Callable[..., Any], person: Manager, url: str) -> str:
    test_client = client.application.test_client()
    assert person.user is not None
    login(person.user.email, test_client=test_client)
    return str(test_client.get(url).get_data(as_text=True))


# -- HR's overview ---------------------------------------------------------------------------------------


def _aged(obstacle: Obstacle, reported_days_ago: int, removed_after_days: float | None = None) -> None:
    """Move an obstacle's dates back by hand: reported so many days ago, removed after so many days."""
    reported = utcnow() - timedelta(days=reported_days_ago)
    obstacle.reported_at = obstacle.last_activity_at = reported
    if removed_after_days is not None:
        obstacle.status = ObstacleStatus.REMOVED
        obstacle.resolved_at = reported + timedelta(days=removed_after_days)
    db.session.flush()


def test_the_overview_filters_by_unit_and_pillar_and_gives_the_median_time_to_removal(
    orebro: Flask, client: FlaskClient, login: Callable[..., Any]
) -> None:
    hr = make_user(Role.HR)
    school = make_unit("Grundskolan", kind=OrgUnitKind.DEPARTMENT)
    north = make_unit("Norra skolan", school)
    care = make_unit("Äldreomsorgen", kind=OrgUnitKind.DEPARTMENT)
    in_north = make_manager(org_unit=north)
    in_care = make_manager(org_unit=care)
    secure, leader = _pillar("secure").id, _pillar("leader").id
    open_north = report(in_north, title="Öppet norr", pillar_ids=[secure], expectation_ids=[])
    open_care = report(in_care, title="Öppet omsorg")  # leader, through leader.trust
    _aged(open_north, 40)
    _aged(open_care, 3)
    # Removed after 2, 4, 10 days in the school, 30 in care: the school's median 4, everyone's 7.
    for days, who, pillar in (
        (2, in_north, secure),
        (4, in_north, leader),
        (10, in_north, secure),
        (30, in_care, leader),
    ):
        _aged(report(who, title=f"Borttaget {days}", pillar_ids=[pillar], expectation_ids=[]), 60, days)
    everyone = ObstacleFilter()
    assert median_days_to_removal(everyone) == 7.0
    assert median_days_to_removal(ObstacleFilter(unit_id=school.id)) == 4.0
    assert median_days_to_removal(ObstacleFilter(pillar_id=secure)) == 6.0
    assert median_days_to_removal(ObstacleFilter(unit_id=care.id, pillar_id=secure)) is None
    rows, more = obstacles_after(ObstacleFilter(unit_id=school.id), true(), 0, 50)
    assert [o.title for o in rows] == ["Öppet norr"] and not more
    rows, _more = obstacles_after(ObstacleFilter(pillar_id=leader), true(), 0, 50)
    assert [o.title for o in rows] == ["Öppet omsorg"]
    db.session.commit()

    login(hr.email)
    html = client.get("/obstacles/overview").get_data(as_text=True)
    assert "Öppet norr" in html and "Öppet omsorg" in html and "Borttaget" not in html
    assert "Mediantid till undanröjt: 7 dagar" in html
    row = html.split(f'id="obstacle-{open_north.id}"')[1].split("</tr>")[0]
    assert "<td>40</td>" in row, "its age in days"
    html = client.get(f"/obstacles/overview?unit={school.id}").get_data(as_text=True)
    assert "Öppet norr" in html and "Öppet omsorg" not in html and "Mediantid till undanröjt: 4 dagar" in html
    html = client.get(f"/obstacles/overview?pillar={leader}&status=removed").get_data(as_text=True)
    assert "Borttaget 4" in html and "Borttaget 30" in html and "Borttaget 2<" not in html
    # Nonsense in the filters is ignored, never a 500.
    assert client.get("/obstacles/overview?unit=abc&pillar=-1&status=x&after=y").status_code == 200


def test_the_overview_pages_by_keyset(orebro: Flask, client: FlaskClient, login: Callable[..., Any]) -> None:
    hr = make_user(Role.HR)
    manager = make_manager(org_unit=make_unit())
    made = [report(manager, title=f"Hinder {n:02d}") for n in range(PAGE_SIZE + 3)]
    db.session.commit()
    login(hr.email)
    first = client.get("/obstacles/overview").get_data(as_text=True)
    assert (
        "Hinder 00" in first
        and f"Hinder {PAGE_SIZE - 1:02d}" in first
        and f"Hinder {PAGE_SIZE:02d}" not in first
    )
    second = client.get(f"/obstacles/overview?after={made[PAGE_SIZE - 1].id}").get_data(as_text=True)
    assert f"Hinder {PAGE_SIZE:02d}" in second and 'rel="next"' not in second


# -- GDPR ------------------------------------------------------------------------------------------------


def test_anonymising_the_reporter_keeps_the_obstacle_without_them(orebro: Flask) -> None:
    hr = make_user(Role.HR)
    unit = make_unit("Norra skolan")
    manager = make_manager("Rut Rektor", org_unit=unit, with_account=True)
    obstacle = report(manager, title="Rut Rektor saknar stöd", description="Ring Rut Rektor")
    exported = export_person(manager, hr)
    assert [row["id"] for row in exported["records"]["obstacles"]] == [obstacle.id]
    anonymise_person(manager, hr)
    db.session.refresh(obstacle)
    assert obstacle.reporter_id is None and obstacle.unit_id == unit.id
    assert "Rut Rektor" not in obstacle.title and "Rut Rektor" not in obstacle.description
    assert db.session.get(Obstacle, obstacle.id) is not None


def test_reports_and_changes_are_audited_under_the_reporter(orebro: Flask) -> None:
    hr = make_user(Role.HR)
    manager = make_manager("Rut Rektor", org_unit=make_unit(), with_account=True)
    obstacle = report(manager)
    db.session.commit()  # changed in a later transaction: a change of its own, not part of its creation
    change_obstacle(obstacle, ObstacleChange(ObstacleStatus.BEING_HANDLED, hr, None), hr)
    events = list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "obstacle").order_by(AuditEvent.id)
        )
    )
    assert [(e.action, e.subject_manager_id, e.object_id) for e in events] == [
        ("create", manager.id, obstacle.id),
        ("update", manager.id, obstacle.id),
    ]
    assert "owner_user_id" in events[1].detail["fields"] and "status" in events[1].detail["fields"]
    # Without a reporter (a workshop's, or one whose reporter is anonymised) there is no subject.
    orphan = report(None, unit=make_unit())
    row = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "obstacle", AuditEvent.object_id == orphan.id)
    ).one()
    assert row.subject_manager_id is None


def test_the_lists_read_the_same_number_of_statements_for_more_obstacles(
    orebro: Flask, client: FlaskClient, login: Callable[..., Any], count_queries: Callable[[], Any]
) -> None:
    hr = make_user(Role.HR)
    owner = make_user()
    unit = make_unit()
    manager = make_manager(org_unit=unit, with_account=True)
    assert manager.user is not None

    def add(count: int) -> None:
        for number in range(count):
            obstacle = report(manager, title=f"Hinder {number}", shared=True)
            change_obstacle(obstacle, ObstacleChange(ObstacleStatus.BEING_HANDLED, owner, None), hr)
        db.session.commit()

    def statements(url: str, user: User) -> int:
        test_client = client.application.test_client()
        login(user.email, test_client=test_client)
        with count_queries() as counted:
            assert test_client.get(url).status_code == 200
        return int(counted.count)

    add(2)
    few = {
        url: statements(url, who) for url, who in (("/obstacles/overview", hr), ("/obstacles", manager.user))
    }
    add(12)
    many = {
        url: statements(url, who) for url, who in (("/obstacles/overview", hr), ("/obstacles", manager.user))
    }
    assert many == few
