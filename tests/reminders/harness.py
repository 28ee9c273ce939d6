"""A real delivery line for the integration tests and the benchmark.

- an own PostgreSQL database (other processes must see the data);
- an SMTP sink (aiosmtpd) counting messages per Message-ID, which can answer 451, refuse a recipient
  with 550, or be switched off (port closed);
- `celery -A worker.celery_app worker --pool=prefork` as a subprocess on a Redis database, which the
  tests SIGKILL and restart;
- the dispatcher, run in this process the way beat's task runs it.
"""

from __future__ import annotations

import contextlib
import email
import email.message
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update

from lifecycle.db import utcnow
from lifecycle.enums import ActivityKind
from lifecycle.enums import ReminderStatus
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import Pillar
from lifecycle.models import Reminder
from lifecycle.models.activities import activity_participants
from lifecycle.models.activities import activity_pillars
from lifecycle.notifications import POSSIBLE_DUPLICATE_HEADER
from lifecycle.services.accounts import create_user
from lifecycle.services.journey import enter_journey
from lifecycle.services.reminders import ReminderKind
from lifecycle.services.reminders import Rule
from lifecycle.services.reminders import set_rules
from lifecycle.services.reminders import sync_reminders
from lifecycle.timeutil import local_today
from tests.clock import session_clock

REPO_ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


# -- database ------------------------------------------------------------------------------------------------


def _admin_url(url: str) -> str:
    """The psycopg URL of the server's `postgres` database, from a SQLAlchemy URL."""
    base = url.replace("postgresql+psycopg://", "postgresql://", 1).rsplit("/", 1)[0]
    return base + "/postgres"


def create_database(url: str, name: str) -> str:
    """Create (or re-create) database `name` on the server of `url`; return its SQLAlchemy URL."""
    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        drop_database_on(conn, name)
        conn.execute(f'CREATE DATABASE "{name}"')
    base = url.rsplit("/", 1)[0]
    if base.startswith("postgresql://"):
        base = "postgresql+psycopg://" + base.removeprefix("postgresql://")
    return f"{base}/{name}"


def drop_database_on(conn: psycopg.Connection[Any], name: str) -> None:
    conn.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = %s AND pid <> pg_backend_pid()",
        (name,),
    )
    conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def drop_database(url: str, name: str) -> None:
    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        drop_database_on(conn, name)


def empty_tables() -> None:
    names = ", ".join(table.name for table in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    db.session.commit()


# -- the SMTP sink -------------------------------------------------------------------------------------------


class SinkHandler:
    """Counts accepted messages per Message-ID; answers as the test tells it to."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        #: the last message received with each Message-ID, for tests that read what was sent
        self.messages: dict[str, email.message.Message] = {}
        self.flagged: set[str] = set()
        self.answer_data = "250 OK"
        self.refused: set[str] = set()
        self.refusals = 0
        self.delay = 0.0

    def reset(self) -> None:
        with self.lock:
            self.counts.clear()
            self.messages.clear()
            self.flagged.clear()
            self.answer_data = "250 OK"
            self.refused = set()
            self.refusals = 0
            self.delay = 0.0

    @property
    def total(self) -> int:
        with self.lock:
            return sum(self.counts.values())

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refused:
            with self.lock:
                self.refusals += 1
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        if not self.answer_data.startswith("250"):
            with self.lock:
                self.refusals += 1
            return self.answer_data
        message = email.message_from_bytes(envelope.content)
        message_id = str(message["Message-ID"])
        with self.lock:
            self.counts[message_id] += 1
            self.messages[message_id] = message
            if message[POSSIBLE_DUPLICATE_HEADER]:
                self.flagged.add(message_id)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Sink:
    """The SMTP server on a fixed port, which can be switched off (the port closed) and on again."""

    port: int
    handler: SinkHandler = field(default_factory=SinkHandler)
    controller: Controller | None = None

    def start(self) -> None:
        if self.controller is None:
            self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
            self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


# -- the worker process --------------------------------------------------------------------------------------


@dataclass
class Worker:
    """`celery -A worker.celery_app worker --pool=prefork --concurrency=2` in its own process group."""

    env: dict[str, str]
    log_path: Path
    concurrency: int = 2
    #: the queue it consumes; a queue of its own keeps a parallel run of the suite out of its way
    queue: str = "celery"
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self) -> None:
        assert self.process is None
        self.starts += 1
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                CELERY,
                "-A",
                "worker.celery_app",
                "worker",
                "--pool=prefork",
                f"--concurrency={self.concurrency}",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-Q",
                self.queue,
                "-n",
                f"reminders-test-{os.getpid()}-{self.starts}@%h",
            ],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, as the OOM killer or a power cut would."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        """Stop it gently, and hard if it does not go within ten seconds."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        # Pool processes left behind by a parent that died first.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def worker_env(database_url: str, redis_url: str, smtp_port: int, **settings: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "MAIL_", "REMINDER_", "CHEFSRESAN_", "BASE_URL"))
    }
    env.update(
        {
            "CHEFSRESAN_ENV": "development",
            "SECRET_KEY": "reminder-integration-tests-secret-key-0123456789",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp_port),
            "MAIL_TIMEOUT": "10",
            # The worker lives on the suite's test day too, when it runs on another one.
            "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(session_clock.DIRECTORY)]),
        }
    )
    test_day = session_clock.test_today()
    if test_day is not None:
        env[session_clock.VARIABLE] = test_day.isoformat()
    env.update({f"REMINDER_{name.upper()}": str(value) for name, value in settings.items()})
    return env


