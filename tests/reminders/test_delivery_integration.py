"""Reminder delivery for real: PostgreSQL, Redis, a prefork Celery worker process and an SMTP server.

Each test seeds due reminder rows, runs the dispatcher (as beat's task does) in this process and a
worker subprocess, injects a fault, and then counts what the SMTP server received per Message-ID.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from celery import _state as celery_state
from flask import Flask
from sqlalchemy import select
from sqlalchemy import update

from config import _celery_settings
from lifecycle import create_app
from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.db import utcnow
from lifecycle.enums import Language
from lifecycle.enums import ReminderStatus
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import DevelopmentReview
from lifecycle.models import Manager
from lifecycle.models import Reminder
from lifecycle.models import User
from lifecycle.services.introductions import ensure_default_template
from lifecycle.services.introductions import launch_introduction
from lifecycle.services.journey import move_to_stage
from lifecycle.services.plans import ensure_plan
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.services.reminders import UNCERTAIN
from lifecycle.services.reminders import ReminderKind
from lifecycle.services.reminders import Rule
from lifecycle.services.reminders import set_rules
from lifecycle.services.reminders import sync_reminders
from lifecycle.timeutil import local_today
from tests.conftest import database_url
from tests.conftest import redis_url
from tests.factories import make_manager
from tests.factories import make_user
from tests.reminders.conftest import make_activity
from tests.reminders.harness import Sink
from tests.reminders.harness import Worker
from tests.reminders.harness import create_database
from tests.reminders.harness import dispatching
from tests.reminders.harness import drop_database
from tests.reminders.harness import empty_tables
from tests.reminders.harness import free_port
from tests.reminders.harness import seed_due_reminders
from tests.reminders.harness import statuses
from tests.reminders.harness import wait_for
from tests.reminders.harness import worker_env

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

#: a claimed row's lease in these tests: short, so recovery after a kill is quick
LEASE = 6
#: the worker's SMTP retry backoff: 1 s, then 2 s at most
WORKER_SETTINGS = {
    "lease_seconds": LEASE,
    "retry_base_seconds": 1,
    "retry_max_seconds": 2,
    "max_attempts": 40,
}


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """An own database, a queue of its own on Redis database 9, an SMTP port, and an app on them."""
    name = f"chefsresan_reminders_{os.getpid()}"
    url = create_database(database_url() or "", name)
    broker = (redis_url() or "").rsplit("/", 1)[0] + "/9"
    broker_client = redis.Redis.from_url(broker)
    # A queue of this run's own: another run of the suite on the same Redis cannot take its tasks.
    queue = f"reminders-test-{os.getpid()}"
    celery_settings = {
        **_celery_settings(broker, tmp_path_factory.mktemp("celery")),
        "task_default_queue": queue,
    }
    previous_default = celery_state.default_app
    app = create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": url,
            "CELERY": celery_settings,
            "REMINDER_LEASE_SECONDS": LEASE,
            "REMINDER_BATCH_SIZE": 200,
        },
    )
    with app.app_context():
        db.create_all()
    sink = Sink(free_port())
    sink.start()
    try:
        yield {"app": app, "url": url, "broker": broker, "redis": broker_client, "sink": sink, "queue": queue}
    finally:
        sink.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        broker_client.delete(queue)
        broker_client.close()
        celery_state.default_app = previous_default
        drop_database(database_url() or "", name)


@pytest.fixture
def line(services: dict[str, Any], tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Per test: empty tables with the platform loaded, a reset sink, a worker (started by the test)."""
    app: Flask = services["app"]
    sink: Sink = services["sink"]
    sink.start()
    sink.handler.reset()
    services["redis"].delete(services["queue"])
    with app.app_context():
        empty_tables()
        load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
        db.session.commit()
    env = worker_env(services["url"], services["broker"], sink.port, **WORKER_SETTINGS)
    worker = Worker(env, tmp_path / "worker.log", queue=services["queue"])
    try:
        yield {**services, "worker": worker}
    finally:
        worker.stop()
        sink.start()
        services["redis"].delete(services["queue"])
        with app.app_context():
            db.session.remove()


