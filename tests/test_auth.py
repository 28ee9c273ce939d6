"""Login, sessions, CSRF, rate limits and security headers, with CSRF switched on as in production."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.services.accounts import set_enabled
from lifecycle.services.accounts import set_roles
from tests.conftest import csrf_token_from
from tests.conftest import post_form
from tests.factories import PASSWORD
from tests.factories import make_manager
from tests.factories import make_user


def test_login_page_is_swedish_by_default(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="sv"' in page
    assert "Logga in i Chefsresan" in page
    assert 'for="email">E-post</label>' in page


def test_login_then_home_then_logout(app_ctx: Flask, client: FlaskClient) -> None:
    user = make_user(Role.HR, email="hr@test.example", name="Hanna HR")
    response = post_form(client, "/login", {"email": "HR@test.example ", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Välkommen, Hanna HR" in home
    db.session.refresh(user)
    assert user.last_login_at is not None

    token = csrf_token_from(home)
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_a_manager_lands_on_their_own_plan_and_hr_on_the_overview(
    app_ctx: Flask, client: FlaskClient
) -> None:
    manager = make_manager("Maja Chef", with_account=True)
    assert manager.user is not None
    response = post_form(client, "/login", {"email": manager.user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/me"
    assert "Maja Chef" in client.get("/me").get_data(as_text=True)
    assert client.get("/login").headers["Location"] == "/me"  # already logged in: home again
    # A manager who also works in HR starts where HR's work is.
    hr_manager = make_manager("Harriet HR-chef", with_account=True)
    assert hr_manager.user is not None
    set_roles(hr_manager.user, {Role.MANAGER, Role.HR})
    db.session.commit()
    other = client.application.test_client()
    response = post_form(other, "/login", {"email": hr_manager.user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"
    # An explicit next page still wins.
    third = client.application.test_client()
    response = post_form(third, "/login?next=/pipeline", {"email": manager.user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/pipeline"


def test_wrong_password_shows_the_error_next_to_the_field(app_ctx: Flask, client: FlaskClient) -> None:
    make_user(email="someone@test.example")
    response = post_form(client, "/login", {"email": "someone@test.example", "password": "wrong"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="password-error"' in page
    assert "Fel e-postadress eller lösenord." in page
    assert 'aria-invalid="true"' in page


def test_post_without_csrf_token_is_refused(app_ctx: Flask, client: FlaskClient) -> None:
    make_user(email="csrf@test.example")
    response = client.post("/login", data={"email": "csrf@test.example", "password": PASSWORD})
    assert response.status_code == 400
    assert "Formuläret har gått ut" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still not logged in


def test_sixth_wrong_password_in_a_minute_gets_429(app_ctx: Flask, client: FlaskClient) -> None:
    make_user(email="target@test.example")
    for _attempt in range(5):
        response = post_form(client, "/login", {"email": "target@test.example", "password": "guess"})
        assert response.status_code == 200
    response = post_form(client, "/login", {"email": "target@test.example", "password": PASSWORD})
    assert response.status_code == 429
    assert "För många försök" in response.get_data(as_text=True)


def test_failed_logins_are_limited_per_account_across_addresses(app: Flask, app_ctx: Flask) -> None:
    make_user(email="victim@test.example")
    for attempt in range(5):
        attacker = app.test_client()
        attacker.environ_base["REMOTE_ADDR"] = f"10.0.0.{attempt + 1}"
        response = post_form(attacker, "/login", {"email": "victim@test.example", "password": "guess"})
        assert response.status_code == 200
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "10.0.0.99"
    response = post_form(attacker, "/login", {"email": "victim@test.example", "password": "guess"})
    assert response.status_code == 429


def test_successful_logins_do_not_count_against_the_limit(app_ctx: Flask, client: FlaskClient, login) -> None:
    make_user(email="daily@test.example")
    for _attempt in range(7):
        login("daily@test.example")
        client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})


def test_login_starts_a_new_session(app_ctx: Flask, client: FlaskClient) -> None:
    make_user(email="fresh@test.example")
    before = csrf_token_from(client.get("/login").get_data(as_text=True))
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    post_form(client, "/login", {"email": "fresh@test.example", "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session
    after = csrf_token_from(client.get("/").get_data(as_text=True))
    assert before != after


def test_disabled_account_is_logged_out_on_its_next_request(
    app_ctx: Flask, client: FlaskClient, login
) -> None:
    user = make_user(email="leaver@test.example")
    login("leaver@test.example")
    assert client.get("/").status_code == 200
    set_enabled(user, False)
    db.session.commit()
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    refused = post_form(client, "/login", {"email": "leaver@test.example", "password": PASSWORD})
    assert refused.status_code == 200


def test_login_never_redirects_to_another_site(app_ctx: Flask, client: FlaskClient) -> None:
    make_user(email="phish@test.example")
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        page = client.get("/login", query_string={"next": target})
        token = csrf_token_from(page.get_data(as_text=True))
        response = client.post(
            "/login",
            query_string={"next": target},
            data={"email": "phish@test.example", "password": PASSWORD, "csrf_token": token},
        )
        assert response.headers["Location"] == "/"
        client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})


def test_anonymous_visitor_is_sent_to_login_with_the_page_remembered(client: FlaskClient) -> None:
    response = client.get("/platform")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/platform"


def test_security_headers_on_pages(client: FlaskClient) -> None:
    response = client.get("/login")
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in headers  # only in production, behind TLS
    assert "<script>" not in response.get_data(as_text=True)


def test_session_cookie_is_httponly_and_lax(app_ctx: Flask, client: FlaskClient) -> None:
    make_user(email="cookie@test.example")
    response = post_form(client, "/login", {"email": "cookie@test.example", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logging_out_ends_the_users_other_sessions_too(app: Flask, app_ctx: Flask, login) -> None:
    make_user(email="two-devices@test.example")
    phone, laptop = app.test_client(), app.test_client()
    login("two-devices@test.example", test_client=phone)
    login("two-devices@test.example", test_client=laptop)
    assert phone.get("/").status_code == 200 and laptop.get("/").status_code == 200
    laptop.post("/logout", data={"csrf_token": csrf_token_from(laptop.get("/").get_data(as_text=True))})
    assert phone.get("/").status_code == 302


def test_users_disable_ends_every_session(app: Flask, app_ctx: Flask, login) -> None:  # type: ignore[no-untyped-def]
    make_user(email="leaving@test.example")
    browser = app.test_client()
    login("leaving@test.example", test_client=browser)
    assert browser.get("/").status_code == 200
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "disable", "leaving@test.example"])
    assert result.exit_code == 0, result.output
    assert browser.get("/").status_code == 302  # back to the login page
    refused = post_form(app.test_client(), "/login", {"email": "leaving@test.example", "password": PASSWORD})
    assert refused.status_code != 302
    assert runner.invoke(args=["users", "disable", "nobody@test.example"]).exit_code == 1
    assert runner.invoke(args=["users", "enable", "leaving@test.example"]).exit_code == 0
    login("leaving@test.example", test_client=browser)
    assert browser.get("/").status_code == 200
