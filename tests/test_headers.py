"""Security headers on every page, HSTS in production, and plain error pages in the user's language.

The pages are those of the access matrix (`tests/test_access_matrix.py`): every GET rule, filled with
the matrix's fixture objects, as HR and as manager A, so a new page is checked as soon as the matrix
knows how to reach it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from lifecycle.enums import Language
from lifecycle.extensions import db
from lifecycle.policy import ENDPOINT_RULES
from lifecycle.policy import PUBLIC
from tests.conftest import post_form
from tests.factories import make_user
from tests.test_access_matrix import HR
from tests.test_access_matrix import MATRIX
from tests.test_access_matrix import MGR_A
from tests.test_access_matrix import Matrix
from tests.test_access_matrix import build_world

#: responses that never hold personal data, and so may be cached
CACHEABLE = {"static", "api.openapi", "system.health"}
REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}


def csp_directives(response: TestResponse) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy", "")
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def header_problems(response: TestResponse, *, personal: bool = True) -> list[str]:
    """Return what a response's security headers lack (nothing when all are right)."""
    problems = []
    headers = response.headers
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if headers.get("Referrer-Policy") not in REFERRER_POLICIES:
        problems.append(f"Referrer-Policy is {headers.get('Referrer-Policy')!r}")
    if personal and "no-store" not in headers.get("Cache-Control", ""):
        problems.append(f"Cache-Control is {headers.get('Cache-Control')!r}, not no-store")
    if response.mimetype == "text/html":
        csp = csp_directives(response)
        scripts = csp.get("script-src", csp.get("default-src"))
        if scripts is None or "'unsafe-inline'" in scripts or "'unsafe-eval'" in scripts or "*" in scripts:
            problems.append(f"CSP lets scripts run from {scripts}")
        if csp.get("frame-ancestors") != ["'none'"]:
            problems.append(f"CSP frame-ancestors is {csp.get('frame-ancestors')}")
        if csp.get("object-src") != ["'none'"]:
            problems.append(f"CSP object-src is {csp.get('object-src')}")
        if csp.get("base-uri") not in (["'none'"], ["'self'"]):
            problems.append(f"CSP base-uri is {csp.get('base-uri')}")
    return problems


@pytest.fixture
def matrix(app: Flask, app_ctx: Flask) -> Matrix:
    """The access matrix's data and logged-in browsers, inside this test's own transaction."""
    return Matrix(app, build_world())


def test_every_page_carries_the_security_headers(matrix: Matrix) -> None:
    problems: list[str] = []
    pages = 0
    for (endpoint, method), cases in MATRIX.items():
        if method != "GET":
            continue
        for case in cases:
            for role in (HR, MGR_A):
                if role not in case.allowed:
                    continue
                response = matrix.send(endpoint, method, case, role)
                pages += response.mimetype == "text/html"
                for problem in header_problems(response, personal=endpoint not in CACHEABLE):
                    problems.append(f"{endpoint} [{case.target}] as {role} ({response.mimetype}): {problem}")
    assert pages > 30, "the matrix reaches the pages"
    assert not problems, "\n".join(problems)


def test_refusals_and_login_redirects_carry_the_headers_too(matrix: Matrix) -> None:
    anonymous = matrix.browsers["anonymous"].client
    for response in (
        anonymous.get("/pipeline"),
        anonymous.get("/no-such-page"),
        matrix.browsers[MGR_A].client.get("/pipeline"),
        anonymous.get("/api/v1/managers"),
    ):
        assert not header_problems(response), (response.status_code, header_problems(response))


def _production_app(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **overrides: object
) -> Flask:
    monkeypatch.setenv("SECRET_KEY", "p" * 40)
    monkeypatch.setenv("BASE_URL", "https://chefsresan.kommun.example")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'production.sqlite3'}")
    monkeypatch.delenv("REDIS_URL", raising=False)
    return make_app("production", **overrides)


