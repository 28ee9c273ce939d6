"""Password reset by e-mail, through a real SMTP server (aiosmtpd): single use, expiring, no enumeration."""

from __future__ import annotations

import email
import email.policy
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from werkzeug.test import TestResponse

from lifecycle.auth import verify_password
from lifecycle.enums import Language
from lifecycle.extensions import db
from lifecycle.models import PasswordResetToken
from lifecycle.models import User
from lifecycle.notifications import _drop_smtp_connection
from lifecycle.services.accounts import set_enabled
from lifecycle.services.password_reset import LinkState
from lifecycle.services.password_reset import check_reset_link
from lifecycle.services.password_reset import issue_reset_token
from lifecycle.services.password_reset import reset_password
from lifecycle.services.tokens import digest
from tests.conftest import Inbox
from tests.conftest import WorkerTasks
from tests.conftest import csrf_token_from
from tests.conftest import post_form
from tests.factories import PASSWORD
from tests.factories import make_user

NEW_PASSWORD = "blå cykel under äppelträdet"
LINK = re.compile(r"http://localhost/reset-password/([A-Za-z0-9_\-]+)")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


# -- helpers ------------------------------------------------------------------------------------------------


def ask_for_link(client: FlaskClient, address: str, **kwargs: Any) -> TestResponse:
    """Send the form, then close the response as a WSGI server does once the answer has gone out."""
    response = post_form(client, "/forgot-password", {"email": address}, **kwargs)
    response.close()
    return response


