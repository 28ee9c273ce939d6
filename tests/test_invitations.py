"""Inviting managers to log in: the account, the e-mail from the worker, the single-use link, /me.

E-mail goes through a real SMTP server (aiosmtpd) from the task, run as the worker runs it: after
the request, with no request context (`worker_tasks`).
"""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
import time_machine
from celery.exceptions import Retry
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select

from lifecycle.auth import verify_password
from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import AccountState
from lifecycle.enums import Language
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Invitation
from lifecycle.models import Manager
from lifecycle.models import User
from lifecycle.services.accounts import get_user_by_email
from lifecycle.services.invitations import InvitationError
from lifecycle.services.invitations import account_state
from lifecycle.services.invitations import invite
from lifecycle.services.invitations import invite_managers
from lifecycle.services.invitations import prepare_invitation_email
from lifecycle.services.invitations import unsent_invitations
from lifecycle.services.invitations import withdraw
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.services.tokens import digest
from lifecycle.tasks import send_invitations
from lifecycle.tasks import sweep_invitations
from tests.conftest import Inbox
from tests.conftest import WorkerTasks
from tests.conftest import csrf_token_from
from tests.conftest import post_form
from tests.factories import PASSWORD
from tests.factories import make_manager
from tests.factories import make_user
from tests.test_imports import csv_bytes
from tests.test_imports import upload

pytestmark = pytest.mark.usefixtures("clock")

LINK = re.compile(r"http://localhost/invitation/([A-Za-z0-9_\-]+)")
FIRST_PASSWORD = "sju gröna ekorrar i Örebro"


@pytest.fixture
def platform(app_ctx: Flask) -> None:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))


@pytest.fixture
def hr(app: Flask, app_ctx: Flask, platform: None, login: Any) -> FlaskClient:
    browser = app.test_client()
    login(make_user(Role.HR, name="Hedda HR").email, test_client=browser)
    return browser


def _press(client: FlaskClient, page_url: str, action: str) -> Any:
    """Press a button of the page (its form posts to `action`), like a browser."""
    token = csrf_token_from(client.get(page_url).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token})


def _secret(message: EmailMessage) -> str:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    match = LINK.search(text.get_content())
    assert match, text.get_content()
    assert f'href="{match.group(0)}"' in html.get_content()
    return match.group(1)


def _choose_password(client: FlaskClient, secret: str, password: str = FIRST_PASSWORD) -> Any:
    opened = client.get(f"/invitation/{secret}")
    if opened.status_code != 303:
        return opened
    assert opened.headers["Location"] == "/invitation"
    page = client.get("/invitation")
    assert page.status_code == 200
    return client.post(
        "/invitation",
        data={
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
            "new_password": password,
            "repeat_password": password,
        },
    )


def _state(manager_id: int) -> AccountState:
    db.session.expire_all()
    manager = db.session.get(Manager, manager_id)
    assert manager is not None
    return account_state(manager)


# -- the service ---------------------------------------------------------------------------------------


def test_inviting_creates_a_linked_account_without_a_password_and_a_week_long_invitation(
    platform: None,
) -> None:
    hr = make_user(Role.HR)
    person = make_manager("Ina Inbjuden")
    assert account_state(person) is AccountState.NONE
    invitation = invite(person, hr)
    assert invitation is not None
    user = person.user
    assert user is not None and user.email == person.email and user.name == "Ina Inbjuden"
    assert user.roles == {Role.MANAGER} and user.password_hash is None and user.is_enabled
    assert invitation.invited_by is hr and invitation.token_digest is None and invitation.sent_at is None
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    assert account_state(person) is AccountState.INVITED


def test_who_cannot_be_invited_is_told_why_and_nothing_changes(platform: None) -> None:
    active = make_manager("Aktiv Chef", with_account=True)
    without_email = make_manager("Utan Adress")
    without_email.email = None
    closed = make_manager("Avslutad Chef")
    closed.stage = Stage.CLOSED
    owner = make_manager("Ägare Adress", with_account=True)
    same_address = make_manager("Samma Adress")
    same_address.email = owner.email
    db.session.flush()
    report = invite_managers([active, without_email, closed, same_address], None)
    reasons = {manager.name: str(reason) for manager, reason in report.refused}
    assert reasons == {
        "Aktiv Chef": "Aktiv Chef har redan ett konto och kan logga in.",
        "Utan Adress": (
            "Det finns ingen e-postadress att skicka inbjudan till. Lägg till en i uppgifterna först."
        ),
        "Avslutad Chef": "Resan är avslutad.",
        "Samma Adress": f"Adressen {owner.email} tillhör kontot för Ägare Adress.",
    }
    assert report.invited == []
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
    assert same_address.user is None


