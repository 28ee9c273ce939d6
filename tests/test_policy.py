"""Access: every endpoint declares a rule; managers see themselves and their reports, HR sees all."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from lifecycle.enums import Role
from lifecycle.policy import ENDPOINT_RULES
from tests.factories import make_manager
from tests.factories import make_user


def test_every_url_rule_declares_who_may_use_it(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    undeclared = endpoints - set(ENDPOINT_RULES)
    assert not undeclared, f"endpoints without an access rule in lifecycle/policy.py: {sorted(undeclared)}"
    assert not set(ENDPOINT_RULES) - endpoints, "rules for endpoints that no longer exist"


def test_manager_cannot_read_another_managers_record(app_ctx: Flask, client: FlaskClient, login) -> None:
    anna = make_manager("Anna Ansvarig", with_account=True)
    bo = make_manager("Bo Bortom", with_account=True)
    login(anna.user.email)  # type: ignore[union-attr]
    own = client.get(f"/managers/{anna.id}")
    assert own.status_code == 200
    assert "Anna Ansvarig" in own.get_data(as_text=True)
    other = client.get(f"/managers/{bo.id}")
    assert other.status_code == 404
    assert "Bo Bortom" not in other.get_data(as_text=True)
    # An id that does not exist answers exactly like one that is forbidden.
    assert client.get("/managers/999999").status_code == 404


def test_line_manager_sees_direct_reports_only(app_ctx: Flask, client: FlaskClient, login) -> None:
    boss = make_manager("Chefen", with_account=True)
    report = make_manager("Rapporten", line_manager=boss, with_account=True)
    grandchild = make_manager("Barnbarnet", line_manager=report)
    stranger = make_manager("Främlingen")
    login(boss.user.email)  # type: ignore[union-attr]
    assert client.get(f"/managers/{report.id}").status_code == 200
    assert client.get(f"/managers/{grandchild.id}").status_code == 404
    assert client.get(f"/managers/{stranger.id}").status_code == 404
    home = client.get("/").get_data(as_text=True)
    assert "Rapporten" in home and "Främlingen" not in home
    # The report's page lists the grandchild to HR, but never to the boss who may not see them.
    assert "Barnbarnet" not in client.get(f"/managers/{report.id}").get_data(as_text=True)


def test_report_cannot_see_their_line_manager(app_ctx: Flask, client: FlaskClient, login) -> None:
    boss = make_manager("Chefen", with_account=True)
    report = make_manager("Rapporten", line_manager=boss, with_account=True)
    login(report.user.email)  # type: ignore[union-attr]
    assert client.get(f"/managers/{boss.id}").status_code == 404


def test_hr_and_admin_see_everyone(app: Flask, app_ctx: Flask, login) -> None:
    people = [make_manager(f"Person {n}") for n in range(3)]
    for role in (Role.HR, Role.ADMIN):
        browser = app.test_client()
        login(make_user(role).email, test_client=browser)
        for person in people:
            assert browser.get(f"/managers/{person.id}").status_code == 200


def test_user_without_manager_record_sees_no_manager(app_ctx: Flask, client: FlaskClient, login) -> None:
    person = make_manager("Någon")
    user = make_user(Role.MANAGER)
    login(user.email)
    assert client.get(f"/managers/{person.id}").status_code == 404
