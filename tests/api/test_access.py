"""Who may use the API: tokens, the same policy as the pages, and no cookie-driven changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from lifecycle.db import utcnow
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import ApiToken
from lifecycle.models import User
from lifecycle.services.accounts import set_enabled
from lifecycle.services.tokens import create_token
from lifecycle.services.tokens import revoke_token
from tests.api.conftest import ApiClient
from tests.factories import make_manager
from tests.factories import make_user

# Dates here are computed from today: every test runs at the suite's fixed moment (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("clock")

NEW_MANAGER = {"name": "Nina Ny", "stage": "recruit"}


def _ids(response: TestResponse) -> set[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["id"] for item in response.get_json()["items"]}


def test_manager_token_sees_only_themselves_and_direct_reports(
    app_ctx: Flask, api_as: Callable[[User], ApiClient]
) -> None:
    boss = make_manager("Chefen", with_account=True)
    report = make_manager("Rapporten", line_manager=boss)
    grandchild = make_manager("Barnbarnet", line_manager=report)
    stranger = make_manager("Främlingen", with_account=True)
    api = api_as(boss.user)  # type: ignore[arg-type]

    assert _ids(api.get("/api/v1/managers")) == {boss.id, report.id}
    assert api.get(f"/api/v1/managers/{report.id}").status_code == 200
    for hidden in (grandchild, stranger):
        response = api.get(f"/api/v1/managers/{hidden.id}")
        assert response.status_code == 404
        assert response.get_json()["error"]["message"]
        assert hidden.name not in response.get_data(as_text=True)
        assert api.get(f"/api/v1/managers/{hidden.id}/transitions").status_code == 404
    # An id that does not exist answers exactly like one that is hidden.
    assert (
        api.get("/api/v1/managers/999999").get_json() == api.get(f"/api/v1/managers/{stranger.id}").get_json()
    )
    # Filters cannot widen what the policy admits.
    assert _ids(api.get(f"/api/v1/managers?line_manager={report.id}")) == set()
    assert _ids(api.get("/api/v1/managers?q=Främlingen")) == set()


def test_hr_and_admin_tokens_see_everyone(app_ctx: Flask, api_as: Callable[[User], ApiClient]) -> None:
    people = {make_manager().id for _ in range(3)}
    for role in (Role.HR, Role.ADMIN):
        api = api_as(make_user(role))
        assert people <= _ids(api.get("/api/v1/managers"))
        for person in people:
            assert api.get(f"/api/v1/managers/{person}").status_code == 200


def test_manager_token_cannot_change_anything(app_ctx: Flask, api_as: Callable[[User], ApiClient]) -> None:
    boss = make_manager("Chefen", with_account=True)
    report = make_manager("Rapporten", line_manager=boss)
    api = api_as(boss.user)  # type: ignore[arg-type]
    assert api.post("/api/v1/managers", json=NEW_MANAGER).status_code == 404
    for target in (boss, report):
        assert api.patch(f"/api/v1/managers/{target.id}", json={"title": "VD"}).status_code == 404
        move = {"to_stage": "offboard", "reason": "Slutar", "end_date": "2030-01-01"}
        assert api.post(f"/api/v1/managers/{target.id}/transitions", json=move).status_code == 404
    db.session.refresh(report)
    assert report.title == "Enhetschef"


def test_no_credentials_is_a_json_401(app_ctx: Flask, client: FlaskClient) -> None:
    for url in ("/api/v1/managers", "/api/v1/units", "/api/v1/platform", "/api/v1/managers/1"):
        response = client.get(url)
        assert response.status_code == 401
        assert response.mimetype == "application/json"
        assert response.get_json()["error"]["message"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.post("/api/v1/managers", json=NEW_MANAGER).status_code == 401


def test_revoked_token_is_refused(app_ctx: Flask, client: FlaskClient) -> None:
    token, secret = create_token(make_user(Role.HR), "integration")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/managers", headers=headers).status_code == 200
    revoke_token(token)
    response = client.get("/api/v1/managers", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["message"]


def test_disabled_users_token_is_refused(app_ctx: Flask, client: FlaskClient) -> None:
    user = make_user(Role.HR)
    _token, secret = create_token(user, "integration")
    set_enabled(user, False)
    assert client.get("/api/v1/managers", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_malformed_authorization_headers_are_refused(app_ctx: Flask, client: FlaskClient) -> None:
    _token, secret = create_token(make_user(Role.HR), "integration")
    for header in (
        "Bearer",
        "Bearer ",
        f"Basic {secret}",
        f"Bearer {secret}x",
        "Bearer chr_" + "a" * 5000,
        "Bearer \x7f",
        secret,
    ):
        response = client.get("/api/v1/managers", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.mimetype == "application/json"
    # Even the public document refuses a token that is not valid rather than ignoring it.
    assert client.get("/api/v1/openapi.json", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_session_cookie_may_read_but_not_change(app_ctx: Flask, client: FlaskClient, login) -> None:
    hr = make_user(Role.HR)
    person = make_manager("Person")
    login(hr.email)
    assert client.get(f"/api/v1/managers/{person.id}").status_code == 200
    refused = [
        client.post("/api/v1/managers", json=NEW_MANAGER),
        client.patch(f"/api/v1/managers/{person.id}", json={"title": "VD"}),
        client.post(
            f"/api/v1/managers/{person.id}/transitions", json={"to_stage": "offboard", "reason": "x"}
        ),
    ]
    for response in refused:
        assert response.status_code == 403
        assert "token" in response.get_json()["error"]["message"].lower()
    db.session.refresh(person)
    assert person.title == "Enhetschef"


def test_token_decides_when_a_session_cookie_comes_too(
    app: Flask, app_ctx: Flask, client: FlaskClient, login
) -> None:
    hr = make_user(Role.HR)
    boss = make_manager("Chefen", with_account=True)
    stranger = make_manager("Främlingen")
    _token, boss_secret = create_token(boss.user, "boss")  # type: ignore[arg-type]
    login(hr.email)
    # An HR session does not widen what the manager's token may see...
    response = client.get(
        f"/api/v1/managers/{stranger.id}", headers={"Authorization": f"Bearer {boss_secret}"}
    )
    assert response.status_code == 404
    # ... and a manager's session does not narrow what an HR token may do.
    other = app.test_client()
    login(boss.user.email, test_client=other)  # type: ignore[union-attr]
    _token, hr_secret = create_token(hr, "hr")
    created = other.post(
        "/api/v1/managers", json=NEW_MANAGER, headers={"Authorization": f"Bearer {hr_secret}"}
    )
    assert created.status_code == 201, created.get_data(as_text=True)


def test_token_requests_set_no_cookie(app_ctx: Flask, hr_api: ApiClient) -> None:
    response = hr_api.get("/api/v1/managers?lang=en")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_last_use_is_recorded_at_most_once_a_minute(
    app_ctx: Flask, client: FlaskClient, count_queries
) -> None:
    token, secret = create_token(make_user(Role.HR), "integration")
    headers = {"Authorization": f"Bearer {secret}"}
    assert token.last_used_at is None
    client.get("/api/v1/units", headers=headers)
    first = db.session.scalar(db.select(ApiToken.last_used_at).where(ApiToken.id == token.id))
    assert first is not None
    with count_queries() as counter:
        client.get("/api/v1/units", headers=headers)
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in counter.statements)
    assert db.session.scalar(db.select(ApiToken.last_used_at).where(ApiToken.id == token.id)) == first
    # A minute later the next call notes it again.
    db.session.execute(
        db.update(ApiToken)
        .where(ApiToken.id == token.id)
        .values(last_used_at=utcnow() - timedelta(minutes=2))
    )
    client.get("/api/v1/units", headers=headers)
    assert db.session.scalar(db.select(ApiToken.last_used_at).where(ApiToken.id == token.id)) > first
