"""A send task carries a few e-mails: each is marked on its own, and one e-mail's trouble stays its own."""

from __future__ import annotations

import smtplib
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from celery.exceptions import Retry
from flask import Flask

from lifecycle import notifications
from lifecycle import tasks
from lifecycle.enums import ReminderOccurrence as Occ
from lifecycle.enums import ReminderStatus
from lifecycle.extensions import db
from lifecycle.notifications import POSSIBLE_DUPLICATE_HEADER
from lifecycle.notifications import SendFailure
from lifecycle.services.reminders import UNCERTAIN
from lifecycle.services.reminders import Claim
from lifecycle.services.reminders import ReminderKind
from lifecycle.services.reminders import Rule
from lifecycle.services.reminders import claim_due_reminders
from lifecycle.services.reminders import resend_reminder
from lifecycle.services.reminders import set_rules
from lifecycle.services.reminders import start_deliveries
from lifecycle.services.reminders import take_delivery
from tests.reminders.conftest import People
from tests.reminders.conftest import make_activity
from tests.reminders.conftest import rows
from tests.reminders.test_delivery import DUE
from tests.reminders.test_delivery import all_claims
from tests.reminders.test_delivery import deliver_due


@pytest.fixture(autouse=True)
def outbox(app: Flask) -> Iterator[list[Any]]:
    state = app.extensions["mailman"]
    state.outbox = []
    yield state.outbox
    state.outbox = []


@pytest.fixture
def five_due(people: People) -> list[list[Claim]]:
    """Five activities due on the same day, one e-mail each, claimed by one dispatcher run."""
    set_rules(dict.fromkeys(ReminderKind, Rule(days_before=None, on_due_day=True, days_after=None)))
    for n in range(5):
        make_activity(people.manager, DUE.date(), title=f"Aktivitet {n}")
    with time_machine.travel(DUE, tick=False):
        batch = claim_due_reminders()
        db.session.commit()
    return all_claims(batch)


def run_batch(deliveries: list[list[Claim]]) -> None:
    """The batch send task as a worker runs it, at the due time."""
    with time_machine.travel(DUE, tick=False):
        tasks.send_reminders.run(
            [[[c.reminder_id, c.attempt, c.recipient_id] for c in claims] for claims in deliveries]
        )


def message_id(reminder_id: int) -> str:
    return f"<reminder-{reminder_id}@chefsresan.localhost>"


def sending_through(
    monkeypatch: pytest.MonkeyPatch, wrap: Callable[[Any, Callable[[Any], None]], None]
) -> None:
    """Send every e-mail through `wrap(message, real_send)`, which may fail or crash around the real send."""
    real_send = notifications.send
    monkeypatch.setattr(notifications, "send", lambda message: wrap(message, real_send))