def test_an_existing_account_with_the_address_is_linked_instead_of_invited(platform: None) -> None:
    hr_user = make_user(Role.HR, email="dubbelroll@test.example", name="Dubbel Roll")
    person = make_manager("Dubbel Roll")
    person.email = "Dubbelroll@test.example"
    assert invite(person, None) is None
    assert person.user is hr_user and hr_user.roles == {Role.HR, Role.MANAGER}
    assert account_state(person) is AccountState.ACTIVE


def test_sending_again_replaces_the_link_and_withdrawing_shuts_the_account(platform: None) -> None:
    person = make_manager("Om Igen")
    first = invite(person, None)
    assert first is not None
    first_message = prepare_invitation_email(first.id)
    second = invite(person, None)
    db.session.refresh(first)
    assert second is not None and first.withdrawn_at is not None
    assert first_message is not None
    withdraw(person)
    assert person.user is not None and not person.user.is_enabled
    assert account_state(person) is AccountState.NONE
    with pytest.raises(InvitationError, match="ingen öppen inbjudan"):
        withdraw(person)
    # Inviting again opens the account again.
    assert invite(person, None) is not None
    assert person.user.is_enabled and account_state(person) is AccountState.INVITED


def test_an_invitation_is_sent_once_however_often_its_task_runs(
    app_ctx: Flask, platform: None, inbox: Inbox
) -> None:
    person = make_manager("En Gång")
    invitation = invite(person, None)
    assert invitation is not None
    db.session.commit()
    send_invitations.run([invitation.id])
    send_invitations.run([invitation.id])  # a redelivery, or the sweep
    assert len(inbox.to(person.email or "")) == 1
    db.session.expire_all()
    sent = db.session.get(Invitation, invitation.id)
    assert sent is not None and sent.sent_at is not None and sent.token_digest is not None
    assert unsent_invitations(datetime.now(UTC) + timedelta(hours=1)) == []


def test_a_mail_server_that_is_down_leaves_the_invitation_waiting_with_its_reason(
    app: Flask, app_ctx: Flask, platform: None, smtp_config: None, login: Any
) -> None:
    person = make_manager("Nere Server")
    invitation = invite(person, None)
    assert invitation is not None
    db.session.commit()
    with pytest.raises(Retry):
        send_invitations.run([invitation.id])  # nobody listens on the port: the task asks to retry
    db.session.expire_all()
    waiting = db.session.get(Invitation, invitation.id)
    assert waiting is not None
    assert waiting.sent_at is None and waiting.token_digest is None
    assert waiting.send_error and "Connection" in waiting.send_error
    browser = app.test_client()
    login(make_user(Role.HR).email, test_client=browser)
    page = browser.get(f"/managers/{person.id}").get_data(as_text=True)
    assert "E-postmeddelandet kunde inte skickas" in page
    assert "Skicka inbjudan igen" in page


def test_invitations_saved_while_the_broker_was_down_are_sent_by_the_sweep(
    app_ctx: Flask, platform: None, inbox: Inbox, worker_tasks: WorkerTasks
) -> None:
    person = make_manager("Sen Post")
    invitation = invite(person, None)
    assert invitation is not None
    db.session.commit()
    assert unsent_invitations() == []  # too new: its own task may still be on the way
    invitation.created_at -= timedelta(minutes=11)
    db.session.commit()
    assert sweep_invitations.run() == 1
    assert worker_tasks.named("invitations.send") == [[[invitation.id]]]
    assert len(inbox.to(person.email or "")) == 1


# -- HR's pages and the invitee's link ---------------------------------------------------------------