# -- data ----------------------------------------------------------------------------------------------------


def seed_due_reminders(
    managers: int, per_manager: int, *, first: int = 0, make_due: bool = True
) -> list[int]:
    """Add `managers` managers with accounts and `per_manager` activities each, whose reminder is due now.

    Activities go in with bulk inserts (the benchmark adds a million); their reminder rows are written by
    the real `sync_reminders`, then made due. Returns the manager ids.
    """
    set_rules(dict.fromkeys(ReminderKind, Rule(days_before=None, on_due_day=True, days_after=None)))
    pillar_id = db.session.scalar(select(Pillar.id).where(Pillar.key == "leader"))
    assert pillar_id is not None, "load the platform first"
    manager_ids = []
    for number in range(first, first + managers):
        user = create_user(f"chef{number}@reminders.test", f"Chef {number}", None, {Role.MANAGER})
        manager = enter_journey(
            name=f"Chef {number}", stage=Stage.DEVELOP, effective_date=date(2025, 1, 1), actor=None, user=user
        )
        manager_ids.append(manager.id)
    due_on = local_today() + timedelta(days=30)
    rows = [
        {"kind": ActivityKind.COURSE, "title": f"Kurs {n}", "due_on": due_on, "stage": Stage.DEVELOP}
        for n in range(managers * per_manager)
    ]
    ids = list(db.session.scalars(insert(Activity).returning(Activity.id), rows))
    db.session.execute(
        insert(activity_participants),
        [{"activity_id": a, "manager_id": manager_ids[i // per_manager]} for i, a in enumerate(ids)],
    )
    db.session.execute(insert(activity_pillars), [{"activity_id": a, "pillar_id": pillar_id} for a in ids])
    sync_reminders(activities=ids)
    if make_due:
        make_all_due()
    db.session.commit()
    return manager_ids


def make_all_due() -> None:
    """Make every waiting reminder that belongs to an item due a minute ago."""
    db.session.execute(
        update(Reminder)
        .where(Reminder.activity_id.is_not(None), Reminder.status == ReminderStatus.PENDING)
        .values(due_at=utcnow() - timedelta(minutes=1))
        .execution_options(synchronize_session=False)
    )


def statuses() -> Counter[ReminderStatus]:
    db.session.expire_all()
    return Counter(db.session.scalars(select(Reminder.status)))


def wait_for(
    condition: Callable[[], bool], timeout: float, what: str, on_fail: Callable[[], str] = str
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{on_fail()}")


# -- the dispatcher ------------------------------------------------------------------------------------------


@contextlib.contextmanager
def dispatching(app: Flask, interval: float = 0.3, threads: int = 1) -> Iterator[list[int]]:
    """Run the dispatcher task's body every `interval` seconds in `threads` threads, until the block ends."""
    from lifecycle.tasks import dispatch_reminders

    stop = threading.Event()
    errors: list[BaseException] = []
    runs: list[int] = []

    def loop() -> None:
        while not stop.is_set():
            try:
                with app.app_context():
                    runs.append(dispatch_reminders.run())
            except Exception as exc:  # kept for the test to see; a dispatcher run must never fail
                errors.append(exc)
            stop.wait(interval)

    workers = [threading.Thread(target=loop, daemon=True) for _ in range(threads)]
    for thread in workers:
        thread.start()
    try:
        yield runs
    finally:
        stop.set()
        for thread in workers:
            thread.join(timeout=30)
    if errors:
        raise errors[0]
