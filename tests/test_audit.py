"""The audit log: every change and every read by someone else is one row naming fields, never values."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from flask_babel import gettext
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from lifecycle.append_only import HistoryIsAppendOnlyError
from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ActivityKind
from lifecycle.enums import Assessor
from lifecycle.enums import GoalStatus
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import ApiToken
from lifecycle.models import AuditEvent
from lifecycle.models import DevelopmentPlan
from lifecycle.models import DevelopmentReview
from lifecycle.models import Expectation
from lifecycle.models import Manager
from lifecycle.models import PlanComment
from lifecycle.models import PlanGoal
from lifecycle.models import User
from lifecycle.models import Vacancy
from lifecycle.models.recruitment import VacancyStatus
from lifecycle.services.accounts import create_user
from lifecycle.services.accounts import end_all_sessions
from lifecycle.services.accounts import set_enabled
from lifecycle.services.accounts import set_password
from lifecycle.services.accounts import set_roles
from lifecycle.services.activities import add_activity
from lifecycle.services.activities import complete_activity
from lifecycle.services.activities import resolve_tags
from lifecycle.services.audit import EVENTS_PER_PAGE
from lifecycle.services.audit import SOURCE_API
from lifecycle.services.audit import SOURCE_IMPORT
from lifecycle.services.audit import SOURCE_SYSTEM
from lifecycle.services.audit import SOURCE_WEB
from lifecycle.services.audit import acting_as
from lifecycle.services.audit import audit_trail
from lifecycle.services.audit import current_context
from lifecycle.services.audit import record_read
from lifecycle.services.imports import apply_import
from lifecycle.services.imports import plan_import
from lifecycle.services.imports import read_import_file
from lifecycle.services.introductions import ensure_default_template
from lifecycle.services.introductions import launch_introduction
from lifecycle.services.journey import move_to_stage
from lifecycle.services.managers import ChangeSet
from lifecycle.services.managers import update_manager
from lifecycle.services.plans import add_comment
from lifecycle.services.plans import add_goal
from lifecycle.services.plans import ensure_plan
from lifecycle.services.plans import set_goal_status
from lifecycle.services.plans import set_notes
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.services.recruitment import VacancyValues
from lifecycle.services.recruitment import create_vacancy
from lifecycle.services.recruitment import set_recruitment_group
from lifecycle.services.recruitment import set_status
from lifecycle.services.recruitment import set_weights
from lifecycle.services.recruitment import update_vacancy
from lifecycle.services.reviews import complete_review
from lifecycle.services.reviews import record_assessments
from lifecycle.services.tokens import create_token
from lifecycle.services.tokens import record_use
from lifecycle.services.tokens import revoke_token
from lifecycle.timeutil import local_today
from tests.api.conftest import ApiClient
from tests.conftest import csrf_token_from
from tests.conftest import post_form
from tests.conftest import uses_postgres
from tests.factories import make_manager
from tests.factories import make_running_mentorship
from tests.factories import make_unit
from tests.factories import make_user

# Dates here are computed from today: every test runs at the suite's fixed moment (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("clock")


@dataclass
class People:
    hr: User
    admin: User
    boss: Manager
    mentor: Manager
    anna: Manager
    other: Manager
    plan: DevelopmentPlan
    goal: PlanGoal
    review: DevelopmentReview


@pytest.fixture
def people(app_ctx: Flask) -> People:
    """Anna with a plan, a goal and a review; her line manager, her mentor, another manager, HR, admin."""
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    hr = make_user(Role.HR, name="Hanna HR")
    admin = make_user(Role.ADMIN, name="Adam Admin")
    boss = make_manager("Bodil Chef", with_account=True)
    mentor = make_manager("Mona Mentor", with_account=True)
    anna = make_manager("Anna Plan", line_manager=boss, with_account=True)
    # Her mentor reads her plan through a running mentorship (and names himself on her record by it).
    make_running_mentorship(mentor, anna, hr)
    other = make_manager("Olof Annan", with_account=True)
    plan = ensure_plan(anna, local_today())
    goal = add_goal(plan, title="Ge mer feedback", expectations=[_expectation("leader.feedback")])
    review = plan.reviews[0] if plan.reviews else DevelopmentReview(plan=plan, scheduled_on=local_today())
    db.session.add(review)
    db.session.commit()
    return People(hr, admin, boss, mentor, anna, other, plan, goal, review)


def _expectation(key: str) -> Expectation:
    found = db.session.scalar(select(Expectation).where(Expectation.key == key))
    assert found is not None
    return found


def _mark() -> int:
    return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def _since(mark: int) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.id > mark).order_by(AuditEvent.id)))


Brief = tuple[str, str, int | None, int | None, int | None, list[str]]
#: the fixtures: log a browser in; run a change as HR and return its audit rows
Login = Callable[..., Any]
Change = Callable[..., list[AuditEvent]]


def _brief(events: list[AuditEvent]) -> list[Brief]:
    """(action, object type, object id, subject manager, subject user, fields) of each event."""
    return [
        (
            e.action,
            e.object_type,
            e.object_id,
            e.subject_manager_id,
            e.subject_user_id,
            e.detail.get("fields", []),
        )
        for e in events
    ]


@pytest.fixture
def change(people: People) -> Callable[..., list[AuditEvent]]:
    """Run `do` as HR in a transaction of its own; return the audit rows it left."""

    def _change(do: Callable[[], Any], actor: User | None = None) -> list[AuditEvent]:
        mark = _mark()
        with acting_as(actor or people.hr, SOURCE_WEB):
            do()
            db.session.flush()
        db.session.commit()
        events = _since(mark)
        for event in events:
            assert event.actor_id == (actor or people.hr).id
            assert event.source == SOURCE_WEB
        return events

    return _change


# -- changes ---------------------------------------------------------------------------------------


def test_a_detail_change_names_the_fields_and_never_their_values(people: People, change: Change) -> None:
    anna = people.anna
    events = change(
        lambda: update_manager(anna, ChangeSet({"name": "Anna Nyberg", "title": "Rektor"}), people.hr)
    )
    assert _brief(events) == [("update", "manager", anna.id, anna.id, None, ["name", "title"])]
    logged = json.dumps([e.detail for e in events])
    assert "Nyberg" not in logged and "Rektor" not in logged


def test_a_move_on_the_journey_is_one_move_event(people: People, change: Change) -> None:
    candidate = make_manager("Kim Kandidat", Stage.RECRUIT)
    db.session.commit()
    events = change(
        lambda: move_to_stage(candidate, Stage.INTRODUCE, people.hr, "Anställd", date(2025, 3, 1))
    )
    assert [(e.action, e.object_type, e.subject_manager_id, e.detail) for e in events] == [
        ("move", "stage", candidate.id, {"from": "recruit", "to": "introduce"})
    ]
    assert "Anställd" not in json.dumps(events[0].detail)


def test_plan_goal_comment_and_review_changes_are_one_event_each(people: People, change: Change) -> None:
    anna, plan, goal, review = people.anna, people.plan, people.goal, people.review
    assert _brief(change(lambda: set_notes(plan, "Hemlig anteckning"))) == [
        ("update", "plan", plan.id, anna.id, None, ["notes"])
    ]
    assert _brief(change(lambda: set_goal_status(goal, GoalStatus.IN_PROGRESS))) == [
        ("update", "goal", goal.id, anna.id, None, ["status"])
    ]
    created = change(
        lambda: add_goal(plan, title="Bli tydligare", expectations=[_expectation("leader.trust")])
    )
    assert _brief(created) == [("create", "goal", created[0].object_id, anna.id, None, [])]
    commented = change(lambda: add_comment(plan, people.boss.user, "Bra jobbat"))  # type: ignore[arg-type]
    assert _brief(commented) == [("create", "comment", commented[0].object_id, anna.id, None, [])]
    trust = _expectation("leader.trust").id
    assessed = change(lambda: record_assessments(review, Assessor.SELF, {trust: (4, "Jag lyssnar")}))
    assert _brief(assessed) == [("update", "review", review.id, anna.id, None, ["assessments"])]
    again = change(lambda: record_assessments(review, Assessor.SELF, {trust: (5, "Jag lyssnar mer")}))
    assert _brief(again) == [("update", "review", review.id, anna.id, None, ["assessments"])]
    completed = change(
        lambda: complete_review(review, on=local_today(), next_steps="Öva mer", actor=people.hr)
    )
    # Completing also adds the review as a completed activity: one event for each object.
    assert sorted(
        (action, kind, subject, fields) for action, kind, _id, subject, _u, fields in _brief(completed)
    ) == [
        ("create", "activity", anna.id, []),
        ("update", "review", anna.id, ["completed_on", "next_steps"]),
    ]
    written = db.session.get(PlanComment, commented[0].object_id)
    assert _brief(change(lambda: db.session.delete(written))) == [
        ("delete", "comment", commented[0].object_id, anna.id, None, [])
    ]
    logged = json.dumps([e.detail for e in _since(0)])
    for secret in ("Hemlig", "tydligare", "Bra jobbat", "lyssnar", "Öva mer"):
        assert secret not in logged


def test_an_activity_is_an_event_for_each_participant_and_created_then_completed_is_one(
    people: People, change: Callable[..., list[AuditEvent]]
) -> None:
    anna, other = people.anna, people.other
    pillars, expectations = resolve_tags(["leader"], [])

    def add_group() -> None:
        add_activity(
            kind=ActivityKind.WORKSHOP,
            title="Ledardag",
            participants=[anna, other],
            pillars=pillars,
            expectations=expectations,
            actor=people.hr,
        )

    added = change(add_group)
    activity_id = added[0].object_id
    assert sorted(_brief(added), key=lambda b: b[3] or 0) == [
        ("create", "activity", activity_id, anna.id, None, []),
        ("create", "activity", activity_id, other.id, None, []),
    ]
    activity = db.session.get(Activity, activity_id)
    assert activity is not None
    done = change(lambda: complete_activity(activity, local_today()))
    assert sorted(_brief(done), key=lambda b: b[3] or 0) == [
        ("update", "activity", activity_id, anna.id, None, ["completed_on"]),
        ("update", "activity", activity_id, other.id, None, ["completed_on"]),
    ]

    def add_done() -> None:
        created = add_activity(
            kind=ActivityKind.COURSE, title="Kurs", participants=[anna], pillars=pillars, actor=people.hr
        )
        complete_activity(created, local_today())

    assert [(e.action, e.subject_manager_id) for e in change(add_done)] == [("create", anna.id)]


def test_launching_an_introduction_is_recorded(people: People, change: Change) -> None:
    template = ensure_default_template()
    db.session.commit()
    events = change(lambda: launch_introduction(people.anna, template, people.hr, local_today()))
    kinds = [(e.action, e.object_type, e.subject_manager_id) for e in events]
    assert kinds.count(("create", "introduction", people.anna.id)) == 1
    assert kinds.count(("create", "activity", people.anna.id)) == len(template.milestones)


def test_a_vacancys_creation_details_weights_group_and_status_are_one_event_each(
    people: People, change: Change
) -> None:
    unit = make_unit("Norra skolan")
    db.session.commit()
    created: list[Vacancy] = []

    def open_one() -> None:
        created.append(
            create_vacancy(VacancyValues(title="Rektor", org_unit=unit, hr_partner=people.hr), people.hr)
        )

    events = change(open_one)
    vacancy = created[0]
    assert _brief(events) == [("create", "vacancy", vacancy.id, None, None, [])]
    details = VacancyValues(
        title="Rektor Norra skolan",
        org_unit=unit,
        hr_partner=people.hr,
        closes_on=local_today(),
        role_text="Tre år",
    )
    events = change(lambda: update_vacancy(vacancy, details))
    assert _brief(events) == [
        ("update", "vacancy", vacancy.id, None, None, ["closes_on", "role_text", "title"])
    ]
    assert "Norra" not in json.dumps([e.detail for e in events]), "names the fields, never their values"
    trust, decide = _expectation("leader.trust"), _expectation("secure.decide")
    events = change(lambda: set_weights(vacancy, {trust: 3, decide: 1}))
    assert _brief(events) == [("update", "vacancy", vacancy.id, None, None, ["weights"])]
    events = change(lambda: set_weights(vacancy, {trust: 2}))
    assert _brief(events) == [("update", "vacancy", vacancy.id, None, None, ["weights"])], (
        "changed and removed"
    )
    events = change(lambda: set_recruitment_group(vacancy, [people.boss.user]))  # type: ignore[list-item]
    assert _brief(events) == [("update", "vacancy", vacancy.id, None, None, ["interviewers"])]
    events = change(lambda: set_status(vacancy, VacancyStatus.OPEN, local_today()))
    assert _brief(events) == [("update", "vacancy", vacancy.id, None, None, ["published_on", "status"])]
    same = replace(details, published_on=vacancy.published_on)
    assert change(lambda: update_vacancy(vacancy, same)) == [], "no change, no event"


def test_vacancy_changes_through_the_api_are_logged_with_source_api(people: People, app: Flask) -> None:
    unit = make_unit("Västra skolan")
    db.session.commit()
    hr = _api(app, people.hr)
    mark = _mark()
    response = hr.post("/api/v1/vacancies", json={"title": "Rektor", "org_unit_id": unit.id})
    assert response.status_code == 201
    vacancy_id = response.get_json()["id"]
    assert hr.patch(f"/api/v1/vacancies/{vacancy_id}", json={"title": "Rektor Västra"}).status_code == 200
    assert [(e.action, e.object_type, e.object_id, e.actor_id, e.source) for e in _since(mark)] == [
        ("create", "vacancy", vacancy_id, people.hr.id, SOURCE_API),
        ("update", "vacancy", vacancy_id, people.hr.id, SOURCE_API),
    ]


def test_account_changes_name_roles_enabled_and_password_but_not_logins(
    people: People, change: Change
) -> None:
    user = people.anna.user
    assert user is not None
    anna, uid = people.anna.id, user.id
    assert _brief(change(lambda: set_roles(user, {Role.MANAGER, Role.HR}))) == [
        ("update", "account", uid, anna, uid, ["roles"])
    ]
    assert _brief(change(lambda: set_password(user, "ett nytt långt lösenord"))) == [
        ("update", "account", uid, anna, uid, ["password"])
    ]
    assert _brief(change(lambda: set_enabled(user, False))) == [
        ("update", "account", uid, anna, uid, ["is_enabled"])
    ]
    assert change(lambda: end_all_sessions(user)) == []
    created = change(lambda: create_user("ny@kommun.example", "Ny Person", None, {Role.HR}))
    assert _brief(created) == [("create", "account", created[0].object_id, None, created[0].object_id, [])]
    token_events = change(lambda: create_token(people.hr, "integration"))
    assert _brief(token_events) == [
        ("create", "api_token", token_events[0].object_id, None, people.hr.id, [])
    ]
    token = db.session.get(ApiToken, token_events[0].object_id)
    assert token is not None
    assert change(lambda: record_use(token)) == []
    assert _brief(change(lambda: revoke_token(token))) == [
        ("update", "api_token", token.id, None, people.hr.id, ["revoked_at"])
    ]
    assert "ny@kommun.example" not in json.dumps([e.detail for e in _since(0)])


def test_who_acts_comes_from_the_request_or_acting_as_else_the_system(app: Flask) -> None:
    with app.app_context():
        assert current_context().source == SOURCE_SYSTEM
        assert current_context().actor_id is None
        with acting_as(None, SOURCE_IMPORT):
            assert current_context().source == SOURCE_IMPORT
        assert current_context().source == SOURCE_SYSTEM


# -- reads -----------------------------------------------------------------------------------------


def _browser(app: Flask, login: Callable[..., Any], user: User) -> FlaskClient:
    browser = app.test_client()
    login(user.email, test_client=browser)
    return browser


def _reads(mark: int) -> list[tuple[str, str, int | None, int | None, int | None, str]]:
    return [
        (e.action, e.object_type, e.object_id, e.subject_manager_id, e.actor_id, e.source)
        for e in _since(mark)
        if e.action == "view"
    ]


def test_hr_the_line_manager_and_the_mentor_reading_a_plan_are_logged(
    people: People, app: Flask, login: Login
) -> None:
    anna = people.anna
    for reader in (people.hr, people.boss.user, people.mentor.user):
        assert reader is not None
        browser = _browser(app, login, reader)
        mark = _mark()
        assert browser.get(f"/managers/{anna.id}/plan").status_code == 200
        assert _reads(mark) == [("view", "plan", people.plan.id, anna.id, reader.id, SOURCE_WEB)]


def test_reading_a_review_and_a_profile_are_logged_with_the_object(
    people: People, app: Flask, login: Login
) -> None:
    anna, review = people.anna, people.review
    boss = people.boss.user
    assert boss is not None
    browser = _browser(app, login, boss)
    mark = _mark()
    assert browser.get(f"/managers/{anna.id}/reviews/{review.id}").status_code == 200
    assert browser.get(f"/managers/{anna.id}").status_code == 200
    assert _reads(mark) == [
        ("view", "review", review.id, anna.id, boss.id, SOURCE_WEB),
        ("view", "manager", None, anna.id, boss.id, SOURCE_WEB),
    ]


Read = tuple[str, str, int | None, int | None, int | None, str]


def _send_back(browser: FlaskClient, page_url: str, url: str, data: dict[str, str]) -> tuple[str, list[Read]]:
    """POST a form from the page that the view refuses; return the page it sends back and what it logged."""
    token = csrf_token_from(browser.get(f"{page_url}?lang=en").get_data(as_text=True))
    mark = _mark()
    response = browser.post(url, data={**data, "csrf_token": token})
    assert response.status_code == 200, response.headers.get("Location")
    logged = [
        (e.action, e.object_type, e.object_id, e.subject_manager_id, e.actor_id, e.source)
        for e in _since(mark)
    ]
    return response.get_data(as_text=True), logged


def test_a_page_sent_back_with_a_forms_errors_is_one_read(people: People, app: Flask, login: Login) -> None:
    anna, plan, review = people.anna, people.plan, people.review
    boss = people.boss.user
    assert boss is not None
    plan_url = f"/managers/{anna.id}/plan"
    review_url = f"/managers/{anna.id}/reviews/{review.id}"
    as_boss = _browser(app, login, boss)

    # A comment without text: the plan again, with the error, and the one read it is.
    page, logged = _send_back(as_boss, plan_url, f"{plan_url}/comments", {"comment-body": "  "})
    assert "Write a comment." in page
    assert logged == [("view", "plan", plan.id, anna.id, boss.id, SOURCE_WEB)]
    # A score out of range (refused by the view), and a score for no expectation (refused by the
    # service and rolled back): the review again, each one read and nothing else.
    boss_read = ("view", "review", review.id, anna.id, boss.id, SOURCE_WEB)
    expectation = _expectation("leader.feedback")
    page, logged = _send_back(
        as_boss, review_url, f"{review_url}/assessments", {f"score-{expectation.id}": "9"}
    )
    assert "A score is from 1 to 5." in page and logged == [boss_read]
    page, logged = _send_back(as_boss, review_url, f"{review_url}/assessments", {"score-999999": "3"})
    assert "A retired expectation cannot be chosen" in page and logged == [boss_read]
    as_hr = _browser(app, login, people.hr)
    page, logged = _send_back(
        as_hr, review_url, f"{review_url}/complete", {"completed_on": "igår", "next_steps": "Fortsätt"}
    )
    assert "Enter a date (YYYY-MM-DD)." in page
    assert logged == [("view", "review", review.id, anna.id, people.hr.id, SOURCE_WEB)]
    db.session.expire_all()
    assert review.completed_on is None and review.assessments == []

    # The manager's own plan and review sent back: her own reads are not logged.
    assert anna.user is not None
    as_anna = _browser(app, login, anna.user)
    page, logged = _send_back(as_anna, plan_url, f"{plan_url}/goals", {"goal-title": ""})
    assert "Give the goal a title." in page and logged == []
    page, logged = _send_back(
        as_anna, review_url, f"{review_url}/assessments", {f"score-{expectation.id}": "0"}
    )
    assert "A score is from 1 to 5." in page and logged == []


def test_the_subjects_own_reads_are_not_logged(people: People, app: Flask, login: Login) -> None:
    anna = people.anna
    assert anna.user is not None
    browser = _browser(app, login, anna.user)
    mark = _mark()
    for url in (
        "/me",
        f"/managers/{anna.id}/plan",
        f"/managers/{anna.id}",
        f"/managers/{anna.id}/reviews/{people.review.id}",
    ):
        assert browser.get(url).status_code == 200, url
    assert _reads(mark) == []


def _api(app: Flask, user: User) -> ApiClient:
    _token, secret = create_token(user, "audit tests")
    db.session.commit()
    return ApiClient(app.test_client(), secret)


def test_api_reads_are_logged_with_source_api(people: People, app: Flask) -> None:
    anna = people.anna
    hr = _api(app, people.hr)
    hr.get("/api/v1/units")  # notes the token's first use
    mark = _mark()
    base = f"/api/v1/managers/{anna.id}"
    for url in (base, f"{base}/plan", f"{base}/reviews", f"{base}/activities", f"{base}/coverage"):
        assert hr.get(url).status_code == 200, url
    assert [(t, subject, actor, source) for _a, t, _o, subject, actor, source in _reads(mark)] == [
        (kind, anna.id, people.hr.id, SOURCE_API)
        for kind in ("manager", "plan", "review", "activity", "coverage")
    ]
    assert anna.user is not None
    own = _api(app, anna.user)
    own.get("/api/v1/units")
    mark = _mark()
    for url in (f"{base}/plan", f"{base}/reviews", f"{base}/activities", f"{base}/coverage"):
        assert own.get(url).status_code == 200, url
    assert _reads(mark) == []


def test_api_changes_are_logged_with_source_api(people: People, app: Flask) -> None:
    anna = people.anna
    hr = _api(app, people.hr)
    mark = _mark()
    response = hr.post(f"/api/v1/managers/{anna.id}/plan/comments", json={"body": "Hej från API"})
    assert response.status_code == 201
    assert [(e.action, e.object_type, e.subject_manager_id, e.actor_id, e.source) for e in _since(mark)] == [
        ("create", "comment", anna.id, people.hr.id, SOURCE_API)
    ]


# -- imports ---------------------------------------------------------------------------------------

IMPORT_HEADER = "employee_number;name;email;title;unit_path;line_manager_employee_number;start_date;stage"


def _import_file(*rows: str) -> bytes:
    return ("\r\n".join([IMPORT_HEADER, *rows]) + "\r\n").encode()


def test_imports_are_logged_with_source_import(
    people: People, app: Flask, login: Login, import_worker: list[int]
) -> None:
    content = _import_file("B100;Berit Berg;berit@kommun.example;Rektor;;;2020-01-01;develop")
    mark = _mark()
    apply_import(plan_import(read_import_file(content), local_today()), actor=None, today=local_today())
    db.session.commit()
    berit = db.session.scalar(select(Manager).where(Manager.employee_number == "B100"))
    assert berit is not None
    assert [(e.action, e.object_type, e.subject_manager_id, e.actor_id, e.source) for e in _since(mark)] == [
        ("create", "manager", berit.id, None, SOURCE_IMPORT),
        ("move", "stage", berit.id, None, SOURCE_IMPORT),
    ]

    # Through the pages, the HR user who confirms the file is the actor.
    browser = _browser(app, login, people.hr)
    changed = _import_file("B100;Berit Berg;berit@kommun.example;Förvaltningschef;;;2020-01-01;develop")
    report = post_form(
        browser,
        "/managers/import",
        {"file": (io.BytesIO(changed), "chefer.csv")},
        content_type="multipart/form-data",
    )
    assert report.status_code == 302
    report_url = report.headers["Location"]
    mark = _mark()
    token = csrf_token_from(browser.get(report_url).get_data(as_text=True))
    assert browser.post(f"{report_url}/confirm", data={"csrf_token": token}).status_code == 302
    assert [
        (e.action, e.object_type, e.subject_manager_id, e.actor_id, e.source, e.detail) for e in _since(mark)
    ] == [("update", "manager", berit.id, people.hr.id, SOURCE_IMPORT, {"fields": ["title"]})]


# -- the log cannot be rewritten -------------------------------------------------------------------


def test_the_orm_refuses_to_change_or_delete_an_audit_row(people: People, change: Change) -> None:
    event = change(lambda: set_notes(people.plan, "Något"))[0]
    with pytest.raises(HistoryIsAppendOnlyError), db.session.begin_nested():
        event.action = "view"
        db.session.flush()
    db.session.rollback()
    with pytest.raises(HistoryIsAppendOnlyError), db.session.begin_nested():
        db.session.delete(event)
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEvent, event.id) is not None


@pytest.mark.postgres
def test_postgresql_refuses_raw_sql_that_changes_or_deletes_audit_rows(
    people: People, change: Change
) -> None:
    assert uses_postgres()
    event_id = change(lambda: set_notes(people.plan, "Något"))[0].id
    for statement in (
        "UPDATE audit_events SET action = 'view' WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
    ):
        with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
            db.session.execute(text(statement), {"id": event_id})
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.id == event_id)) == "update"


# -- the page --------------------------------------------------------------------------------------


def test_only_hr_and_admin_reach_the_audit_trail(people: People, app: Flask, login: Login) -> None:
    url = f"/managers/{people.anna.id}/audit"
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for user in (people.hr, people.admin):
        assert _browser(app, login, user).get(url).status_code == 200
    for manager in (people.anna, people.boss, people.mentor, people.other):
        assert manager.user is not None
        assert _browser(app, login, manager.user).get(url).status_code == 404
    assert _browser(app, login, people.hr).get(f"/managers/{people.anna.id + 1000}/audit").status_code == 404


def test_the_profile_links_to_the_trail_for_hr_only(people: People, app: Flask, login: Login) -> None:
    url = f"/managers/{people.anna.id}"
    link = f'href="/managers/{people.anna.id}/audit"'
    assert link in _browser(app, login, people.hr).get(url).get_data(as_text=True)
    assert people.boss.user is not None
    assert link not in _browser(app, login, people.boss.user).get(url).get_data(as_text=True)


def _table(page: str) -> str:
    return page[page.index("<table") : page.index("</table>")]


def test_the_page_shows_the_events_newest_first_in_swedish_and_english(
    people: People, app: Flask, login: Login, change: Change
) -> None:
    anna = people.anna
    candidate = make_manager("Kim Kandidat", Stage.RECRUIT)
    db.session.commit()
    change(lambda: update_manager(candidate, ChangeSet({"title": "Rektor"}), None))
    change(lambda: move_to_stage(candidate, Stage.INTRODUCE, people.hr, "", date(2025, 3, 1)))
    browser = _browser(app, login, people.admin)
    assert browser.get(f"/managers/{candidate.id}").status_code == 200  # the admin's read is logged too
    url = f"/managers/{candidate.id}/audit"

    english_page = browser.get(f"{url}?lang=en").get_data(as_text=True)
    assert "<title>Audit trail: Kim Kandidat – Chefsresan</title>" in english_page
    english = _table(english_page)
    viewed, moved, changed, created = (
        english.index("Viewed"),
        english.index("Moved from Recruit to Introduce"),
        english.index("Title"),
        english.index("Started the journey in Recruit"),
    )
    assert viewed < moved < changed < created
    assert "Adam Admin" in english and "Hanna HR" in english and "Rektor" not in english
    assert "<caption>" in english and 'scope="col"' in english

    swedish = _table(browser.get(f"{url}?lang=sv").get_data(as_text=True))
    with app.test_request_context(), force_locale("sv"):
        changed_label, viewed_label = gettext("Changed"), gettext("Viewed")
    assert swedish.index(viewed_label) < swedish.index("Flyttad från Rekrytera till Introducera")
    assert swedish.index("Flyttad från Rekrytera till Introducera") < swedish.index("Befattning")
    assert swedish.index("Befattning") < swedish.index("Började chefsresan i Rekrytera")
    assert changed_label in swedish
    assert "Moved from" not in swedish
    assert anna.name not in swedish


def test_the_page_paginates_newest_first(people: People, app: Flask, login: Login, change: Change) -> None:
    for n in range(7):
        change(lambda n=n: set_notes(people.plan, f"Anteckning {n}"))
    trail = audit_trail(people.anna, page=1, per_page=3)
    assert trail.total >= 7 and trail.pages == -(-trail.total // 3)
    second = audit_trail(people.anna, page=2, per_page=3)
    ids = [e.id for e in trail.events] + [e.id for e in second.events]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 6
    assert audit_trail(people.anna, page=10**12, per_page=3).page == trail.pages
    assert audit_trail(people.anna, page=-5, per_page=3).page == 1


def test_the_pages_go_back_and_forth_and_a_page_past_the_end_shows_the_last(
    people: People, app: Flask, login: Login
) -> None:
    boss = people.boss.user
    assert boss is not None
    # One page of reads and seven more, read n of review number 900000 + n (above the fixture's ids).
    with acting_as(boss, SOURCE_WEB):
        for n in range(1, EVENTS_PER_PAGE + 8):
            record_read(boss, people.anna, "review", 900_000 + n)
            db.session.flush()
    db.session.commit()
    total = audit_trail(people.anna).total
    assert EVENTS_PER_PAGE + 7 < total <= 2 * EVENTS_PER_PAGE  # the fixture's own changes come first
    browser = _browser(app, login, people.hr)
    url = f"/managers/{people.anna.id}/audit"

    def shown(page: str) -> set[int]:
        """Return which of the reads the page shows, by n."""
        return {n for n in range(1, EVENTS_PER_PAGE + 8) if f"<small>#{900_000 + n}</small>" in _table(page)}

    def rows(page: str) -> int:
        return _table(page).count("<tr>") - 1  # less the header

    first = browser.get(f"{url}?lang=en").get_data(as_text=True)
    assert shown(first) == set(range(8, EVENTS_PER_PAGE + 8)) and rows(first) == EVENTS_PER_PAGE
    assert '<span aria-current="page">Page 1 of 2</span>' in first
    assert f'href="{url}?page=2" rel="next"' in first and 'rel="prev"' not in first

    for asked in ("2", "3", "99999999999999999999"):
        last = browser.get(f"{url}?page={asked}&lang=en").get_data(as_text=True)
        # the seven oldest reads, then the fixture's changes
        assert shown(last) == set(range(1, 8)) and rows(last) == total - EVENTS_PER_PAGE, asked
        assert _table(last).index("<small>#900001</small>") > _table(last).index("<small>#900007</small>")
        assert '<span aria-current="page">Page 2 of 2</span>' in last, asked
        assert f'href="{url}?page=1" rel="prev"' in last and 'rel="next"' not in last, asked

    for asked in ("0", "-3", "x"):
        assert shown(browser.get(f"{url}?page={asked}").get_data(as_text=True)) == shown(first), asked


def test_the_pages_query_count_does_not_grow_with_the_events(
    people: People, app: Flask, login: Login, change: Change, count_queries: Callable[[], Any]
) -> None:
    browser = _browser(app, login, people.hr)
    url = f"/managers/{people.anna.id}/audit"
    browser.get(url)
    with count_queries() as few:
        assert browser.get(url).status_code == 200
    for n in range(12):
        actor = people.hr if n % 2 else people.admin
        change(lambda n=n: set_notes(people.plan, f"Anteckning {n}"), actor=actor)
    with count_queries() as many:
        page = browser.get(url).get_data(as_text=True)
    assert page.count("<tr>") >= 13
    assert many.count == few.count, many.statements