def test_hr_invites_from_the_profile_and_the_manager_lands_on_their_plan_once(
    app: Flask, hr: FlaskClient, inbox: Inbox, worker_tasks: WorkerTasks
) -> None:
    person = make_manager("Profil Person", stage=Stage.INTRODUCE)
    db.session.commit()
    profile = f"/managers/{person.id}"
    page = hr.get(profile).get_data(as_text=True)
    assert "Inget konto" in page and "Bjud in att logga in" in page
    response = _press(hr, profile, f"/managers/{person.id}/invite")
    assert response.status_code == 302
    assert worker_tasks.named("invitations.send")
    [message] = inbox.to(person.email or "")
    assert message["Subject"] == "Du är inbjuden till Chefsresan"
    assert "Hedda HR har bjudit in dig till Chefsresan" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    secret = _secret(message)
    stored = db.session.scalar(select(Invitation))
    assert stored is not None and stored.token_digest == digest(secret)
    assert secret not in repr(worker_tasks.ran)
    page = hr.get(profile).get_data(as_text=True)
    assert "Inbjuden" in page and "E-post skickad" in page and "Dra tillbaka inbjudan" in page

    invitee = app.test_client()
    done = _choose_password(invitee, secret)
    assert done.status_code == 302 and done.headers["Location"] == "/me"
    me = invitee.get("/me")
    assert me.status_code == 200 and "Profil Person" in me.get_data(as_text=True)
    user = get_user_by_email(person.email or "")
    assert user is not None and verify_password(user, FIRST_PASSWORD)
    assert _state(person.id) is AccountState.ACTIVE

    # The link works once: another browser, or the same one later, is told so.
    assert _choose_password(app.test_client(), secret).status_code == 410
    again = _choose_password(invitee, secret)
    assert again.status_code == 410 and "Inbjudan har redan använts" in again.get_data(as_text=True)
    # The manager logs in with the password from now on.
    fresh = app.test_client()
    login_page = fresh.get("/login")
    answer = fresh.post(
        "/login",
        data={
            "csrf_token": csrf_token_from(login_page.get_data(as_text=True)),
            "email": person.email,
            "password": FIRST_PASSWORD,
        },
    )
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/me")


def test_the_invitation_is_in_the_invitees_language(
    app: Flask, hr: FlaskClient, inbox: Inbox, worker_tasks: WorkerTasks
) -> None:
    person = make_manager("Engelsk Chef")
    assert invite(person, None) is not None
    assert person.user is not None
    person.user.language = Language.EN
    db.session.commit()
    [invitation] = db.session.scalars(select(Invitation))
    send_invitations.run([invitation.id])
    [message] = inbox.to(person.email or "")
    assert message["Subject"] == "You are invited to Chefsresan"
    html = message.get_body(("html",))
    assert html is not None and '<html lang="en"' in html.get_content()
    assert "The link works once, until" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_a_sent_again_link_replaces_the_old_one_and_a_withdrawn_one_stops_working(
    app: Flask, hr: FlaskClient, inbox: Inbox, worker_tasks: WorkerTasks
) -> None:
    person = make_manager("Två Länkar")
    db.session.commit()
    profile = f"/managers/{person.id}"
    _press(hr, profile, f"/managers/{person.id}/invite")
    _press(hr, profile, f"/managers/{person.id}/invite")
    first, second = (_secret(m) for m in inbox.to(person.email or ""))
    refused = _choose_password(app.test_client(), first)
    assert refused.status_code == 410 and "Inbjudan fungerar inte längre" in refused.get_data(as_text=True)
    _press(hr, profile, f"/managers/{person.id}/invitation/withdraw")
    assert _choose_password(app.test_client(), second).status_code == 410
    assert _state(person.id) is AccountState.NONE
    # Withdrawn means shut: "forgot password" gives no way in either.
    user = get_user_by_email(person.email or "")
    assert user is not None and not user.is_enabled and user.password_hash is None


def test_an_invitation_expires_after_seven_days(
    app: Flask, hr: FlaskClient, inbox: Inbox, worker_tasks: WorkerTasks
) -> None:
    person = make_manager("Sen Läsare")
    db.session.commit()
    _press(hr, f"/managers/{person.id}", f"/managers/{person.id}/invite")
    secret = _secret(inbox.to(person.email or "")[0])
    with time_machine.travel(datetime.now(UTC) + timedelta(days=7, minutes=1)):
        assert _choose_password(app.test_client(), secret).status_code == 410
        assert _state(person.id) is AccountState.NONE
    with time_machine.travel(datetime.now(UTC) + timedelta(days=6, hours=23)):
        assert _choose_password(app.test_client(), secret).status_code == 302


def test_a_weak_first_password_is_refused_next_to_the_field_and_the_link_still_works(
    app: Flask, hr: FlaskClient, inbox: Inbox, worker_tasks: WorkerTasks
) -> None:
    person = make_manager("Svag Start")
    db.session.commit()
    _press(hr, f"/managers/{person.id}", f"/managers/{person.id}/invite")
    secret = _secret(inbox.to(person.email or "")[0])
    invitee = app.test_client()
    weak = _choose_password(invitee, secret, "kort")
    assert weak.status_code == 400
    assert 'id="new_password-error"' in weak.get_data(as_text=True)
    assert _state(person.id) is AccountState.INVITED
    assert _choose_password(invitee, secret).status_code == 302