def test_a_refused_e_mail_in_a_batch_fails_alone_and_the_others_are_sent(
    app_ctx: Flask,
    people: People,
    five_due: list[list[Claim]],
    outbox: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    poison = five_due[2][0].reminder_id

    def refuse_one(message: Any, send: Callable[[Any], None]) -> None:
        if message.extra_headers["Message-ID"] == message_id(poison):
            raise SendFailure(smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such user")}), True)
        send(message)

    sending_through(monkeypatch, refuse_one)
    run_batch(five_due)
    statuses = {r.id: r.status for r in rows(occurrence=Occ.DUE)}
    assert statuses.pop(poison) is ReminderStatus.FAILED
    assert set(statuses.values()) == {ReminderStatus.SENT}
    assert sorted(m.extra_headers["Message-ID"] for m in outbox) == sorted(message_id(i) for i in statuses)
    assert "550 No such user" in (rows(id=poison)[0].last_error or "")


def test_a_temporary_failure_in_a_batch_retries_that_e_mail_only(
    app_ctx: Flask,
    people: People,
    five_due: list[list[Claim]],
    outbox: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    busy = five_due[1][0].reminder_id

    def busy_once(message: Any, send: Callable[[Any], None]) -> None:
        if message.extra_headers["Message-ID"] == message_id(busy):
            raise SendFailure(smtplib.SMTPDataError(451, b"Mailbox busy"), True)
        send(message)

    sending_through(monkeypatch, busy_once)
    with pytest.raises(Retry):
        run_batch(five_due)
    by_id = {r.id: r for r in rows(occurrence=Occ.DUE)}
    waiting = by_id.pop(busy)
    assert waiting.status is ReminderStatus.SENDING
    assert waiting.attempts == 2 and waiting.message_id is None
    assert waiting.last_error == "SMTP 451: Mailbox busy"
    assert {r.status for r in by_id.values()} == {ReminderStatus.SENT}
    assert {r.attempts for r in by_id.values()} == {1}
    assert len(outbox) == 4
    # The retry carries only that e-mail, under its next attempt; the first task's claims are spent.
    monkeypatch.undo()
    run_batch([[Claim(busy, 2, people.user.id)]])
    run_batch(five_due)
    assert rows(id=busy)[0].status is ReminderStatus.SENT
    assert Counter(m.extra_headers["Message-ID"] for m in outbox) == {message_id(r.id): 1 for r in rows()}


@pytest.mark.parametrize("recovery", ["task given back by Celery", "lease runs out"])
def test_a_crash_mid_batch_leaves_only_the_e_mail_at_smtp_uncertain(
    app_ctx: Flask,
    people: People,
    five_due: list[list[Claim]],
    outbox: list[Any],
    monkeypatch: pytest.MonkeyPatch,
    recovery: str,
) -> None:
    sent: list[Any] = []

    def crash_after_third(message: Any, send: Callable[[Any], None]) -> None:
        send(message)
        sent.append(message)
        if len(sent) == 3:
            raise SystemExit("pool process killed after SMTP accepted the third e-mail")

    sending_through(monkeypatch, crash_after_third)
    with pytest.raises(SystemExit):
        run_batch(five_due)
    db.session.rollback()
    # Each e-mail was marked sent right after SMTP took it; only the third may have left unrecorded.
    due = rows(occurrence=Occ.DUE)
    assert [r.status for r in due] == [ReminderStatus.SENT] * 2 + [ReminderStatus.SENDING] * 3
    assert [r.message_id is not None for r in due] == [True, True, True, False, False]
    third = due[2].id
    monkeypatch.undo()
    if recovery == "task given back by Celery":
        run_batch(five_due)  # task_reject_on_worker_lost: the same message, the same attempts
    else:
        deliver_due(DUE + timedelta(minutes=11))
    copies = Counter(m.extra_headers["Message-ID"] for m in outbox)
    assert copies == {message_id(r.id): 2 if r.id == third else 1 for r in due}
    flagged = [m.extra_headers["Message-ID"] for m in outbox if POSSIBLE_DUPLICATE_HEADER in m.extra_headers]
    assert flagged == [message_id(third)]
    due = rows(occurrence=Occ.DUE)
    assert {r.status for r in due} == {ReminderStatus.SENT}
    assert [r.id for r in due if r.possible_duplicate] == [third]


def test_a_task_given_back_twice_after_smtp_parks_the_e_mail_instead_of_a_third_copy(
    app_ctx: Flask,
    people: People,
    five_due: list[list[Claim]],
    outbox: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one = five_due[:1]

    def crash_after_smtp(message: Any, send: Callable[[Any], None]) -> None:
        send(message)
        raise SystemExit("pool process killed after SMTP accepted the e-mail")

    sending_through(monkeypatch, crash_after_smtp)
    for _ in range(2):
        with pytest.raises(SystemExit):
            run_batch(one)
        db.session.rollback()
    monkeypatch.undo()
    run_batch(one)
    assert len(outbox) == 2
    assert POSSIBLE_DUPLICATE_HEADER not in outbox[0].extra_headers
    assert outbox[1].extra_headers[POSSIBLE_DUPLICATE_HEADER] == "yes"
    row = rows(id=one[0][0].reminder_id)[0]
    assert row.status is ReminderStatus.FAILED
    assert row.last_error == UNCERTAIN


def test_the_dispatcher_hands_the_e_mails_to_send_tasks_a_few_at_a_time(
    app_ctx: Flask, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_rules(dict.fromkeys(ReminderKind, Rule(days_before=None, on_due_day=True, days_after=None)))
    for n in range(7):
        make_activity(people.manager, DUE.date(), title=f"Aktivitet {n}")
    monkeypatch.setitem(app_ctx.config, "REMINDER_SEND_BATCH", 3)
    celery_app = app_ctx.extensions["celery"]
    queued: list[tuple[str, Any]] = []
    # The broker is replaced by a list: what is checked is what the tasks would carry.
    monkeypatch.setattr(celery_app, "send_task", lambda name, args, **options: queued.append((name, args)))
    monkeypatch.setattr(celery_app, "producer_or_acquire", lambda: _NoProducer())
    with time_machine.travel(DUE, tick=False):
        assert tasks.dispatch_reminders.run() == 7
    assert [name for name, _args in queued] == ["reminders.send_batch"] * 3
    assert [len(args[0]) for _name, args in queued] == [3, 3, 1]
    ids = [delivery[0][0] for _name, args in queued for delivery in args[0]]
    assert sorted(ids) == sorted(r.id for r in rows(occurrence=Occ.DUE))
    # What a worker receives works: each task sends its e-mails.
    outbox = app_ctx.extensions["mailman"].outbox
    for _name, args in queued:
        with time_machine.travel(DUE, tick=False):
            tasks.send_reminders.run(*args)
    assert len(outbox) == 7
    assert {r.status for r in rows(occurrence=Occ.DUE)} == {ReminderStatus.SENT}


class _NoProducer:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_the_batch_task_is_acknowledged_only_after_it_ran(app: Flask) -> None:
    # With task_reject_on_worker_lost, a task whose pool process dies is handed back, not lost.
    task = app.extensions["celery"].tasks["reminders.send_batch"]
    assert task.acks_late is True
    assert app.extensions["celery"].conf.task_reject_on_worker_lost is True
    assert app.extensions["celery"].conf.worker_prefetch_multiplier == 1


def _pack(deliveries: list[list[Claim]]) -> list[list[list[int]]]:
    return [[[c.reminder_id, c.attempt, c.recipient_id] for c in claims] for claims in deliveries]


def test_a_task_that_starts_late_on_a_slow_relay_keeps_all_its_e_mails(
    app_ctx: Flask,
    people: People,
    five_due: list[list[Claim]],
    outbox: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The task starts nine minutes after the claim (a queue backlog), one minute before the lease of its
    # e-mails would run out, and the relay takes a minute per e-mail; the dispatcher runs after each one.
    with time_machine.travel(DUE + timedelta(minutes=9), tick=False) as clock:

        def slow_relay(message: Any, send: Callable[[Any], None]) -> None:
            clock.shift(timedelta(minutes=1))
            send(message)
            assert claim_due_reminders().emails() == []  # nothing of this task is taken back
            db.session.commit()

        sending_through(monkeypatch, slow_relay)
        tasks.send_reminders.run(_pack(five_due))
    due = rows(occurrence=Occ.DUE)
    assert {r.status for r in due} == {ReminderStatus.SENT}
    assert {r.attempts for r in due} == {1}
    assert Counter(m.extra_headers["Message-ID"] for m in outbox) == {message_id(r.id): 1 for r in due}


def test_an_e_mail_the_dispatcher_took_back_while_the_task_ran_is_sent_once_by_its_new_owner(
    app_ctx: Flask,
    people: People,
    five_due: list[list[Claim]],
    outbox: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    taken_back: list[list[Claim]] = []
    with time_machine.travel(DUE, tick=False) as clock:

        def hanging_relay(message: Any, send: Callable[[Any], None]) -> None:
            send(message)
            if len(outbox) == 1:
                clock.shift(timedelta(minutes=5))
            elif len(outbox) == 2:
                # The relay hung past the lease of the e-mails still waiting: the dispatcher takes them back.
                clock.shift(timedelta(minutes=6))
                taken_back.extend(claim_due_reminders().emails())
                db.session.commit()

        sending_through(monkeypatch, hanging_relay)
        tasks.send_reminders.run(_pack(five_due))
        assert sorted(c.reminder_id for cs in taken_back for c in cs) == [
            c[0].reminder_id for c in five_due[2:]
        ]
        assert len(outbox) == 2  # the first task skipped the e-mails it no longer owned
        tasks.send_reminders.run(_pack(taken_back))
    due = rows(occurrence=Occ.DUE)
    assert {r.status for r in due} == {ReminderStatus.SENT}
    assert [r.attempts for r in due] == [1, 1, 2, 2, 2]
    assert Counter(m.extra_headers["Message-ID"] for m in outbox) == {message_id(r.id): 1 for r in due}
    assert not any(POSSIBLE_DUPLICATE_HEADER in m.extra_headers for m in outbox)


@pytest.mark.parametrize(
    "late_task", ["reads before the new owner marks", "starts while the new owner sends"]
)
def test_a_late_task_from_before_send_again_never_sends_an_unflagged_second_copy(
    app_ctx: Flask,
    people: People,
    five_due: list[list[Claim]],
    outbox: list[Any],
    monkeypatch: pytest.MonkeyPatch,
    late_task: str,
) -> None:
    one = five_due[:1]
    reminder_id = one[0][0].reminder_id

    def refuse(message: Any, send: Callable[[Any], None]) -> None:
        raise SendFailure(smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such user")}), True)

    sending_through(monkeypatch, refuse)
    run_batch(one)
    monkeypatch.undo()
    assert rows(id=reminder_id)[0].status is ReminderStatus.FAILED
    # HR sends it again: the count starts over, so the new claim presents the same (row, attempt) as the
    # first task, a copy of which Celery delivers very late.
    resend_reminder(rows(id=reminder_id)[0])
    db.session.commit()
    with time_machine.travel(DUE, tick=False):
        claimed = claim_due_reminders().emails()
        db.session.commit()
        late = start_deliveries(one) if late_task == "reads before the new owner marks" else []
    assert claimed == one

    def late_copy_meanwhile(message: Any, send: Callable[[Any], None]) -> None:
        send(message)
        if len(outbox) > 1:
            return
        if late:
            assert take_delivery(late[0]) is False
        else:
            run_batch(one)

    sending_through(monkeypatch, late_copy_meanwhile)
    run_batch(claimed)
    unflagged = [m for m in outbox if POSSIBLE_DUPLICATE_HEADER not in m.extra_headers]
    assert [m.extra_headers["Message-ID"] for m in unflagged] == [message_id(reminder_id)]
    # A copy that found the e-mail already at SMTP goes out at most once more, flagged.
    assert len(outbox) == (1 if late else 2)
    assert rows(id=reminder_id)[0].status is ReminderStatus.SENT
