"""An account ends with its journey; a disabled account has no way in; hashes follow the parameters;
creating API tokens is rate-limited, with limits set from the environment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from config import ConfigurationError
from config import DevelopmentConfig
from config import ProductionConfig
from lifecycle.auth import password_hasher
from lifecycle.auth import verify_password
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import User
from lifecycle.services.calendar import issue_calendar_token
from lifecycle.services.journey import StageMoveError
from lifecycle.services.journey import allowed_moves
from lifecycle.services.journey import move_to_stage
from lifecycle.services.tokens import create_token
from tests.conftest import post_form
from tests.factories import PASSWORD
from tests.factories import make_manager
from tests.factories import make_user


@dataclass
class Leaver:
    """A manager with an account in use: a logged-in browser, an API token and a calendar feed."""

    user: User
    manager_id: int
    browser: FlaskClient
    api_secret: str
    feed_token: str

    def api(self, client: FlaskClient) -> int:
        return client.get("/api/v1/units", headers={"Authorization": f"Bearer {self.api_secret}"}).status_code

    def feed(self, client: FlaskClient) -> int:
        return client.get(f"/calendar/{self.feed_token}.ics").status_code


def make_leaver(app: Flask, login, stage: Stage) -> Leaver:  # type: ignore[no-untyped-def]
    user = make_user(Role.MANAGER, email=f"{stage.value}-leaver@test.example")
    manager = make_manager(f"Lämnar {stage.value}", stage, user=user)
    if stage is Stage.DEVELOP:
        move_to_stage(
            manager, Stage.OFFBOARD, None, "Ny tjänst", date(2025, 6, 1), end_date=date(2025, 6, 30)
        )
    _token, secret = create_token(user, "skript")
    feed_token = issue_calendar_token(user)
    db.session.commit()
    browser = app.test_client()
    login(user.email, test_client=browser)
    leaver = Leaver(user, manager.id, browser, secret, feed_token)
    # Everything works before the journey closes.
    assert browser.get("/").status_code == 200
    assert browser.get("/api/v1/units").status_code == 200
    assert leaver.api(app.test_client()) == 200
    assert leaver.feed(app.test_client()) == 200
    return leaver


def close_as_hr(app: Flask, login, manager_id: int) -> None:  # type: ignore[no-untyped-def]
    hr = make_user(Role.HR)
    db.session.commit()
    hr_browser = app.test_client()
    login(hr.email, test_client=hr_browser)
    url = f"/managers/{manager_id}/move"
    form = {"to_stage": "closed", "reason": "Avslutad", "effective_date": "2025-07-01", "end_date": ""}
    # Without the confirmation nothing happens: the box is pointed out next to it.
    unconfirmed = post_form(hr_browser, url, form)
    assert unconfirmed.status_code == 200
    page = unconfirmed.get_data(as_text=True)
    assert 'id="confirm_close-error"' in page and "Kryssa i rutan för att bekräfta" in page
    manager = db.session.get(Manager, manager_id)
    assert manager is not None
    db.session.refresh(manager)
    assert manager.stage is not Stage.CLOSED
    response = post_form(hr_browser, url, {**form, "confirm_close": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)


def assert_shut_out(app: Flask, leaver: Leaver) -> None:
    db.session.refresh(leaver.user)
    assert not leaver.user.is_enabled
    # The session the browser holds is over, on pages and in the API.
    page = leaver.browser.get("/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    assert leaver.browser.get("/api/v1/units").status_code == 401
    # The password no longer logs in.
    refused = post_form(app.test_client(), "/login", {"email": leaver.user.email, "password": PASSWORD})
    assert refused.status_code == 200
    # The API token and the calendar feed stop.
    assert leaver.api(app.test_client()) == 401
    assert leaver.feed(app.test_client()) == 404


@pytest.mark.parametrize("stage", [Stage.DEVELOP, Stage.RECRUIT], ids=["offboarded", "not selected"])
def test_closing_the_journey_shuts_the_account_out_at_once(
    app: Flask, app_ctx: Flask, login, stage: Stage
) -> None:
    leaver = make_leaver(app, login, stage)
    close_as_hr(app, login, leaver.manager_id)
    assert_shut_out(app, leaver)


def test_a_closed_journey_cannot_reopen_so_nothing_enables_the_account_again(app_ctx: Flask) -> None:
    assert allowed_moves(Stage.CLOSED) == ()
    user = make_user(Role.MANAGER)
    manager = make_manager(stage=Stage.RECRUIT, user=user)
    move_to_stage(manager, Stage.CLOSED, None, "Ej vald", date(2025, 2, 1))
    for stage in Stage:
        with pytest.raises(StageMoveError):
            move_to_stage(manager, stage, None, "Åter", date(2025, 3, 1))
    assert not user.is_enabled


def test_moves_before_closing_leave_the_account_alone(app_ctx: Flask) -> None:
    user = make_user(Role.MANAGER)
    manager = make_manager(stage=Stage.DEVELOP, user=user)
    token_before = user.session_token
    move_to_stage(manager, Stage.OFFBOARD, None, "Slutar", date(2025, 6, 1), end_date=date(2025, 6, 30))
    assert user.is_enabled and user.session_token == token_before


def test_a_journey_without_an_account_closes_as_before(app_ctx: Flask) -> None:
    manager = make_manager(stage=Stage.ATTRACT)
    move_to_stage(manager, Stage.CLOSED, None, "Inte aktuell", date(2025, 2, 1))
    assert manager.stage is Stage.CLOSED


# -- rehash on login ----------------------------------------------------------------------------------------


def test_a_hash_with_old_parameters_is_replaced_at_the_next_login(
    app_ctx: Flask, client: FlaskClient, login
) -> None:
    user = make_user(email="gammal-hash@test.example")
    weaker = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1)
    user.password_hash = weaker.hash(PASSWORD)
    db.session.commit()
    old_hash = user.password_hash
    assert password_hasher().check_needs_rehash(old_hash)

    # A wrong password changes nothing.
    post_form(client, "/login", {"email": user.email, "password": "fel lösenord här"})
    db.session.refresh(user)
    assert user.password_hash == old_hash

    login(user.email)
    db.session.refresh(user)
    assert user.password_hash != old_hash
    assert "m=1024" in user.password_hash and "m=512" not in user.password_hash
    assert not password_hasher().check_needs_rehash(user.password_hash)
    assert verify_password(user, PASSWORD)


def test_a_hash_with_current_parameters_is_kept(app_ctx: Flask, client: FlaskClient, login) -> None:
    user = make_user(email="ny-hash@test.example")
    db.session.commit()
    current = user.password_hash
    login(user.email)
    db.session.refresh(user)
    assert user.password_hash == current


# -- token creation limit -----------------------------------------------------------------------------------


def test_creating_api_tokens_is_limited_per_user(
    app: Flask, app_ctx: Flask, client: FlaskClient, login
) -> None:
    user = make_user(Role.MANAGER)
    db.session.commit()
    login(user.email)
    # A form with errors creates nothing, so it does not count.
    assert post_form(client, "/account/tokens", {"name": ""}).status_code == 400
    for number in range(10):
        assert post_form(client, "/account/tokens", {"name": f"Skript {number}"}).status_code == 200
    refused = post_form(client, "/account/tokens", {"name": "Ett till"})
    assert refused.status_code == 429
    message = "Du har skapat många API-nycklar på kort tid. Försök igen efter"
    assert message in refused.get_data(as_text=True)
    assert client.get("/account/").status_code == 200  # the settings page itself still opens
    # The limit is the user's: another browser of the same user is held back too, another user is not.
    same_user = app.test_client()
    login(user.email, test_client=same_user)
    assert post_form(same_user, "/account/tokens", {"name": "Från mobilen"}).status_code == 429
    other = make_user(Role.MANAGER)
    db.session.commit()
    other_browser = app.test_client()
    login(other.email, test_client=other_browser)
    assert post_form(other_browser, "/account/tokens", {"name": "Mitt"}).status_code == 200


def test_the_token_limit_is_read_from_the_configuration(
    app: Flask, app_ctx: Flask, client: FlaskClient, login, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "API_TOKEN_RATE_LIMIT", "2 per hour")
    user = make_user(Role.MANAGER)
    db.session.commit()
    login(user.email)
    assert post_form(client, "/account/tokens", {"name": "Ett"}).status_code == 200
    assert post_form(client, "/account/tokens", {"name": "Två"}).status_code == 200
    assert post_form(client, "/account/tokens", {"name": "Tre"}).status_code == 429


def test_the_rate_limits_come_from_the_environment(tmp_path: Path) -> None:
    limits = {
        "LOGIN_RATE_LIMIT": "8 per minute",
        "PASSWORD_RESET_RATE_LIMIT": "20 per hour",
        "PASSWORD_RESET_EMAIL_RATE_LIMIT": "2 per hour; 5 per day",
        "API_TOKEN_RATE_LIMIT": "3/hour",
    }
    settings = ProductionConfig.from_environment(
        tmp_path, environ={**limits, "SECRET_KEY": "k" * 32, "BASE_URL": "https://chefsresan.example"}
    )
    assert {name: settings[name] for name in limits} == limits
    defaults = DevelopmentConfig.from_environment(tmp_path, environ={name: "" for name in limits})
    assert {name: defaults[name] for name in limits} == {
        "LOGIN_RATE_LIMIT": "5 per minute",
        "PASSWORD_RESET_RATE_LIMIT": "10 per hour",
        "PASSWORD_RESET_EMAIL_RATE_LIMIT": "3 per hour",
        "API_TOKEN_RATE_LIMIT": "10 per hour",
    }
    # A limit that cannot be read stops the start, naming the variable, instead of failing every request.
    with pytest.raises(ConfigurationError, match="API_TOKEN_RATE_LIMIT"):
        DevelopmentConfig.from_environment(tmp_path, environ={"API_TOKEN_RATE_LIMIT": "ten an hour"})