def _report(line: dict[str, Any]) -> str:
    """What a timed-out wait shows: the rows, the broker, the sink and the worker's log."""
    with line["app"].app_context():
        counts = statuses()
        attempts = Counter(db.session.scalars(select(Reminder.attempts)))
        db.session.remove()
    broker = line["redis"]
    handler = line["sink"].handler
    return (
        f"rows: {dict(counts)}; attempts: {dict(attempts)}\n"
        f"broker: {broker.llen(line['queue'])} queued, {broker.hlen('unacked')} unacknowledged\n"
        f"sink: {handler.total} received, {handler.refusals} refused\n"
        f"worker log:\n{line['worker'].log_tail()}"
    )


def _all_sent(line: dict[str, Any], expected: int) -> bool:
    with line["app"].app_context():
        done = statuses()[ReminderStatus.SENT] == expected
        db.session.remove()
    return done


@contextmanager
def lease_longer_than_the_run(app: Flask, **settings: Any) -> Iterator[None]:
    """Claim with a two-minute lease (and `settings`) for one test; the short one after it."""
    app.config.update(REMINDER_LEASE_SECONDS=120, **settings)
    try:
        yield
    finally:
        app.config.update(REMINDER_BATCH_SIZE=200, REMINDER_LEASE_SECONDS=LEASE)


def _all_settled(line: dict[str, Any], expected: int) -> bool:
    """Every row sent or parked: nothing pending, nothing sending."""
    with line["app"].app_context():
        counts = statuses()
        done = counts[ReminderStatus.SENT] + counts[ReminderStatus.FAILED] == expected
        db.session.remove()
    return done


def _rows(app: Flask) -> list[Reminder]:
    with app.app_context():
        found = list(db.session.scalars(select(Reminder).order_by(Reminder.id)))
        db.session.expunge_all()
        db.session.remove()
    return found


def _assert_each_arrived_once(line: dict[str, Any], expected: int) -> list[Reminder]:
    rows = _rows(line["app"])
    handler = line["sink"].handler
    assert len(rows) == expected
    assert {r.status for r in rows} == {ReminderStatus.SENT}
    assert set(handler.counts) == {r.message_id for r in rows}
    assert set(handler.counts.values()) == {1}, [m for m, n in handler.counts.items() if n > 1]
    assert not any(r.possible_duplicate for r in rows)
    return rows


def test_a_thousand_due_reminders_arrive_exactly_once(line: dict[str, Any]) -> None:
    app = line["app"]
    with app.app_context():
        seed_due_reminders(managers=10, per_manager=100)
    line["worker"].start()
    started = time.monotonic()
    with dispatching(app):
        wait_for(lambda: _all_sent(line, 1000), 120, "1 000 reminders sent", lambda: _report(line))
    elapsed = time.monotonic() - started
    rows = _assert_each_arrived_once(line, 1000)
    assert all(r.message_id == f"<reminder-{r.id}@chefsresan.localhost>" for r in rows)
    print(f"1 000 reminders delivered in {elapsed:.1f} s by one prefork worker with two processes")


def test_killing_the_worker_three_times_loses_nothing_and_duplicates_only_flagged(
    line: dict[str, Any],
) -> None:
    app, worker, handler = line["app"], line["worker"], line["sink"].handler
    with app.app_context():
        seed_due_reminders(managers=10, per_manager=100)
    handler.delay = 0.01  # a little time in SMTP, so kills land mid-send too
    worker.start()
    with dispatching(app):
        for threshold in (150, 400, 650):
            wait_for(
                lambda t=threshold: handler.total >= t, 90, f"{threshold} received", lambda: _report(line)
            )
            worker.kill()
            worker.start()
        wait_for(lambda: _all_settled(line, 1000), 150, "every reminder settled", lambda: _report(line))
    rows = _rows(app)
    # A flagged re-send cut off by a second kill is parked for HR to check rather than sent a third
    # time; it needs two of the three kills, so at most three rows, and every other one is sent.
    parked = [r for r in rows if r.status is not ReminderStatus.SENT]
    for row in parked:
        assert row.status is ReminderStatus.FAILED and row.possible_duplicate
        assert (row.last_error or "").startswith(UNCERTAIN)
    assert len(parked) <= 3
    sent = {r.message_id for r in rows if r.status is ReminderStatus.SENT}
    assert sent <= set(handler.counts) <= {r.message_id for r in rows}  # every sent one arrived
    flagged_rows = {r.message_id for r in rows if r.possible_duplicate}
    twice = {m for m, n in handler.counts.items() if n > 1}
    assert max(handler.counts.values()) <= 2  # at most one extra copy ...
    assert twice <= flagged_rows  # ... and only of a row flagged as a possible duplicate
    assert twice <= handler.flagged  # whose second copy says so in its header
    assert len(flagged_rows) <= 3 * 2  # only sends cut off by a kill (two pool processes each time)
    print(
        f"after 3 kills: {len(twice)} duplicated, {len(flagged_rows)} flagged, {worker.starts} worker starts"
    )