def test_a_csv_imported_manager_is_invited_sets_a_password_and_sees_me(
    app: Flask, hr: FlaskClient, inbox: Inbox, worker_tasks: WorkerTasks
) -> None:
    content = csv_bytes(
        "K1;Karin Importerad;karin@kommun.example;Enhetschef;;;2026-09-01;introduce",
        "K2;Kalle Utanpost;;Enhetschef;;;2026-09-01;develop",
        "K3;Klara Importerad;klara@kommun.example;Enhetschef;;;2026-09-01;develop",
    )
    report = upload(hr, content)
    report_url = report.headers["Location"]
    confirmed = _press(hr, report_url, f"{report_url}/confirm")
    progress_url = confirmed.headers["Location"]
    assert worker_tasks.named("imports.run")
    progress = hr.get(progress_url).get_data(as_text=True)
    import_id = int(progress_url.split("/")[-2])
    invite_url = f"/invitations/new?import={import_id}"
    assert invite_url in progress
    page = hr.get(invite_url).get_data(as_text=True)
    assert "Karin Importerad" in page and "Klara Importerad" in page
    assert "1 utan e-postadress" in page and "Kalle Utanpost" in page
    done = _press(hr, invite_url, invite_url)
    assert done.status_code == 302 and done.headers["Location"] == progress_url
    assert {m["To"] for m in inbox.messages} == {"karin@kommun.example", "klara@kommun.example"}

    secret = _secret(inbox.to("karin@kommun.example")[0])
    karin = app.test_client()
    assert _choose_password(karin, secret).headers["Location"] == "/me"
    assert "Karin Importerad" in karin.get("/me").get_data(as_text=True)
    # The link works once: twice more, in any browser, it is refused.
    assert _choose_password(app.test_client(), secret).status_code == 410
    assert _choose_password(karin, secret).status_code == 410
    # Invited again from the same page: only Klara's open invitation counts, Karin logs in already.
    again = hr.get(invite_url).get_data(as_text=True)
    assert "Alla här kan redan logga in eller har en öppen inbjudan." in again


def test_hr_invites_everyone_in_a_board_selection_who_cannot_log_in(
    app: Flask, hr: FlaskClient, inbox: Inbox, worker_tasks: WorkerTasks
) -> None:
    selected = [make_manager(f"Urval Person {n}") for n in range(3)]
    make_manager("Urval Aktiv", with_account=True)
    make_manager("Någon Annan")
    db.session.commit()
    board = hr.get("/pipeline?q=Urval").get_data(as_text=True)
    assert "/invitations/new?q=Urval" in board
    page = hr.get("/invitations/new?q=Urval").get_data(as_text=True)
    assert "Bjud in 3 chefer" in page and "Urval Aktiv" not in page and "Någon Annan" not in page
    done = _press(hr, "/invitations/new?q=Urval", "/invitations/new?q=Urval")
    assert done.headers["Location"] == "/pipeline?q=Urval"
    assert sorted(m["To"] for m in inbox.messages) == sorted(p.email for p in selected)


def test_only_hr_invites(app: Flask, platform: None, login: Any) -> None:
    person = make_manager("Annan Chef")
    line = make_manager("Linje Chef", with_account=True)
    person.line_manager = line
    db.session.commit()
    browser = app.test_client()
    assert line.user is not None
    login(line.user.email, test_client=browser)
    assert browser.get(f"/managers/{person.id}").status_code == 200
    page = browser.get(f"/managers/{person.id}").get_data(as_text=True)
    assert "Bjud in att logga in" not in page
    assert post_form(browser, f"/managers/{person.id}/invite", {}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


# -- the command line --------------------------------------------------------------------------------


def test_users_create_links_the_account_to_a_manager_by_number(
    app: Flask, app_ctx: Flask, platform: None
) -> None:
    person = make_manager("Kommando Chef")
    db.session.commit()
    runner = app.test_cli_runner()
    result: Result = runner.invoke(
        args=[
            "users",
            "create",
            "kommando@test.example",
            "--name",
            "Kommando Chef",
            "--manager-number",
            person.employee_number or "",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    linked = db.session.get(Manager, person.id)
    assert linked is not None and linked.user is not None
    assert linked.user.email == "kommando@test.example" and linked.user.roles == {Role.MANAGER}
    assert account_state(linked) is AccountState.ACTIVE

    unknown = runner.invoke(
        args=["users", "create", "x@test.example", "--name", "X", "--manager-number", "NOPE"]
    )
    assert unknown.exit_code != 0 and "NOPE" in unknown.output
    assert (
        db.session.scalar(select(func.count()).select_from(User).where(User.email == "x@test.example")) == 0
    )
