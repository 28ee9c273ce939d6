"""The pages a logged-in user reads: the start page and the leadership platform, in Swedish and English."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from tests.conftest import post_form
from tests.factories import make_manager
from tests.factories import make_user


def _load_orebro() -> None:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))


def test_platform_page_lists_three_pillars_and_sixteen_expectations(
    app_ctx: Flask, client: FlaskClient, login
) -> None:
    _load_orebro()
    login(make_user(Role.HR).email)
    page = client.get("/platform").get_data(as_text=True)
    assert len(re.findall(r'<article id="pillar-', page)) == 3
    assert len(re.findall(r'<li id="expectation-', page)) == 16
    for text in (
        "Säker chef",
        "Initiativrik utvecklare",
        "Klar ledare",
        "Du är modig och nyfiken",
        "ge och få feedback",
        "Förenkla – Förnya – Förbättra",
        "Du är en del av en helhet",
        "undanröja hinder",
    ):
        assert text in page


def test_platform_page_in_english_by_choice_and_by_browser(
    app_ctx: Flask, app: Flask, client: FlaskClient, login
) -> None:
    _load_orebro()
    login(make_user(Role.MANAGER).email)
    page = client.get("/platform?lang=en").get_data(as_text=True)
    assert '<html lang="en"' in page
    assert "Clear leader" in page and "give and receive feedback" in page and "Klar ledare" not in page
    # The choice sticks for the session.
    assert "Secure manager" in client.get("/platform").get_data(as_text=True)

    english_browser = app.test_client()
    english_browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.9"
    page = english_browser.get("/login").get_data(as_text=True)
    assert "Log in to Chefsresan" in page


def test_user_language_preference_wins_over_the_browser(app_ctx: Flask, app: Flask, login) -> None:
    user = make_user(Role.MANAGER)
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "sv-SE,sv;q=0.9"
    login(user.email, test_client=browser)
    response = post_form(browser, "/account/", {"language": "en"}, follow_redirects=True)
    assert "Your settings are saved." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.language is not None and user.language.value == "en"
    assert "Welcome" in browser.get("/").get_data(as_text=True)


def test_dates_are_formatted_for_the_language(app_ctx: Flask, client: FlaskClient, login) -> None:
    from datetime import date

    person = make_manager("Datum Person", with_account=True, entered_on=date(2026, 3, 2))
    login(person.user.email)  # type: ignore[union-attr]
    assert "2 mars 2026" in client.get("/").get_data(as_text=True)
    assert "2 March 2026" in client.get("/?lang=en").get_data(as_text=True)


def test_hr_start_page_counts_every_stage(app_ctx: Flask, client: FlaskClient, login) -> None:
    for stage in (Stage.ATTRACT, Stage.RECRUIT, Stage.RECRUIT, Stage.DEVELOP):
        make_manager(stage=stage)
    login(make_user(Role.HR).email)
    page = client.get("/").get_data(as_text=True)
    assert "<strong>2</strong> Rekrytera" in page
    assert "<strong>1</strong> Attrahera" in page
    assert "<strong>0</strong> Avveckla" in page


def test_platform_page_without_a_platform_says_how_to_load_one(
    app_ctx: Flask, client: FlaskClient, login
) -> None:
    login(make_user().email)
    page = client.get("/platform").get_data(as_text=True)
    assert "Ingen ledarplattform är inläst" in page


def test_error_pages_speak_the_users_language_and_hide_internals(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.get_data(as_text=True)
    english = client.get("/no-such-page?lang=en").get_data(as_text=True)
    assert "The page does not exist" in english
    assert "Traceback" not in english


def test_health_endpoint(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