def test_smtp_down_then_451_then_up_delivers_everything_once_after_backoff(line: dict[str, Any]) -> None:
    app, worker, sink = line["app"], line["worker"], line["sink"]
    with app.app_context():
        seed_due_reminders(managers=4, per_manager=50)
    sink.stop()  # the port is closed: connection refused
    worker.start()
    with dispatching(app):
        time.sleep(5)
        sink.handler.answer_data = "451 4.3.0 Mailbox busy, try again later"
        sink.start()
        wait_for(lambda: sink.handler.refusals >= 50, 60, "451 answers", lambda: _report(line))
        time.sleep(2)
        sink.handler.answer_data = "250 OK"
        wait_for(
            lambda: _all_sent(line, 200), 120, "every reminder sent after the outage", lambda: _report(line)
        )
    rows = _assert_each_arrived_once(line, 200)
    assert min(r.attempts for r in rows) >= 2  # every one waited and was tried again


def test_a_550_fails_its_row_after_one_attempt_and_the_others_arrive(line: dict[str, Any]) -> None:
    app, worker, handler = line["app"], line["worker"], line["sink"].handler
    with app.app_context():
        seed_due_reminders(managers=3, per_manager=20)
    handler.refused = {"chef1@reminders.test"}
    # A lease longer than the run: on a busy machine a slow send must not count as a second attempt.
    with lease_longer_than_the_run(app):
        worker.start()
        with dispatching(app):
            wait_for(
                lambda: _all_settled(line, 60), 60, "every reminder sent or failed", lambda: _report(line)
            )
            time.sleep(2)  # nothing is retried
    rows = _rows(app)
    failed = [r for r in rows if r.status is ReminderStatus.FAILED]
    assert len(failed) == 20
    assert all(r.attempts == 1 for r in failed)
    assert all("550" in (r.last_error or "") for r in failed)
    assert handler.refusals == 20
    assert sum(handler.counts.values()) == 40


def test_a_refused_recipient_fails_alone_within_a_send_task(line: dict[str, Any]) -> None:
    app, worker, handler = line["app"], line["worker"], line["sink"].handler
    with app.app_context():
        seed_due_reminders(managers=30, per_manager=1)
    # One in the middle of each task of ten e-mails.
    handler.refused = {"chef4@reminders.test", "chef15@reminders.test", "chef26@reminders.test"}
    # A lease longer than the run: on a busy machine a slow send must not count as a second attempt.
    with lease_longer_than_the_run(app):
        worker.start()
        with dispatching(app):
            wait_for(
                lambda: _all_settled(line, 30), 60, "every reminder sent or failed", lambda: _report(line)
            )
            time.sleep(2)  # nothing is retried
    rows = _rows(app)
    failed = [r for r in rows if r.status is ReminderStatus.FAILED]
    assert len(failed) == 3
    assert all(r.attempts == 1 and "550" in (r.last_error or "") for r in failed)
    sent = {r.message_id for r in rows if r.status is ReminderStatus.SENT}
    assert len(sent) == 27
    assert dict(handler.counts) == dict.fromkeys(sent, 1)


def test_redis_flushed_mid_run_loses_nothing(line: dict[str, Any]) -> None:
    app, worker, handler = line["app"], line["worker"], line["sink"].handler
    with app.app_context():
        seed_due_reminders(managers=10, per_manager=100)
    handler.delay = 0.005
    worker.start()
    with dispatching(app):
        wait_for(lambda: handler.total >= 300, 90, "300 received", lambda: _report(line))
        line["redis"].flushdb()  # every queued send task is gone, and kombu's bindings with them
        wait_for(
            lambda: _all_sent(line, 1000), 150, "every reminder sent after the flush", lambda: _report(line)
        )
    _assert_each_arrived_once(line, 1000)


def test_two_dispatchers_at_once_send_nothing_twice(line: dict[str, Any]) -> None:
    app, worker = line["app"], line["worker"]
    with app.app_context():
        seed_due_reminders(managers=10, per_manager=100)
    # Small batches, and a lease longer than the run: a second attempt could only be a double claim.
    with lease_longer_than_the_run(app, REMINDER_BATCH_SIZE=50):
        worker.start()
        with dispatching(app, interval=0.05, threads=2):
            wait_for(lambda: _all_sent(line, 1000), 120, "1 000 reminders sent", lambda: _report(line))
    rows = _assert_each_arrived_once(line, 1000)
    # Never claimed twice: one attempt each.
    assert {r.attempts for r in rows} == {1}