def test_production_sends_hsts_for_a_year_on_pages_and_errors(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    production = _production_app(make_app, monkeypatch, tmp_path)
    client = production.test_client()
    login_page = client.get("/login")
    for response in (login_page, client.get("/no-such-page"), client.get("/pipeline")):
        hsts = response.headers.get("Strict-Transport-Security", "")
        assert hsts.startswith("max-age="), (response.status_code, hsts)
        assert int(hsts.split(";")[0].removeprefix("max-age=")) >= 31_536_000
        assert not header_problems(response)
    cookie = login_page.headers.get("Set-Cookie", "")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_hsts_outside_production(client: FlaskClient) -> None:
    # Plain-HTTP development servers would otherwise be unreachable in the browser for a year.
    assert "Strict-Transport-Security" not in client.get("/login").headers


# -- error pages ---------------------------------------------------------------------------------------

SWEDISH_404 = "Sidan finns inte, eller så har du inte behörighet till den."
ENGLISH_404 = "The page does not exist, or you do not have access to it."
INTERNALS = ("Traceback", 'File "', "werkzeug", "sqlalchemy", "lifecycle/", "RuntimeError")


def assert_plain_error(response: TestResponse, status: int, text: str) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == status, body
    assert text in body, body
    for internal in INTERNALS:
        assert internal not in body, f"{internal!r} on the {status} page"
    assert not header_problems(response)


@pytest.mark.parametrize(
    ("how", "text"),
    [
        ({}, SWEDISH_404),
        ({"query": "?lang=en"}, ENGLISH_404),
        ({"headers": {"Accept-Language": "en-GB,en;q=0.9"}}, ENGLISH_404),
        ({"headers": {"Accept-Language": "sv-SE,sv;q=0.9,en;q=0.5"}}, SWEDISH_404),
    ],
)
def test_404_speaks_the_visitors_language(client: FlaskClient, how: dict[str, object], text: str) -> None:
    url = "/no-such-page" + str(how.get("query", ""))
    assert_plain_error(client.get(url, headers=how.get("headers", {})), 404, text)  # type: ignore[arg-type]


def test_error_pages_follow_the_users_own_language(app_ctx: Flask, client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    user.language = Language.EN
    db.session.flush()
    login(user.email)
    # The browser asks for Swedish; the user's own choice wins.
    headers = {"Accept-Language": "sv"}
    assert_plain_error(client.get("/no-such-page", headers=headers), 404, ENGLISH_404)
    assert_plain_error(client.get("/logout", headers=headers), 405, "That action is not possible here.")
    refused = client.post("/account/", data={"language": "sv"}, headers=headers)
    assert_plain_error(refused, 400, "The form has expired or was sent from elsewhere.")


def test_405_and_csrf_400_in_swedish_by_default(client: FlaskClient) -> None:
    assert_plain_error(client.get("/logout"), 405, "Det går inte att göra här.")
    without_token = client.post("/login", data={"email": "a@b.se", "password": "x"})
    assert_plain_error(without_token, 400, "Formuläret har gått ut eller skickades från en annan sida.")
    english = client.post("/login?lang=en", data={"email": "a@b.se", "password": "x"})
    assert_plain_error(english, 400, "The form has expired or was sent from elsewhere.")


def test_a_nul_character_is_a_plain_400(app_ctx: Flask, client: FlaskClient) -> None:
    response = post_form(client, "/login", {"email": "a\x00@b.se", "password": "x"})
    assert_plain_error(response, 400, "Förfrågan kunde inte tolkas.")


@pytest.fixture
def failing_app(make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Flask:
    """An app with routes that raise, as a bug would; exceptions are answered, not propagated to the test."""
    extra = make_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'failing.sqlite3'}",
        PROPAGATE_EXCEPTIONS=False,
    )

    def boom() -> str:
        raise RuntimeError("secret internal detail: password=hunter2")

    extra.add_url_rule("/boom", "test_boom", boom)
    extra.add_url_rule("/api/v1/boom", "test_api_boom", boom)
    monkeypatch.setitem(ENDPOINT_RULES, "test_boom", PUBLIC)
    monkeypatch.setitem(ENDPOINT_RULES, "test_api_boom", PUBLIC)
    return extra


@pytest.mark.parametrize(
    ("headers", "text"),
    [
        ({}, "Något gick fel hos oss. Försök igen om en stund."),
        ({"Accept-Language": "en"}, "Something went wrong on our side. Try again in a moment."),
    ],
)
def test_a_server_error_shows_no_stack_trace(failing_app: Flask, headers: dict[str, str], text: str) -> None:
    client = failing_app.test_client()
    response = client.get("/boom", headers=headers)
    assert_plain_error(response, 500, text)
    assert "hunter2" not in response.get_data(as_text=True)
    api = client.get("/api/v1/boom", headers=headers)
    assert api.status_code == 500
    assert api.get_json() == {"error": {"message": text}}
    assert "hunter2" not in api.get_data(as_text=True)
