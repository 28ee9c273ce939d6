"""Personal API tokens: made and revoked by their owner on the settings page or by the command line."""

from __future__ import annotations

import hashlib
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import ApiToken
from lifecycle.services.accounts import set_enabled
from lifecycle.services.tokens import authenticate_token
from lifecycle.services.tokens import create_token
from lifecycle.services.tokens import revoke_token
from tests.conftest import csrf_token_from
from tests.conftest import post_form
from tests.factories import make_user

SECRET_IN_PAGE = r"<code id=\"new-token\">(chr_[A-Za-z0-9_-]+)</code>"


def test_only_a_digest_of_the_secret_is_stored(app_ctx: Flask) -> None:
    user = make_user(Role.HR)
    token, secret = create_token(user, " Lönesystemet ")
    assert secret.startswith("chr_") and len(secret) > 40
    assert token.name == "Lönesystemet"
    assert token.prefix == secret[:8]
    assert token.token_digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.token_digest, token.prefix, token.name}
    assert authenticate_token(secret) is user
    assert token.last_used_at is not None
    assert authenticate_token(secret + "x") is None
    assert authenticate_token("") is None
    # Two tokens never share a secret.
    assert create_token(user, "second")[1] != secret


def test_revoked_and_disabled_tokens_do_not_authenticate(app_ctx: Flask) -> None:
    user = make_user(Role.HR)
    token, secret = create_token(user, "a")
    revoke_token(token)
    revoke_token(token)  # again: nothing changes
    assert authenticate_token(secret) is None
    _other, other_secret = create_token(user, "b")
    set_enabled(user, False)
    assert authenticate_token(other_secret) is None


def test_settings_page_creates_a_token_and_shows_it_once(app_ctx: Flask, client: FlaskClient, login) -> None:
    user = make_user(Role.MANAGER)
    login(user.email)
    response = post_form(client, "/account/tokens", {"name": "Mitt skript"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    match = re.search(SECRET_IN_PAGE, page)
    assert match, page
    secret = match.group(1)
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/units", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    # The page lists the token by name and prefix, never the secret again.
    again = client.get("/account/").get_data(as_text=True)
    assert "Mitt skript" in again and secret[:8] in again
    assert secret not in again


def test_creating_a_token_needs_csrf_and_a_name(app_ctx: Flask, client: FlaskClient, login) -> None:
    user = make_user(Role.MANAGER)
    login(user.email)
    assert client.post("/account/tokens", data={"name": "Utan CSRF"}).status_code == 400
    unnamed = post_form(client, "/account/tokens", {"name": "  "})
    assert unnamed.status_code == 400
    assert "new-token" not in unnamed.get_data(as_text=True)
    assert db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all() == []


def test_revoking_a_token_on_the_settings_page(app_ctx: Flask, client: FlaskClient, login) -> None:
    user = make_user(Role.HR)
    token, secret = create_token(user, "Gammal")
    login(user.email)
    page = client.get("/account/").get_data(as_text=True)
    assert "Gammal" in page and f"/account/tokens/{token.id}/revoke" in page
    # Without the CSRF token nothing happens.
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 400
    assert client.get("/api/v1/units", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    response = client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert client.get("/api/v1/units", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    after = client.get("/account/").get_data(as_text=True)
    assert f"/account/tokens/{token.id}/revoke" not in after


def test_a_user_cannot_revoke_someone_elses_token(app_ctx: Flask, client: FlaskClient, login) -> None:
    owner = make_user(Role.HR)
    token, secret = create_token(owner, "Ägarens")
    intruder = make_user(Role.HR)
    login(intruder.email)
    page = client.get("/account/").get_data(as_text=True)
    response = client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 404
    assert authenticate_token(secret) is owner


def test_token_pages_need_login(app_ctx: Flask, client: FlaskClient) -> None:
    assert client.get("/account/tokens").status_code == 302
    assert client.post("/account/tokens/1/revoke").status_code in (302, 400)


def test_cli_prints_a_working_token(app: Flask, app_ctx: Flask, client: FlaskClient) -> None:
    user = make_user(Role.HR, email="integration@kommun.example")
    result = app.test_cli_runner().invoke(
        args=["api-token", "Integration@kommun.example", "--name", "Lönesystem"]
    )
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("chr_")
    assert client.get("/api/v1/managers", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    stored = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored is not None and stored.name == "Lönesystem"


def test_cli_refuses_unknown_and_disabled_users(app: Flask, app_ctx: Flask) -> None:
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["api-token", "nobody@kommun.example"])
    assert unknown.exit_code == 1
    user = make_user(Role.HR)
    set_enabled(user, False)
    disabled = runner.invoke(args=["api-token", user.email])
    assert disabled.exit_code == 1
    assert db.session.scalars(select(ApiToken)).all() == []