def test_a_manager_offboarded_before_the_time_is_never_reminded(line: dict[str, Any]) -> None:
    app, worker, handler = line["app"], line["worker"], line["sink"].handler
    with app.app_context():
        staying, leaving = seed_due_reminders(managers=2, per_manager=50)
        manager = db.session.get(Manager, leaving)
        assert manager is not None
        move_to_stage(manager, Stage.OFFBOARD, None, "Slutar", local_today(), end_date=local_today())
        db.session.commit()
        leaving_user = manager.user_id
    worker.start()
    with dispatching(app):
        wait_for(lambda: _all_sent(line, 50), 60, "the staying manager's 50", lambda: _report(line))
        time.sleep(2)
    with app.app_context():
        # Entering offboard launched the leaving manager's checklist: its tasks are reminded on purpose.
        checklist = set(
            db.session.scalars(
                select(Reminder.id)
                .join(Activity, Activity.id == Reminder.activity_id)
                .where(Activity.offboarding_id.is_not(None))
            )
        )
        db.session.remove()
    rows = [r for r in _rows(app) if r.id not in checklist]
    assert {r.status for r in rows if r.recipient_id == leaving_user} == {ReminderStatus.CANCELLED}
    staying_sent = {r.message_id for r in rows if r.status is ReminderStatus.SENT}
    assert len(staying_sent) == 50 and all(handler.counts[m] == 1 for m in staying_sent)
    assert set(handler.counts) - staying_sent <= {f"<reminder-{i}@chefsresan.localhost>" for i in checklist}
    assert staying != leaving


