"""HR's reminders page and rules, the beat warning, the manager's upcoming reminders and preference."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from lifecycle.db import utcnow
from lifecycle.enums import ReminderOccurrence as Occ
from lifecycle.enums import ReminderStatus
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import Reminder
from lifecycle.services.reminders import ReminderKind
from lifecycle.services.reminders import Rule
from lifecycle.services.reminders import get_rules
from lifecycle.services.system import BEAT
from lifecycle.services.system import record_heartbeat
from tests.conftest import csrf_token_from
from tests.factories import make_user
from tests.reminders.conftest import make_activity
from tests.reminders.conftest import make_people
from tests.reminders.conftest import rows


@pytest.fixture
def setting(app_ctx: Flask, platform: None, frozen: time_machine.Coordinates) -> dict[str, Any]:
    """A course due on a Tuesday three weeks ahead, away from any holiday, so that it has every reminder."""
    people = make_people()
    hr = make_user(Role.HR, name="Hanna HR")
    activity = make_activity(people.manager, date(2026, 3, 24), title="Kurs i arbetsrätt")
    return {"people": people, "hr": hr, "activity": activity}


def _client(app: Flask, login: Callable[..., Any], email: str) -> FlaskClient:
    browser = app.test_client()
    login(email, test_client=browser)
    return browser


def test_hr_sees_upcoming_failed_with_the_reason_and_sent(
    app: Flask, setting: dict[str, Any], login: Callable[..., Any]
) -> None:
    people = setting["people"]
    due, escalation = rows(occurrence=Occ.DUE)[0], rows(occurrence=Occ.ESCALATION)[0]
    due.status, due.last_error, due.attempts = ReminderStatus.FAILED, "SMTP 550: No such user", 1
    escalation.status, escalation.sent_at, escalation.possible_duplicate = ReminderStatus.SENT, utcnow(), True
    db.session.flush()
    hr = _client(app, login, setting["hr"].email)
    page = hr.get("/reminders?lang=en").get_data(as_text=True)
    assert 'id="pending"' in page and 'id="failed"' in page and 'id="sent"' in page
    assert "SMTP 550: No such user" in page
    assert "Kurs i arbetsrätt" in page
    assert f"/managers/{people.manager.id}/plan" in page
    assert "May have arrived twice" in page
    assert f"/reminders/{due.id}/resend" in page
    # One status, page by page.
    only_failed = hr.get("/reminders?status=failed&lang=en").get_data(as_text=True)
    assert 'id="failed"' in only_failed and 'id="pending"' not in only_failed


def test_hr_sends_a_failed_reminder_again(
    app: Flask, setting: dict[str, Any], login: Callable[..., Any]
) -> None:
    due = rows(occurrence=Occ.DUE)[0]
    due.status, due.last_error, due.attempts = ReminderStatus.FAILED, "SMTP 550: No such user", 1
    db.session.flush()
    hr = _client(app, login, setting["hr"].email)
    token = csrf_token_from(hr.get("/reminders").get_data(as_text=True))
    response = hr.post(f"/reminders/{due.id}/resend", data={"csrf_token": token})
    assert response.status_code == 302
    again = rows(id=due.id)[0]
    assert again.status is ReminderStatus.PENDING
    assert again.attempts == 0 and again.last_error is None
    assert again.due_at <= utcnow()
    # A reminder that has not failed cannot be "sent again".
    before = rows(occurrence=Occ.BEFORE)[0]
    hr.post(f"/reminders/{before.id}/resend", data={"csrf_token": token})
    assert rows(id=before.id)[0].status is ReminderStatus.PENDING
    assert hr.post("/reminders/999999/resend", data={"csrf_token": token}).status_code == 404
    assert hr.post(f"/reminders/{due.id}/resend", data={}).status_code == 400


def test_only_hr_reaches_the_reminders_pages(
    app: Flask, setting: dict[str, Any], login: Callable[..., Any]
) -> None:
    manager = _client(app, login, setting["people"].user.email)
    assert manager.get("/reminders").status_code == 404
    assert manager.get("/reminders/rules").status_code == 404
    token = csrf_token_from(manager.get("/account/").get_data(as_text=True))
    due = rows(occurrence=Occ.DUE)[0]
    assert manager.post(f"/reminders/{due.id}/resend", data={"csrf_token": token}).status_code == 404
    assert app.test_client().get("/reminders").status_code == 302  # to the login page


def test_hr_is_warned_when_beat_has_not_run_for_ten_minutes(
    app: Flask, setting: dict[str, Any], login: Callable[..., Any]
) -> None:
    hr = _client(app, login, setting["hr"].email)
    assert 'id="beat-warning"' in hr.get("/").get_data(as_text=True)  # never ran
    record_heartbeat(BEAT, utcnow() - timedelta(minutes=11))
    assert 'id="beat-warning"' in hr.get("/").get_data(as_text=True)
    record_heartbeat(BEAT, utcnow() - timedelta(minutes=2))
    assert 'id="beat-warning"' not in hr.get("/").get_data(as_text=True)
    # Managers cannot do anything about it and never see it.
    record_heartbeat(BEAT, utcnow() - timedelta(hours=2))
    manager = _client(app, login, setting["people"].user.email)
    assert 'id="beat-warning"' not in manager.get("/me").get_data(as_text=True)


def test_the_manager_sees_their_upcoming_reminders_on_their_plan(
    app: Flask, setting: dict[str, Any], login: Callable[..., Any]
) -> None:
    manager = _client(app, login, setting["people"].user.email)
    page = manager.get("/me").get_data(as_text=True)
    assert 'id="my-reminders"' in page
    assert "Kurs i arbetsrätt" in page
    # The line manager's own plan does not list Anna's escalations as theirs... but their own reminders.
    boss = _client(app, login, setting["people"].boss.email)
    assert "Kurs i arbetsrätt" in boss.get("/me").get_data(as_text=True)
    assert 'id="my-reminders"' not in boss.get(f"/managers/{setting['people'].manager.id}/plan").get_data(
        as_text=True
    )


def test_everyone_chooses_single_e_mails_or_a_daily_digest(
    app: Flask, setting: dict[str, Any], login: Callable[..., Any]
) -> None:
    user = setting["people"].user
    browser = _client(app, login, user.email)
    page = browser.get("/account/").get_data(as_text=True)
    assert 'id="reminders"' in page and 'value="digest"' in page
    token = csrf_token_from(page)
    response = browser.post("/reminders/preferences", data={"csrf_token": token, "delivery": "digest"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/#reminders")
    db.session.expire_all()
    assert user.wants_digest is True
    assert 'checked id="delivery-1" name="delivery" type="radio" value="digest"' in browser.get(
        "/account/"
    ).get_data(as_text=True)
    browser.post("/reminders/preferences", data={"csrf_token": token, "delivery": "single"})
    db.session.expire_all()
    assert user.wants_digest is False
    assert (
        browser.post("/reminders/preferences", data={"csrf_token": token, "delivery": "x"}).status_code == 400
    )


def test_hr_sets_the_rules_and_waiting_reminders_are_recomputed(
    app: Flask, setting: dict[str, Any], login: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: list[str] = []
    celery_app = app.extensions["celery"]
    monkeypatch.setattr(celery_app, "send_task", lambda name, *args, **kwargs: queued.append(name))
    hr = _client(app, login, setting["hr"].email)
    page = hr.get("/reminders/rules").get_data(as_text=True)
    assert 'name="activity-days_before"' in page and 'value="3"' in page
    token = csrf_token_from(page)
    data = {
        "csrf_token": token,
        "introduction_milestone-days_before": "5",
        "introduction_milestone-on_due_day": "y",
        "introduction_milestone-days_after": "1",
        "development_review-days_before": "10",
        "development_review-days_after": "",
        "activity-days_before": "",
        "activity-on_due_day": "y",
        "activity-days_after": "4",
    }
    response = hr.post("/reminders/rules", data=data)
    assert response.status_code == 302
    assert queued == ["reminders.resync"]
    rules = get_rules()
    assert rules[ReminderKind.INTRODUCTION] == Rule(5, True, 1)
    assert rules[ReminderKind.REVIEW] == Rule(10, False, None)
    assert rules[ReminderKind.ACTIVITY] == Rule(None, True, 4)
    bad = hr.post("/reminders/rules", data={**data, "activity-days_after": "0"})
    assert bad.status_code == 400
    assert get_rules()[ReminderKind.ACTIVITY] == Rule(None, True, 4)


def _finished_rows(setting: dict[str, Any], status: ReminderStatus, count: int) -> list[Reminder]:
    """`count` finished reminders about the setting's activity, their times shared seven by seven."""
    activity, user = setting["activity"], setting["people"].user
    base = utcnow().replace(microsecond=0)
    made = [
        Reminder(
            item_key=f"activity:{activity.id}:{date(2025, 1, 1) + timedelta(days=n)}",
            activity_id=activity.id,
            recipient_id=user.id,
            occurrence=Occ.DUE,
            due_at=base - timedelta(days=1, minutes=n // 7),
            status=status,
            attempts=1,
            sent_at=base - timedelta(minutes=n // 7) if status is ReminderStatus.SENT else None,
            last_error="SMTP 550: No such user" if status is ReminderStatus.FAILED else None,
        )
        for n in range(count)
    ]
    db.session.add_all(made)
    db.session.flush()
    return made


def _pages(browser: FlaskClient, url: str, status: ReminderStatus) -> list[str]:
    """Follow the "More" links of one list from `url`; return each page's section."""
    sections = []
    next_url: str | None = url
    while next_url:
        page = browser.get(next_url).get_data(as_text=True)
        section = page.split(f'id="{status.value}"', 1)[1]
        sections.append(section)
        found = re.search(r'href="([^"]+)" rel="next"', section)
        next_url = html.unescape(found.group(1)) if found else None
    return sections


def test_hr_pages_through_the_failed_reminders_each_once_newest_first(
    app: Flask, setting: dict[str, Any], login: Callable[..., Any]
) -> None:
    made = _finished_rows(setting, ReminderStatus.FAILED, 120)
    hr = _client(app, login, setting["hr"].email)
    sections = _pages(hr, "/reminders?status=failed&lang=en", ReminderStatus.FAILED)
    assert len(sections) == 3  # 50, 50 and 20
    shown = [int(i) for s in sections for i in re.findall(r'action="/reminders/(\d+)/resend"', s)]
    newest_first = sorted(made, key=lambda r: (r.due_at, r.id), reverse=True)
    assert shown == [r.id for r in newest_first]


def test_hr_pages_through_the_sent_reminders_without_skipping_any(
    app: Flask, setting: dict[str, Any], login: Callable[..., Any]
) -> None:
    _finished_rows(setting, ReminderStatus.SENT, 120)
    hr = _client(app, login, setting["hr"].email)
    sections = _pages(hr, "/reminders?status=sent&lang=en", ReminderStatus.SENT)
    # Every row once: rows sharing a send time are not lost at a page break.
    assert [s.split("</tbody>", 1)[0].count("<tr>") - 1 for s in sections] == [50, 50, 20]