def text_and_html(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def secret_from(message: EmailMessage) -> str:
    text, html = text_and_html(message)
    match = LINK.search(text)
    assert match, text
    assert f'href="{match.group(0)}"' in html
    return match.group(1)


def open_link(client: FlaskClient, secret: str) -> TestResponse:
    """Open the e-mailed link, follow its redirect, and return the page with the form."""
    opened = client.get(f"/reset-password/{secret}")
    assert opened.status_code == 303 and opened.headers["Location"] == "/reset-password", opened.status_code
    page = client.get("/reset-password")
    assert page.status_code == 200, page.status_code
    return page


def send_password(
    client: FlaskClient, page: TestResponse, password: str, repeat: str | None = None
) -> TestResponse:
    """Send the new password from the form page, like a browser (the secret is not in the form)."""
    return client.post(
        "/reset-password",
        data={
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
            "new_password": password,
            "repeat_password": password if repeat is None else repeat,
        },
    )


def choose_password(
    client: FlaskClient, secret: str, password: str, repeat: str | None = None
) -> TestResponse:
    """Open the link, then send the new password from its page like a browser."""
    return send_password(client, open_link(client, secret), password, repeat)


def tokens_of(user: User) -> list[PasswordResetToken]:
    db.session.expire_all()
    return list(db.session.scalars(select(PasswordResetToken).where(PasswordResetToken.user_id == user.id)))


# -- the flow ------------------------------------------------------------------------------------------------


def test_the_login_page_links_to_the_reset_form(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/forgot-password"' in page
    form = client.get("/forgot-password")
    assert form.status_code == 200
    assert 'name="email"' in form.get_data(as_text=True)


def test_the_link_sets_a_new_password_once(app_ctx: Flask, client: FlaskClient, inbox: Inbox, login) -> None:
    user = make_user(email="glomsk@test.example", name="Glömsk Person")
    user.language = Language.EN
    db.session.commit()
    answer = ask_for_link(client, "Glomsk@Test.example ")
    assert answer.status_code == 200
    [message] = inbox.to("glomsk@test.example")
    assert message["Subject"] == "Choose a new password for Chefsresan"
    assert message["Auto-Submitted"] == "auto-generated"
    text, html = text_and_html(message)
    assert "Hello Glömsk Person," in text
    assert "The link works once, for 60 minutes." in text
    assert '<html lang="en"' in html
    secret = secret_from(message)
    # Only a digest is stored; the secret exists in the e-mail alone.
    [token] = tokens_of(user)
    assert token.token_digest == digest(secret) and secret not in token.token_digest

    # The link's address is visited once: it answers with a redirect to an address without the secret,
    # and the browser's session keeps the secret's digest, never the secret.
    opened = client.get(f"/reset-password/{secret}")
    assert opened.status_code == 303 and opened.headers["Location"] == "/reset-password"
    assert opened.headers["Referrer-Policy"] == "no-referrer"
    with client.session_transaction() as session:
        assert digest(secret) in session.values()
        assert secret not in repr(dict(session))
    page = client.get("/reset-password")
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert 'action="/reset-password"' in html
    assert secret not in html and digest(secret) not in html  # nor in a hidden field
    assert 'value="glomsk@test.example"' in html  # the account's name, for password managers

    # A second browser (another tab's session, a copy of the link) opened it too, before it was used.
    other_browser = client.application.test_client()
    stale_form = open_link(other_browser, secret)

    done = send_password(client, page, NEW_PASSWORD)
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert done.headers["Referrer-Policy"] == "no-referrer"
    db.session.refresh(user)
    assert verify_password(user, NEW_PASSWORD)
    assert not verify_password(user, PASSWORD)
    assert tokens_of(user)[0].used_at is not None
    assert "Ditt lösenord är bytt" in client.get("/login").get_data(as_text=True)
    with client.session_transaction() as session:
        assert digest(secret) not in session.values()  # the browser forgot the link
    login(user.email, NEW_PASSWORD)

    # Single use: the same link again is refused, by its address and by a form opened before.
    again = client.get(f"/reset-password/{secret}")
    assert again.status_code == 410
    assert "This link has already been used" in again.get_data(as_text=True)  # her own language
    assert again.headers["Referrer-Policy"] == "no-referrer"
    replay = send_password(other_browser, stale_form, "en helt annan fras igen")
    assert replay.status_code == 410
    assert "Länken har redan använts" in replay.get_data(as_text=True)
    assert other_browser.get("/reset-password").status_code == 410
    db.session.refresh(user)
    assert verify_password(user, NEW_PASSWORD)


def test_a_reset_ends_every_session_of_the_account(app: Flask, app_ctx: Flask, inbox: Inbox, login) -> None:
    user = make_user(email="sessioner@test.example")
    other = make_user(email="annan@test.example")
    db.session.commit()
    phone, laptop = app.test_client(), app.test_client()
    login(user.email, test_client=phone)
    # The link is opened in a browser where someone else happens to be logged in.
    login(other.email, test_client=laptop)
    ask_for_link(laptop, user.email)
    secret = secret_from(inbox.to(user.email)[0])
    assert choose_password(laptop, secret, NEW_PASSWORD).status_code == 302
    assert phone.get("/").status_code == 302  # the account's own session is over
    assert laptop.get("/").status_code == 302  # and nobody stays logged in in the browser used
    db.session.refresh(other)
    assert verify_password(other, PASSWORD)


def test_unknown_and_disabled_addresses_get_the_same_answer_and_no_email(
    app_ctx: Flask, client: FlaskClient, inbox: Inbox
) -> None:
    make_user(email="finns@test.example")
    disabled = make_user(email="avstangd@test.example")
    set_enabled(disabled, False)
    db.session.commit()

    def answer(address: str) -> tuple[int, str]:
        response = ask_for_link(client, address)
        body = response.get_data(as_text=True)
        # The CSRF token carries a timestamp: it differs whenever a second passes between two answers.
        body = re.sub(r'(csrf_token" value="|X-CSRFToken": ")[^"]+', r"\1TOKEN", body)
        return response.status_code, body.replace(address, "ADDRESS")

    known = answer("finns@test.example")
    assert known == answer("finns-inte@test.example")
    assert known == answer("avstangd@test.example")
    assert known[0] == 200
    assert len(inbox.messages) == 1
    assert inbox.to("finns@test.example")
    assert db.session.scalar(select(func.count()).select_from(PasswordResetToken)) == 1


def test_the_link_is_issued_and_sent_by_the_worker_not_the_web_request(
    app_ctx: Flask, client: FlaskClient, inbox: Inbox, worker_tasks: WorkerTasks
) -> None:
    user = make_user(email="efterat@test.example")
    db.session.commit()
    response = post_form(client, "/forgot-password", {"email": user.email})
    assert response.status_code == 200
    # The request only queued the address and the page's language: the lookup, the secret and the
    # e-mail are the worker's, so the answer's timing says nothing about whether the address has an account.
    assert worker_tasks.named("accounts.send_password_reset") == [[user.email, "sv"]]
    [message] = inbox.to(user.email)
    assert secret_from(message) not in repr(worker_tasks.ran)
    assert len(tokens_of(user)) == 1


def test_with_the_worker_unreachable_the_answer_is_the_same_and_nothing_is_stored(
    app_ctx: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user(email="koad@test.example")
    db.session.commit()
    with caplog.at_level(logging.ERROR):
        known = post_form(client, "/forgot-password", {"email": user.email})
        unknown = post_form(client, "/forgot-password", {"email": "finns-inte@test.example"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True).replace(user.email, "X") == unknown.get_data(as_text=True).replace(
        "finns-inte@test.example", "X"
    )
    assert tokens_of(user) == []
    assert "a password reset could not be queued" in caplog.text and user.email not in caplog.text


def test_the_link_points_to_the_public_address_whatever_host_the_request_named(
    app_ctx: Flask, client: FlaskClient, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user(email="vardnamn@test.example")
    db.session.commit()
    monkeypatch.setitem(client.application.config, "BASE_URL", "https://chefsresan.kommun.example")
    page = client.get("/forgot-password", headers={"Host": "angripare.example"})
    response = client.post(
        "/forgot-password",
        headers={"Host": "angripare.example"},
        data={"email": user.email, "csrf_token": csrf_token_from(page.get_data(as_text=True))},
    )
    response.close()
    text, _html = text_and_html(inbox.to(user.email)[0])
    assert "https://chefsresan.kommun.example/reset-password/" in text
    assert "angripare" not in text


def test_the_email_is_in_the_language_of_the_page_unless_the_user_chose_one(
    app_ctx: Flask, client: FlaskClient, inbox: Inbox
) -> None:
    follows = make_user(email="foljer@test.example")
    chose = make_user(email="valde@test.example")
    chose.language = Language.SV
    db.session.commit()
    client.get("/login?lang=en")  # the visitor reads the pages in English
    ask_for_link(client, follows.email)
    ask_for_link(client, chose.email)
    assert '<html lang="en"' in text_and_html(inbox.to(follows.email)[0])[1]
    assert inbox.to(follows.email)[0]["Subject"] == "Choose a new password for Chefsresan"
    assert '<html lang="sv"' in text_and_html(inbox.to(chose.email)[0])[1]


def test_the_link_expires(app_ctx: Flask, client: FlaskClient, inbox: Inbox) -> None:
    user = make_user(email="sent@test.example")
    db.session.commit()
    with time_machine.travel(NOW, tick=False) as traveller:
        ask_for_link(client, user.email)
        secret = secret_from(inbox.to(user.email)[0])
        traveller.move_to(NOW + timedelta(minutes=59))
        page = open_link(client, secret)
        traveller.move_to(NOW + timedelta(minutes=60))
        expired = client.get(f"/reset-password/{secret}")
        assert expired.status_code == 410
        assert "Länken har gått ut" in expired.get_data(as_text=True)
        assert client.get("/reset-password").status_code == 410  # the form opened in time, reloaded
        # A form opened in time and sent too late changes nothing either.
        late = send_password(client, page, NEW_PASSWORD)
        assert late.status_code == 410
        assert "Länken har gått ut" in late.get_data(as_text=True)
    db.session.refresh(user)
    assert verify_password(user, PASSWORD)


def test_the_validity_is_read_from_the_configuration_when_the_link_is_made(
    app: Flask, app_ctx: Flask, client: FlaskClient, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user(email="kort-tid@test.example")
    db.session.commit()
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE_MINUTES", 5)
    with time_machine.travel(NOW, tick=False) as traveller:
        ask_for_link(client, user.email)
        message = inbox.to(user.email)[0]
        secret = secret_from(message)
        [token] = tokens_of(user)
        assert token.expires_at - token.created_at == timedelta(minutes=5)
        traveller.move_to(NOW + timedelta(minutes=5))
        assert client.get(f"/reset-password/{secret}").status_code == 410


def test_unknown_and_malformed_links_get_a_clear_404(client: FlaskClient) -> None:
    for secret in ("x" * 43, "kort", "ä" * 300):
        response = client.get(f"/reset-password/{secret}")
        assert response.status_code == 404
        assert "Länken fungerar inte" in response.get_data(as_text=True)
        assert 'href="/forgot-password"' in response.get_data(as_text=True)
    # The form's address without an opened link: nothing to reset.
    assert client.get("/reset-password").status_code == 404
    page = client.get("/forgot-password").get_data(as_text=True)
    missing = client.post(
        "/reset-password",
        data={
            "csrf_token": csrf_token_from(page),
            "new_password": NEW_PASSWORD,
            "repeat_password": NEW_PASSWORD,
        },
    )
    assert missing.status_code == 404
    assert "Länken fungerar inte" in missing.get_data(as_text=True)


def test_a_link_of_an_account_disabled_since_it_was_sent_does_not_work(
    app_ctx: Flask, client: FlaskClient, inbox: Inbox
) -> None:
    user = make_user(email="slutat@test.example")
    db.session.commit()
    ask_for_link(client, user.email)
    secret = secret_from(inbox.to(user.email)[0])
    page = open_link(client, secret)
    set_enabled(user, False)
    db.session.commit()
    assert client.get(f"/reset-password/{secret}").status_code == 404
    # A form opened before the account was disabled cannot set its password either.
    assert send_password(client, page, NEW_PASSWORD).status_code == 404
    db.session.refresh(user)
    assert verify_password(user, PASSWORD)


def test_the_password_rules_apply_and_a_refused_password_keeps_the_link(
    app_ctx: Flask, client: FlaskClient, inbox: Inbox
) -> None:
    user = make_user(email="regler@test.example", name="Regel Följare")
    db.session.commit()
    ask_for_link(client, user.email)
    secret = secret_from(inbox.to(user.email)[0])
    page = open_link(client, secret)
    for password, repeat, field_id in [
        ("kort", None, "new_password"),
        ("sommaren2026", None, "new_password"),
        ("regler-är-till-för-att-följas", None, "new_password"),  # holds the e-mail's name
        (NEW_PASSWORD, "något annat helt", "repeat_password"),
        ("", "", "new_password"),
    ]:
        response = send_password(client, page, password, repeat)
        assert response.status_code == 400, password
        html = response.get_data(as_text=True)
        assert f'id="{field_id}-error"' in html, password
        # The summary at the top is announced by screen readers and leads to the field.
        assert 'role="alert"' in html and f'href="#{field_id}"' in html, password
        assert secret not in html
        page = response  # the form is shown again, ready for another try
    db.session.refresh(user)
    assert verify_password(user, PASSWORD)
    assert tokens_of(user)[0].used_at is None
    assert send_password(client, page, NEW_PASSWORD).status_code == 302


def test_using_one_link_cancels_the_others(app_ctx: Flask, client: FlaskClient, inbox: Inbox) -> None:
    user = make_user(email="tva-lankar@test.example")
    db.session.commit()
    ask_for_link(client, user.email)
    ask_for_link(client, user.email)
    first, second = (secret_from(message) for message in inbox.to(user.email))
    assert first != second
    assert choose_password(client, second, NEW_PASSWORD).status_code == 302
    assert client.get(f"/reset-password/{first}").status_code == 410


def test_changing_the_password_cancels_outstanding_links(
    app_ctx: Flask, client: FlaskClient, inbox: Inbox, login
) -> None:
    user = make_user(email="byter-sjalv@test.example")
    db.session.commit()
    ask_for_link(client, user.email)
    secret = secret_from(inbox.to(user.email)[0])
    login(user.email)
    changed = post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert client.get(f"/reset-password/{secret}").status_code == 410


def test_a_mail_server_that_is_down_changes_nothing_in_the_answer(
    app_ctx: Flask, client: FlaskClient, smtp_config: None, caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user(email="ingen-post@test.example")
    db.session.commit()
    with caplog.at_level(logging.INFO):
        response = ask_for_link(client, user.email)
    assert response.status_code == 200
    assert "a password reset link could not be issued or sent" in caplog.text
    # The link was stored before sending; asking again later sends a new one.
    assert len(tokens_of(user)) == 1


def test_the_secret_never_reaches_the_logs(
    app_ctx: Flask, client: FlaskClient, inbox: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user(email="loggar@test.example")
    db.session.commit()
    with caplog.at_level(logging.DEBUG):
        ask_for_link(client, user.email)
        ask_for_link(client, "okand@test.example")
        secret = secret_from(inbox.to(user.email)[0])
        choose_password(client, secret, "kort")
        choose_password(client, secret, NEW_PASSWORD)
        client.get(f"/reset-password/{secret}")
        # A form sent without its CSRF token is logged with the route it was sent to, not its contents.
        client.post("/reset-password", data={"token": secret})
    # Everything but the test's SMTP server ("mail.log"), which logs each message it receives.
    logged = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''}"
        for record in caplog.records
        if record.name != "mail.log"
    )
    assert "password reset link" in logged  # the flow did log
    assert "CSRF check failed on POST /reset-password" in logged
    assert secret not in logged and digest(secret) not in logged
    assert "okand@test.example" not in logged  # and an unknown address is not recorded


@dataclass
class QuotingContentFilter:
    """A mail server whose content filter refuses the message and quotes the link it objects to."""

    refused: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(("plain",))
        match = LINK.search(body.get_content() if body is not None else "")
        assert match
        self.refused.append(match.group(1))
        return f"554 5.7.1 Message rejected: URL {match.group(0)} is on a block list"


def test_a_refusal_quoting_the_link_is_logged_without_it_and_the_answer_stands(
    app_ctx: Flask, client: FlaskClient, smtp_config: None, smtp_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user(email="filtrerad@test.example")
    db.session.commit()
    handler = QuotingContentFilter()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        with caplog.at_level(logging.DEBUG):
            # Closing the response runs the sending; whatever fails there stays there.
            response = ask_for_link(client, user.email)
    finally:
        _drop_smtp_connection()
        controller.stop()
    assert response.status_code == 200
    [secret] = handler.refused  # the server did receive the link, and quoted it back
    logged = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''}"
        for record in caplog.records
        if record.name != "mail.log"
    )
    # What failed and how the server answered, for whoever reads the log ...
    assert "a password reset link could not be issued or sent: SendFailure" in logged
    assert "SMTPDataError 554" in logged
    # ... but neither the link nor the address it was for.
    assert secret not in logged
    assert user.email not in logged


def test_an_error_while_a_link_is_opened_logs_the_route_not_the_secret(
    make_app: Callable[..., Flask], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A database without tables: the lookup of the link fails, as a bug or an outage would make it.
    broken = make_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        PROPAGATE_EXCEPTIONS=False,
    )
    secret = secrets.token_urlsafe(32)
    with caplog.at_level(logging.INFO):
        response = broken.test_client().get(f"/reset-password/{secret}")
    assert response.status_code == 500
    logged = "\n".join(f"{record.getMessage()} {record.exc_text or ''}" for record in caplog.records)
    assert "unhandled error on GET /reset-password/<secret>" in logged
    assert "OperationalError" in logged  # the cause is still there to read
    assert secret not in logged


def test_a_wrong_address_answers_400_with_an_error_summary_that_is_announced(client: FlaskClient) -> None:
    response = post_form(client, "/forgot-password?lang=en", {"email": "inte en adress"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    summary = html[html.index('role="alert"') : html.index("</div>", html.index('role="alert"'))]
    assert 'href="#email"' in summary and "Enter a valid e-mail address." in summary
    assert 'aria-invalid="true"' in html
    assert post_form(client, "/forgot-password", {"email": ""}).status_code == 400


# -- rate limits -----------------------------------------------------------------------------------------


def test_requests_are_limited_per_address_with_a_friendly_page(
    app_ctx: Flask, client: FlaskClient, inbox: Inbox
) -> None:
    # A form with errors did nothing, so it does not count.
    assert post_form(client, "/forgot-password", {"email": "inte en adress"}).status_code == 400
    for number in range(10):
        assert ask_for_link(client, f"person{number}@test.example").status_code == 200
    refused = ask_for_link(client, "person10@test.example")
    assert refused.status_code == 429
    body = refused.get_data(as_text=True)
    assert "För många begäranden om nytt lösenord. Försök igen efter" in body
    assert "<html" in body  # a page, not a bare error
    other_address = ask_for_link(client, "person10@test.example", environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other_address.status_code == 200


def test_requests_are_limited_per_target_address_across_network_addresses(
    app: Flask, app_ctx: Flask, inbox: Inbox
) -> None:
    user = make_user(email="maltavla@test.example")
    db.session.commit()
    for number in range(3):
        client = app.test_client()
        answer = ask_for_link(client, user.email, environ_base={"REMOTE_ADDR": f"10.0.0.{number}"})
        assert answer.status_code == 200
    client = app.test_client()
    refused = ask_for_link(client, "MALTAVLA@test.example", environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert refused.status_code == 429
    assert len(inbox.to(user.email)) == 3
    assert ask_for_link(client, "nagon-annan@test.example").status_code == 200


def test_a_link_found_valid_twice_before_use_sets_the_password_once(app_ctx: Flask) -> None:
    user = make_user(email="samtidigt@test.example")
    _token, secret = issue_reset_token(user)
    # Both lookups found the link valid before either used it; the second use is still refused.
    (state_a, token_a), (state_b, token_b) = check_reset_link(secret), check_reset_link(secret)
    assert state_a is state_b is LinkState.VALID and token_a is not None and token_b is not None
    assert reset_password(token_a, NEW_PASSWORD)
    assert not reset_password(token_b, "den andra frasen vinner inte")
    db.session.refresh(user)
    assert verify_password(user, NEW_PASSWORD)


@pytest.mark.postgres
def test_two_connections_claiming_one_link_at_once_exactly_one_wins(app: Flask, committed: None) -> None:
    with app.app_context():
        user = make_user(email="kapplopning@test.example")
        _token, secret = issue_reset_token(user)
        db.session.commit()
        user_id = user.id
    passwords = {"first": NEW_PASSWORD, "second": "den andra frasen kom samtidigt"}
    both_found_it_valid = threading.Barrier(2, timeout=10)
    first_claimed, first_may_commit = threading.Event(), threading.Event()
    won: dict[str, bool] = {}
    failures: list[BaseException] = []

    def submit(name: str) -> None:
        """One web process handling one submission, with its own session and connection."""
        try:
            with app.app_context():
                state, token = check_reset_link(secret)
                assert state is LinkState.VALID and token is not None
                both_found_it_valid.wait()
                if name == "second":
                    assert first_claimed.wait(10)
                won[name] = reset_password(token, passwords[name])
                if name == "first":
                    first_claimed.set()
                    assert first_may_commit.wait(10)  # hold the claimed row while the second one tries
                if won[name]:
                    db.session.commit()
                else:
                    db.session.rollback()
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
            first_claimed.set()

    threads = [threading.Thread(target=submit, args=(name,)) for name in passwords]
    for thread in threads:
        thread.start()
    assert first_claimed.wait(10)
    with app.app_context():
        # The second submission waits on the first one's row lock rather than reading past it.
        waiting = 0
        for _attempt in range(100):
            with db.engine.connect() as connection:
                waiting = connection.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock' AND query ILIKE 'UPDATE password_reset_tokens%'"
                    )
                )
            if waiting or failures:
                break
            time.sleep(0.05)
    first_may_commit.set()
    for thread in threads:
        thread.join(10)
    assert not failures, failures
    assert waiting == 1
    assert won == {"first": True, "second": False}
    with app.app_context():
        stored = db.session.get(User, user_id)
        assert stored is not None
        assert verify_password(stored, passwords["first"])
        assert not verify_password(stored, passwords["second"])
        [token] = db.session.scalars(select(PasswordResetToken).where(PasswordResetToken.user_id == user_id))
        assert token.used_at is not None