def _text_of(message: Any) -> str:
    """The plain-text part of an e-mail, decoded."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload: bytes = part.get_payload(decode=True)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text/plain part")


#: what each language's e-mail says, and what it must not say
GREETING = {Language.SV: "Hej ", Language.EN: "Hello "}
REVIEW_TITLE = {Language.SV: "Utvecklingssamtal", Language.EN: "Development review"}
BASE_URL = "http://chefsresan.test:8123"


def test_every_kind_of_reminder_is_rendered_by_the_worker_in_its_recipients_language(
    line: dict[str, Any],
) -> None:
    """Activity, introduction milestone and development review, one by one and as digests, sv and en.

    The worker renders with no request at all (a review's title once crashed it); each e-mail arrives
    once, greets in the recipient's language and links to the public address.
    """
    app, worker, handler = line["app"], line["worker"], line["sink"].handler
    with app.app_context():
        set_rules(dict.fromkeys(ReminderKind, Rule(days_before=None, on_due_day=True, days_after=None)))
        template = ensure_default_template()
        today = local_today()
        languages: dict[int, Language] = {}
        for language in Language:
            for digest in (False, True):
                user = make_user(Role.MANAGER, name=f"Chef {language.value} {digest}")
                user.language = language
                user.wants_digest = digest
                manager = make_manager(user.name, stage=Stage.DEVELOP, user=user, entered_on=today)
                languages[user.id] = language
                make_activity(manager, today + timedelta(days=20), title=f"Kurs {language.value}")
                launch_introduction(manager, template, None, today + timedelta(days=7))
                review = DevelopmentReview(
                    plan=ensure_plan(manager, today), scheduled_on=today + timedelta(days=10), next_steps=""
                )
                db.session.add(review)
                db.session.flush()
                sync_reminders(reviews=[review])
        db.session.flush()
        # Every person reminded (a milestone's responsible, a review's line manager) has a language too.
        for user in db.session.scalars(select(User).where(User.id.not_in(languages))):
            user.language = Language.EN
            languages[user.id] = Language.EN
        db.session.execute(
            update(Reminder).where(Reminder.status == ReminderStatus.PENDING).values(due_at=utcnow())
        )
        db.session.commit()
        rows = list(db.session.scalars(select(Reminder).where(Reminder.status == ReminderStatus.PENDING)))
        milestones = set(db.session.scalars(select(Activity.id).where(Activity.introduction_id.is_not(None))))
        kinds = {
            (
                "review" if r.review_id else "milestone" if r.activity_id in milestones else "activity",
                languages[r.recipient_id],
            )
            for r in rows
        }
        assert {kind for kind, _language in kinds} == {"review", "milestone", "activity"}
        assert {language for _kind, language in kinds} == set(Language)
        expected = len(rows)
        db.session.remove()
    worker.env["BASE_URL"] = BASE_URL
    worker.start()
    with dispatching(app):
        wait_for(lambda: _all_sent(line, expected), 120, f"{expected} reminders sent", lambda: _report(line))
    sent = _rows(app)
    assert set(handler.counts.values()) == {1}, "every e-mail arrives once"
    with app.app_context():
        digests = {u.id for u in db.session.scalars(select(User).where(User.wants_digest.is_(True)))}
        by_message: dict[str, list[Reminder]] = {}
        for row in sent:
            assert row.message_id is not None
            by_message.setdefault(row.message_id, []).append(row)
        assert set(handler.counts) == set(by_message)
        seen = set()
        for message_id, group in by_message.items():
            recipient = group[0].recipient_id
            language = languages[recipient]
            text = _text_of(handler.messages[message_id])
            assert text.startswith(GREETING[language]), text
            assert f"{BASE_URL}/" in text and "http://localhost" not in text
            if any(r.review_id for r in group):
                assert REVIEW_TITLE[language] in text
            assert (len(group) > 1) == (recipient in digests or len(group) > 1)
            seen.add((recipient in digests, language))
        assert seen == {(digest, language) for digest in (False, True) for language in Language}
        db.session.remove()


INVITATION_SUBJECT = {
    Language.SV: "Du är inbjuden till Chefsresan",
    Language.EN: "You are invited to Chefsresan",
}
RESET_SUBJECT = {
    Language.SV: "Välj ett nytt lösenord för Chefsresan",
    Language.EN: "Choose a new password for Chefsresan",
}


def test_invitations_and_password_resets_are_sent_by_the_worker_once_in_each_language(
    line: dict[str, Any],
) -> None:
    """The account e-mails are the worker's too: it mints each link, renders with no request, sends once."""
    from email.header import decode_header
    from email.header import make_header

    from lifecycle.models import Invitation
    from lifecycle.services.invitations import invite
    from lifecycle.tasks import queue_invitations
    from lifecycle.tasks import queue_password_reset

    app, worker, handler = line["app"], line["worker"], line["sink"].handler
    expected: dict[str, tuple[str, Language]] = {}
    with app.app_context():
        hr = make_user(Role.HR, name="Hedda HR")
        invitation_ids = []
        for language in Language:
            invitee = make_manager(f"Inbjuden {language.value}")
            invitation = invite(invitee, hr)
            assert invitation is not None and invitee.user is not None
            invitee.user.language = language
            invitation_ids.append(invitation.id)
            expected[invitee.email or ""] = (INVITATION_SUBJECT[language], language)
            forgetful = make_user(Role.MANAGER, name=f"Glömsk {language.value}")
            forgetful.language = language
            expected[forgetful.email] = (RESET_SUBJECT[language], language)
        db.session.commit()
        # Queued twice, as a redelivery or the sweep would: each invitation still goes out once.
        queue_invitations(invitation_ids)
        queue_invitations(invitation_ids)
        for address, (subject, _language) in expected.items():
            if subject in RESET_SUBJECT.values():
                queue_password_reset(address, "sv")
        db.session.remove()
    worker.env["BASE_URL"] = BASE_URL
    worker.start()
    wait_for(lambda: handler.total >= len(expected), 120, f"{len(expected)} e-mails", worker.log_tail)
    time.sleep(2)  # anything sent twice would arrive by now
    assert set(handler.counts.values()) == {1} and len(handler.counts) == len(expected), handler.counts
    received = {str(message["To"]): message for message in handler.messages.values()}
    assert set(received) == set(expected)
    for address, (subject, language) in expected.items():
        message = received[address]
        assert str(make_header(decode_header(message["Subject"]))) == subject
        text = _text_of(message)
        assert text.startswith(GREETING[language]), text
        link = "/invitation/" if subject in INVITATION_SUBJECT.values() else "/reset-password/"
        assert f"{BASE_URL}{link}" in text and "http://localhost" not in text
    with app.app_context():
        sent = list(db.session.scalars(select(Invitation)))
        assert all(i.sent_at is not None and i.token_digest and i.send_error is None for i in sent)
        db.session.remove()
