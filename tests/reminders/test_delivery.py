"""Claiming, sending and recording: exactly once, failures sorted, the ambiguous window bounded."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from celery.exceptions import Retry
from flask import Flask

from lifecycle import tasks
from lifecycle.enums import Language
from lifecycle.enums import ReminderOccurrence as Occ
from lifecycle.enums import ReminderStatus
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.notifications import POSSIBLE_DUPLICATE_HEADER
from lifecycle.notifications import SendFailure
from lifecycle.services import reminders as service
from lifecycle.services.activities import complete_activity
from lifecycle.services.journey import move_to_stage
from lifecycle.services.reminders import UNCERTAIN
from lifecycle.services.reminders import Claim
from lifecycle.services.reminders import Failure
from lifecycle.services.reminders import ReminderKind
from lifecycle.services.reminders import Rule
from lifecycle.services.reminders import claim_due_reminders
from lifecycle.services.reminders import classify
from lifecycle.services.reminders import set_rules
from lifecycle.services.system import BEAT
from lifecycle.services.system import last_heartbeat
from tests.reminders.conftest import People
from tests.reminders.conftest import make_activity
from tests.reminders.conftest import rows

#: Thursday 12 March 2026 08:00 in Stockholm, when the due-day reminders of the test activities go out
DUE = datetime(2026, 3, 12, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def outbox(app: Flask) -> Iterator[list[Any]]:
    state = app.extensions["mailman"]
    state.outbox = []
    yield state.outbox
    state.outbox = []


@pytest.fixture
def due_day_only(people: People) -> None:
    """Only the reminder on the due day, unless a test says otherwise: one e-mail per activity."""
    set_rules(dict.fromkeys(ReminderKind, Rule(days_before=None, on_due_day=True, days_after=None)))


def all_claims(batch: service.ClaimBatch) -> list[list[Claim]]:
    return batch.emails()


def run_send(claims: list[Claim]) -> None:
    tasks.send_reminder.run([[c.reminder_id, c.attempt, c.recipient_id] for c in claims])


def deliver_due(now: datetime) -> list[list[Claim]]:
    """One dispatcher run and its send tasks, in this process."""
    with time_machine.travel(now, tick=False):
        batch = claim_due_reminders()
        db.session.commit()
        for claims in all_claims(batch):
            run_send(claims)
        return all_claims(batch)


def fail_with(
    monkeypatch: pytest.MonkeyPatch, error: BaseException, reached_server: bool = True
) -> list[int]:
    calls: list[int] = []

    def failing_send(message: Any) -> None:
        calls.append(1)
        raise SendFailure(error, reached_server)

    monkeypatch.setattr("lifecycle.notifications.send", failing_send)
    return calls


def test_a_due_reminder_is_sent_once_with_its_stable_message_id(
    app_ctx: Flask, people: People, due_day_only: None, outbox: list[Any]
) -> None:
    activity = make_activity(people.manager, date(2026, 3, 12), title="Introduktion av budgetarbetet")
    deliver_due(DUE - timedelta(minutes=1))
    assert outbox == []  # not yet due
    deliver_due(DUE)
    deliver_due(DUE + timedelta(minutes=1))
    assert len(outbox) == 1
    due = rows(occurrence=Occ.DUE)[0]
    assert due.status is ReminderStatus.SENT
    assert due.sent_at == DUE
    assert due.attempts == 1
    assert due.lease_until is None
    message = outbox[0]
    assert message.to == [people.user.email]
    assert message.extra_headers["Message-ID"] == f"<reminder-{due.id}@chefsresan.localhost>"
    assert due.message_id == message.extra_headers["Message-ID"]
    assert POSSIBLE_DUPLICATE_HEADER not in message.extra_headers
    assert "Introduktion av budgetarbetet" in message.subject
    # Plain text and HTML, linking to the manager's own plan.
    assert "http://localhost/me" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert 'href="http://localhost/me"' in html
    assert activity.title in html


def test_the_e_mail_is_in_the_recipients_language(
    app_ctx: Flask, people: People, due_day_only: None, outbox: list[Any]
) -> None:
    people.user.language = Language.EN
    make_activity(people.manager, date(2026, 3, 12), title="Budget")
    deliver_due(DUE)
    assert outbox[0].subject == "Due 12 March 2026: Budget"
    assert "Budget for Anna is due on 12 March 2026." in outbox[0].body
    people.user.language = Language.SV
    make_activity(people.manager, date(2026, 3, 13), title="Budget")
    deliver_due(DUE + timedelta(days=1))
    # Swedish dates; the text itself is Swedish once the catalogue has the new strings.
    assert "13 mars 2026" in outbox[1].subject


def test_an_escalation_goes_to_the_line_manager_and_links_to_the_managers_plan(
    app_ctx: Flask, people: People, outbox: list[Any]
) -> None:
    people.boss.language = Language.EN
    make_activity(people.manager, date(2026, 3, 12))
    deliver_due(datetime(2026, 3, 16, 7, 0, tzinfo=UTC))
    # Before, due and the two escalations are all due by now: the manager gets the latest (on the day)
    # only, the line manager and the HR partner their escalation, each once.
    assert sorted(m.to[0] for m in outbox) == sorted(
        [people.user.email, people.boss.email, people.hr_partner.email]
    )
    to_boss = next(m for m in outbox if m.to == [people.boss.email])
    assert f"/managers/{people.manager.id}/plan" in to_boss.body
    assert to_boss.subject == "Overdue: Ledarskapskurs (Anna)"


def test_the_dispatcher_task_claims_commits_queues_and_beats(
    app_ctx: Flask, people: People, due_day_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: list[list[Claim]] = []
    monkeypatch.setattr(tasks, "_queue", lambda batches: queued.extend(batches))
    make_activity(people.manager, date(2026, 3, 12))
    with time_machine.travel(DUE, tick=False):
        assert tasks.dispatch_reminders.run() == 1
        assert last_heartbeat(BEAT) == DUE
        assert tasks.dispatch_reminders.run() == 0
    assert [[c.reminder_id for c in batch] for batch in queued] == [[rows(occurrence=Occ.DUE)[0].id]]
    assert rows(occurrence=Occ.DUE)[0].status is ReminderStatus.SENDING


def test_an_idle_dispatcher_tick_runs_a_handful_of_queries(
    app_ctx: Flask, people: People, count_queries: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "_queue", lambda batches: None)
    for day in range(20):
        make_activity(people.manager, date(2026, 4, 1) + timedelta(days=day))
    with count_queries() as counter:
        tasks.dispatch_reminders.run()
    assert counter.count <= 5, counter.statements


def test_a_claimed_row_is_not_claimed_again_until_its_lease_runs_out(
    app_ctx: Flask, people: People, due_day_only: None
) -> None:
    make_activity(people.manager, date(2026, 3, 12))
    first = claim_due_reminders(now=DUE)
    assert len(first) == 1
    assert len(claim_due_reminders(now=DUE + timedelta(minutes=9))) == 0
    again = claim_due_reminders(now=DUE + timedelta(minutes=11))
    assert [c.attempt for c in again.single] == [2]
    # The first claim's task arrives late: it is no longer the owner and does nothing.
    run_send(first.single)
    assert app_ctx.extensions["mailman"].outbox == []
    assert rows(occurrence=Occ.DUE)[0].status is ReminderStatus.SENDING


def test_a_reminder_no_longer_wanted_when_its_turn_comes_is_cancelled_not_sent(
    app_ctx: Flask, people: People, due_day_only: None, outbox: list[Any]
) -> None:
    activity = make_activity(people.manager, date(2026, 3, 12))
    batch = claim_due_reminders(now=DUE)
    # Done between the claim and the send (the sync cancels only waiting rows).
    complete_activity(activity, date(2026, 3, 2))
    with time_machine.travel(DUE, tick=False):
        run_send(batch.single)
    assert outbox == []
    assert rows(occurrence=Occ.DUE)[0].status is ReminderStatus.CANCELLED


def test_a_manager_offboarded_before_the_time_is_never_reminded(
    app_ctx: Flask, people: People, outbox: list[Any]
) -> None:
    activity = make_activity(people.manager, date(2026, 3, 12))
    move_to_stage(people.manager, Stage.OFFBOARD, None, "Slutar", date(2026, 3, 2), end_date=date(2026, 6, 1))
    for day in range(12, 20):
        deliver_due(datetime(2026, 3, day, 7, 0, tzinfo=UTC))
    assert outbox == []  # the offboarding checklist's own tasks come later, before 1 June
    assert {r.status for r in rows(activity_id=activity.id)} == {ReminderStatus.CANCELLED}


def test_a_permanent_smtp_error_fails_the_row_after_one_attempt(
    app_ctx: Flask, people: People, due_day_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_activity(people.manager, date(2026, 3, 12))
    calls = fail_with(monkeypatch, smtplib.SMTPRecipientsRefused({people.user.email: (550, b"No such user")}))
    deliver_due(DUE)
    deliver_due(DUE + timedelta(hours=2))
    row = rows(occurrence=Occ.DUE)[0]
    assert row.status is ReminderStatus.FAILED
    assert row.attempts == 1
    assert len(calls) == 1
    assert row.last_error is not None and "550 No such user" in row.last_error


def test_a_temporary_smtp_error_retries_with_backoff_then_gives_up(
    app_ctx: Flask, people: People, due_day_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_activity(people.manager, date(2026, 3, 12))
    fail_with(monkeypatch, smtplib.SMTPDataError(451, b"Try again later"))
    batch = claim_due_reminders(now=DUE)
    claims = batch.single
    waits = []
    with time_machine.travel(DUE, tick=False):
        for attempt in range(1, 12):
            with pytest.raises(Retry):
                run_send(claims)
            row = rows(occurrence=Occ.DUE)[0]
            assert row.status is ReminderStatus.SENDING
            assert row.attempts == attempt + 1
            assert row.message_id is None  # known not delivered
            assert row.last_error == "SMTP 451: Try again later"
            assert row.lease_until is not None
            waits.append((row.lease_until - DUE).total_seconds() - 600)
            claims = [Claim(c.reminder_id, c.attempt + 1, c.recipient_id) for c in claims]
        run_send(claims)  # the twelfth attempt fails too: that is the last
    row = rows(occurrence=Occ.DUE)[0]
    assert row.status is ReminderStatus.FAILED
    assert row.last_error is not None and row.last_error.startswith("Gave up after 12 attempts.")
    # Exponential from 30 s, capped at ten minutes, jittered into the upper half.
    assert 15 <= waits[0] <= 30
    assert 30 <= waits[1] <= 60
    assert all(300 <= wait <= 600 for wait in waits[5:])


def test_connection_refused_is_temporary_and_a_broken_connection_is_ambiguous() -> None:
    assert classify(ConnectionRefusedError(), reached_server=False) is Failure.TRANSIENT
    assert classify(TimeoutError(), reached_server=False) is Failure.TRANSIENT
    assert classify(smtplib.SMTPServerDisconnected(), reached_server=True) is Failure.AMBIGUOUS
    assert classify(TimeoutError(), reached_server=True) is Failure.AMBIGUOUS
    assert classify(smtplib.SMTPSenderRefused(451, b"later", "x@y"), reached_server=True) is Failure.TRANSIENT
    assert classify(smtplib.SMTPDataError(554, b"no"), reached_server=True) is Failure.PERMANENT
    assert classify(ValueError("bug"), reached_server=True) is Failure.PERMANENT


def test_the_ambiguous_window_gives_at_most_one_extra_flagged_copy(
    app_ctx: Flask, people: People, due_day_only: None, outbox: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_activity(people.manager, date(2026, 3, 12))

    def crash_after_smtp(delivery: Any, now: Any = None) -> bool:
        raise SystemExit("worker killed after SMTP accepted, before the sent commit")

    monkeypatch.setattr(service, "record_sent", crash_after_smtp)
    monkeypatch.setattr("lifecycle.services.reminders.record_sent", crash_after_smtp)
    with pytest.raises(SystemExit):
        deliver_due(DUE)
    db.session.rollback()
    row = rows(occurrence=Occ.DUE)[0]
    assert row.status is ReminderStatus.SENDING and row.message_id is not None
    # The lease runs out; the dispatcher takes the row again and sends it once more, flagged.
    with pytest.raises(SystemExit):
        deliver_due(DUE + timedelta(minutes=11))
    db.session.rollback()
    assert len(outbox) == 2
    assert outbox[0].extra_headers["Message-ID"] == outbox[1].extra_headers["Message-ID"]
    assert POSSIBLE_DUPLICATE_HEADER not in outbox[0].extra_headers
    assert outbox[1].extra_headers[POSSIBLE_DUPLICATE_HEADER] == "yes"
    row = rows(occurrence=Occ.DUE)[0]
    assert row.possible_duplicate
    # Interrupted again in the same window: parked for HR instead of a third copy.
    deliver_due(DUE + timedelta(minutes=22))
    row = rows(occurrence=Occ.DUE)[0]
    assert len(outbox) == 2
    assert row.status is ReminderStatus.FAILED
    assert row.last_error == UNCERTAIN


def test_a_crash_before_smtp_resends_without_a_flag(
    app_ctx: Flask, people: People, due_day_only: None, outbox: list[Any]
) -> None:
    make_activity(people.manager, date(2026, 3, 12))
    claim_due_reminders(now=DUE)  # claimed, then the worker died before the send task ran
    deliver_due(DUE + timedelta(minutes=11))
    row = rows(occurrence=Occ.DUE)[0]
    assert row.status is ReminderStatus.SENT
    assert not row.possible_duplicate
    assert row.attempts == 2
    assert len(outbox) == 1


def test_a_row_that_fails_to_render_fails_alone(
    app_ctx: Flask, people: People, due_day_only: None, outbox: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for day in (12, 12, 12):
        make_activity(people.manager, date(2026, 3, day), title=f"Aktivitet {len(rows())}")
    poison = rows(occurrence=Occ.DUE)[1].id
    from lifecycle import notifications

    original = notifications.render_reminder_email

    def render(delivery: Any) -> Any:
        if delivery.claims[0].reminder_id == poison:
            raise KeyError("broken template")
        return original(delivery)

    monkeypatch.setattr(notifications, "render_reminder_email", render)
    deliver_due(DUE)
    statuses = {r.id: r.status for r in rows(occurrence=Occ.DUE)}
    assert statuses.pop(poison) is ReminderStatus.FAILED
    assert set(statuses.values()) == {ReminderStatus.SENT}
    assert len(outbox) == 2
    assert "KeyError" in (rows(id=poison)[0].last_error or "")


def test_a_digest_reader_gets_one_e_mail_with_all_their_due_reminders(
    app_ctx: Flask, people: People, due_day_only: None, outbox: list[Any]
) -> None:
    people.user.wants_digest = True
    for title in ("Budget", "Arbetsmiljö", "Rekrytering", "Nästa vecka"):
        make_activity(people.manager, date(2026, 3, 12), title=title)
    make_activity(people.manager, date(2026, 3, 13), title="I morgon")  # not due yet
    # The dispatcher's batch is small: the digest still gathers the reader's rows.
    with time_machine.travel(DUE, tick=False):
        batch = claim_due_reminders(limit=1)
        db.session.commit()
        assert not batch.single and list(batch.digests) == [people.user.id]
        assert len(batch.digests[people.user.id]) == 4
        for claims in all_claims(batch):
            run_send(claims)
    assert len(outbox) == 1
    message = outbox[0]
    for title in ("Budget", "Arbetsmiljö", "Rekrytering", "Nästa vecka"):
        assert title in message.body
    sent = rows(status=ReminderStatus.SENT)
    assert len(sent) == 4
    assert {r.message_id for r in sent} == {message.extra_headers["Message-ID"]}
    assert message.extra_headers["Message-ID"].startswith("<reminder-digest-")


@pytest.mark.parametrize("interrupted", ["worker killed after SMTP", "connection broke, retry lost"])
def test_a_digest_taken_back_after_smtp_goes_again_as_the_same_e_mail_and_newer_reminders_apart(
    app_ctx: Flask,
    people: People,
    due_day_only: None,
    outbox: list[Any],
    monkeypatch: pytest.MonkeyPatch,
    interrupted: str,
) -> None:
    from lifecycle import notifications

    people.user.wants_digest = True
    for title in ("Budget", "Arbetsmiljö"):
        make_activity(people.manager, date(2026, 3, 12), title=title)
    real_send = notifications.send
    first = f"<reminder-digest-{rows(occurrence=Occ.DUE)[0].id}@chefsresan.localhost>"

    def crash_after_smtp(message: Any) -> None:
        real_send(message)
        raise SystemExit("worker killed after SMTP accepted the digest")

    if interrupted == "worker killed after SMTP":
        monkeypatch.setattr(notifications, "send", crash_after_smtp)
        with pytest.raises(SystemExit):
            deliver_due(DUE)
        db.session.rollback()
    else:
        fail_with(monkeypatch, smtplib.SMTPServerDisconnected("connection lost after DATA"))
        with pytest.raises(Retry):  # the retry message is lost with Redis: the lease brings the rows back
            deliver_due(DUE)
    monkeypatch.undo()
    copies = len(outbox)
    # Meanwhile another reminder became due for the same reader.
    make_activity(people.manager, date(2026, 3, 12), title="Rekrytering")
    newer = rows(occurrence=Occ.DUE)[-1]
    deliver_due(DUE + timedelta(minutes=30))
    assert len(outbox) == copies + 2
    again, apart = sorted(outbox[copies:], key=lambda m: m.extra_headers["Message-ID"] != first)
    # The copy is the same e-mail, flagged: a mail system that drops it as a duplicate loses nothing.
    assert again.extra_headers["Message-ID"] == first
    assert again.extra_headers[POSSIBLE_DUPLICATE_HEADER] == "yes"
    assert "Budget" in again.body and "Arbetsmiljö" in again.body and "Rekrytering" not in again.body
    assert apart.extra_headers["Message-ID"] == f"<reminder-{newer.id}@chefsresan.localhost>"
    assert POSSIBLE_DUPLICATE_HEADER not in apart.extra_headers
    assert "Rekrytering" in apart.body
    assert {r.status for r in rows(occurrence=Occ.DUE)} == {ReminderStatus.SENT}


def test_beat_runs_the_dispatcher_every_minute_on_an_interval(app: Flask) -> None:
    schedule = app.extensions["celery"].conf.beat_schedule
    # A plain interval (not a crontab): daylight saving never shifts it; the rows carry the local times.
    assert schedule["reminders-dispatch"] == {"task": "reminders.dispatch", "schedule": 60.0}
    assert app.extensions["celery"].conf.timezone == "UTC"
    send = app.extensions["celery"].tasks["reminders.send"]
    assert send.acks_late is True
