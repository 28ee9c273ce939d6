"""Benchmark: the reminder dispatcher, delivery and HR's page with 1 000 000 future reminders and 10 000 due.

Besides the million waiting rows it loads a year of history (200 000 sent, 50 000 cancelled, 1 000
failed), and prints
- the time of one idle dispatcher tick (nothing due among a million waiting rows; target < 50 ms),
- HR's reminders page (/reminders, and its "sent" and "failed" lists) as HTTP requests in a separate
  web process: median, p95 (target < 200 ms) and query count, with 12 510 rows and with 1 261 000
  (the counts must be equal),
- the time to claim the 10 000 due rows (as one claim, and as the dispatcher does it, in batches),
- e-mails delivered per second to a local SMTP sink by one prefork worker with two processes
  (target 200/s or more), and that each arrived exactly once.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/chefsresan_bench_reminders \\
        .venv/bin/python bench/reminders.py

It drops and re-creates the database named by DATABASE_URL (default chefsresan_bench_reminders) and
uses Redis database 8 on REDIS_URL's server (default 127.0.0.1:6379), which it empties.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import pipeline  # noqa: E402  (the web-process measurement, shared with the other benchmarks)

FUTURE = 1_000_000
#: a year of history: what HR's "sent" and "failed" lists page through
HISTORY = {"sent": 200_000, "cancelled": 50_000, "failed": 1_000}
HR_PAGES: list[tuple[str, str, dict[str, str]]] = [
    ("HR reminders page", "/reminders", {}),
    ("HR reminders, sent", "/reminders?status=sent", {}),
    ("HR reminders, failed", "/reminders?status=failed", {}),
]
DUE_MANAGERS, DUE_PER_MANAGER = 1_000, 10
IDLE_TICKS = 50


def database_url() -> str:
    return (
        os.environ.get("DATABASE_URL")
        or "postgresql+psycopg://postgres@127.0.0.1:5432/chefsresan_bench_reminders"
    )


def broker_url() -> str:
    base = (os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    return base + "/8"


def recreate_database(url: str) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def add_future_reminders(app: object, count: int) -> None:
    """COPY `count` waiting reminders, at 08:00 Stockholm on working days over the next year."""
    from lifecycle.db import utcnow
    from lifecycle.extensions import db
    from lifecycle.services.reminders import send_time_utc
    from lifecycle.services.workdays import is_working_day
    from lifecycle.timeutil import local_today

    rng = random.Random(1_000_000)
    today = local_today()
    days = [d for d in (today + timedelta(days=n) for n in range(40, 400)) if is_working_day(d)]
    times = [send_time_utc(d).isoformat() for d in days]
    now = utcnow().isoformat()
    with app.app_context():  # type: ignore[attr-defined]
        user_ids = [row[0] for row in db.session.execute(db.text("SELECT id FROM users"))]
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            columns = (
                "item_key, recipient_id, occurrence, due_at, status, attempts, possible_duplicate, created_at"
            )
            for start in range(0, count, 200_000):
                buffer = io.StringIO()
                for n in range(start, min(count, start + 200_000)):
                    occurrence = ("before", "due", "escalation")[n % 3]
                    buffer.write(
                        f"bench:{n}\t{rng.choice(user_ids)}\t{occurrence}\t{rng.choice(times)}\tpending\t0\tf\t{now}\n"
                    )
                buffer.seek(0)
                with cursor.copy(f"COPY reminders ({columns}) FROM STDIN") as copy:
                    copy.write(buffer.read())
            raw.commit()
            cursor.execute("ANALYZE reminders")
            raw.commit()
        finally:
            raw.close()


def add_history(app: object, share: float = 1.0, start: int = 0) -> int:
    """COPY `share` of a year of finished reminders: sent (most), cancelled, and failed with a reason.

    They are about the generated activities (so the pages describe them as they would real ones),
    each activity on a different day of the past year. Numbered from `start`; returns the next number.
    """
    from lifecycle.db import utcnow
    from lifecycle.extensions import db

    rng = random.Random(HISTORY["sent"] + start)
    now = utcnow()
    rows: list[tuple[object, ...]] = []
    with app.app_context():  # type: ignore[attr-defined]
        user_ids = [row[0] for row in db.session.execute(db.text("SELECT id FROM users"))]
        activity_ids = list(db.session.scalars(db.text("SELECT id FROM activities ORDER BY id")))
        for status, count in HISTORY.items():
            for _ in range(int(count * share)):
                n = start + len(rows)
                activity_id = activity_ids[n % len(activity_ids)]
                # A day of its own per activity and row: (item_key, recipient, occurrence) stays unique.
                due = now - timedelta(days=1 + n // len(activity_ids), minutes=rng.randint(0, 600))
                sent = status == "sent"
                rows.append(
                    (
                        f"activity:{activity_id}:{due.date().isoformat()}",
                        activity_id,
                        rng.choice(user_ids),
                        ("before", "due", "escalation")[n % 3],
                        due.isoformat(),
                        status,
                        1,
                        "t" if sent and n % 500 == 0 else "f",  # a few flagged as possible duplicates
                        due.isoformat(),
                        due.isoformat() if sent else None,
                        f"<reminder-h{n}@chefsresan.bench>" if sent else None,
                        "SMTP 550: No such user here" if status == "failed" else None,
                    )
                )
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            columns = [
                "item_key",
                "activity_id",
                "recipient_id",
                "occurrence",
                "due_at",
                "status",
                "attempts",
                "possible_duplicate",
                "created_at",
                "sent_at",
                "message_id",
                "last_error",
            ]
            pipeline._copy(cursor, "reminders", columns, rows)
            cursor.execute("ANALYZE reminders")
            raw.commit()
        finally:
            raw.close()
    return start + len(rows)


def measure_hr_pages(url: str, label: str) -> dict[str, Any]:
    """Time HR's reminders pages in a separate web process; print and return the figures."""
    results = pipeline.measure(url, HR_PAGES)
    print(f"HR's reminders page with {label}:")
    print(f"  {'page':<28}{'median ms':>10}{'p95 ms':>10}{'queries':>9}")
    for name, *_ in HR_PAGES:
        figures = results[name]
        if not isinstance(figures, dict):
            raise TypeError(name)
        print(f"  {name:<28}{figures['median']:>10.1f}{figures['p95']:>10.1f}{figures['queries']:>9.0f}")
    return results


def _serve_sink(port: int, received: Any, ready: Any, stop: Any, result: Any) -> None:
    """The SMTP sink, in a process of its own so it shares no interpreter lock with the dispatcher."""
    from tests.reminders.harness import Sink

    sink = Sink(port)

    async def count(server: Any, session: Any, envelope: Any) -> str:
        answer = await original(server, session, envelope)
        with received.get_lock():
            received.value += 1
        return answer

    original = sink.handler.handle_DATA
    sink.handler.handle_DATA = count  # type: ignore[method-assign]
    sink.start()
    ready.set()
    stop.wait()
    sink.stop()
    result.put(dict(sink.handler.counts))


class SinkProcess:
    """An SMTP sink counting messages per Message-ID in another process."""

    def __init__(self) -> None:
        from tests.reminders.harness import free_port

        self.port = free_port()
        self.received = multiprocessing.Value("i", 0)
        self._ready = multiprocessing.Event()
        self._stop = multiprocessing.Event()
        self._result: Any = multiprocessing.Queue()
        self._process = multiprocessing.Process(
            target=_serve_sink, args=(self.port, self.received, self._ready, self._stop, self._result)
        )

    def start(self) -> None:
        self._process.start()
        self._ready.wait(30)

    def stop(self) -> dict[str, int]:
        self._stop.set()
        counts: dict[str, int] = self._result.get(timeout=60)
        self._process.join(30)
        return counts


def timed(function: object) -> float:
    started = time.perf_counter()
    function()  # type: ignore[operator]
    return (time.perf_counter() - started) * 1000


def main() -> None:
    import redis
    from sqlalchemy import func
    from sqlalchemy import select
    from sqlalchemy import text
    from sqlalchemy import update

    from config import _celery_settings
    from lifecycle import create_app
    from lifecycle.cli import DEFAULT_PLATFORM
    from lifecycle.db import utcnow
    from lifecycle.enums import ReminderStatus
    from lifecycle.enums import Role
    from lifecycle.extensions import db
    from lifecycle.models import Reminder
    from lifecycle.services.accounts import create_user
    from lifecycle.services.platform import load_platform
    from lifecycle.services.platform_file import parse_platform
    from lifecycle.services.reminders import claim_due_reminders
    from lifecycle.tasks import dispatch_reminders
    from tests.reminders.harness import Worker
    from tests.reminders.harness import make_all_due
    from tests.reminders.harness import seed_due_reminders
    from tests.reminders.harness import worker_env

    url = database_url()
    broker = broker_url()
    recreate_database(url)
    broker_client = redis.Redis.from_url(broker)
    broker_client.flushdb()
    workdir = Path(tempfile.mkdtemp(prefix="bench-reminders-"))
    app = create_app(
        "development",
        overrides={
            "SQLALCHEMY_DATABASE_URI": url,
            "CELERY": _celery_settings(broker, workdir),
            "REMINDER_BATCH_SIZE": 1000,
        },
    )
    started = time.perf_counter()
    with app.app_context():
        db.create_all()
        load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
        db.session.commit()
        seed_due_reminders(DUE_MANAGERS, DUE_PER_MANAGER, make_due=False)
        create_user("hr@bench.example", "Bench HR", pipeline.PASSWORD, roles={Role.HR})
        db.session.commit()
    # A little history first, so that every list has rows at both sizes.
    numbered = add_history(app, share=0.01)
    with app.app_context():
        small_total = db.session.scalar(select(func.count()).select_from(Reminder)) or 0
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        db.session.remove()
    small = measure_hr_pages(url, f"{small_total:,} reminders")
    add_future_reminders(app, FUTURE)
    add_history(app, share=0.99, start=numbered)
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(Reminder)) or 0
        db.session.remove()
    print(f"\n{total:,} reminders (generated in {time.perf_counter() - started:.1f} s)")

    # 1. An idle tick: the dispatcher task as beat runs it, with nothing due.
    ticks = []
    for _ in range(IDLE_TICKS):
        with app.app_context():
            ticks.append(timed(dispatch_reminders.run))
            db.session.remove()
    ticks.sort()
    p95 = ticks[int(len(ticks) * 0.95) - 1]
    print(
        f"idle dispatcher tick: median {statistics.median(ticks):.1f} ms, p95 {p95:.1f} ms (target < 50 ms)"
    )
    with app.app_context():
        plan = db.session.execute(
            text(
                "EXPLAIN SELECT id FROM reminders WHERE status = 'pending' AND due_at <= now()"
                " ORDER BY due_at, id LIMIT 1000 FOR UPDATE SKIP LOCKED"
            )
        ).scalars()
        print("  plan: " + " / ".join(line.strip() for line in plan if "Index" in line or "Scan" in line))
        db.session.remove()

    large = measure_hr_pages(url, f"{total:,} reminders")
    for name, *_ in HR_PAGES:
        if small[name]["queries"] != large[name]["queries"]:
            raise SystemExit(f"{name}: {small[name]['queries']} queries with few rows, more with many")
    print(f"  query counts the same at {small_total:,} and {total:,} rows: yes")

    # 2. Claiming the 10 000 due ones.
    with app.app_context():
        make_all_due()
        db.session.commit()
        db.session.execute(text("ANALYZE reminders"))
        db.session.commit()

        def claim_all() -> None:
            claimed = len(claim_due_reminders(limit=DUE_MANAGERS * DUE_PER_MANAGER))
            db.session.commit()
            if claimed != DUE_MANAGERS * DUE_PER_MANAGER:
                raise RuntimeError(f"claimed {claimed}")

        one = timed(claim_all)

        def reset() -> None:
            db.session.execute(
                update(Reminder)
                .where(Reminder.status == ReminderStatus.SENDING)
                .values(status=ReminderStatus.PENDING, attempts=0, lease_until=None)
            )
            db.session.commit()

        reset()

        def claim_in_batches() -> None:
            claimed = 0
            while batch := claim_due_reminders(limit=1000):
                claimed += len(batch)
                db.session.commit()
            if claimed != DUE_MANAGERS * DUE_PER_MANAGER:
                raise RuntimeError(f"claimed {claimed}")

        batches = timed(claim_in_batches)
        reset()
        db.session.remove()
    print(f"claiming 10 000 due reminders: {one:.0f} ms in one claim, {batches:.0f} ms in batches of 1 000")

    # 3. Delivery: the dispatcher queues them, one worker with two processes sends them.
    sink = SinkProcess()
    sink.start()
    counts: dict[str, int] = {}
    worker = Worker(
        worker_env(url, broker, sink.port, lease_seconds=600), workdir / "worker.log", concurrency=2
    )
    worker.start()
    try:
        celery_app = app.extensions["celery"]
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(timeout=1.0):
            if time.monotonic() > deadline:
                raise RuntimeError("the worker did not start:\n" + worker.log_tail())
        started = time.perf_counter()
        delivery_from = utcnow()
        with app.app_context():
            queued = dispatch_reminders.run()
            db.session.remove()
        dispatched = time.perf_counter() - started
        expected = DUE_MANAGERS * DUE_PER_MANAGER
        # Counted at the SMTP sink: polling a million-row table would slow the database being measured.
        while sink.received.value < expected:
            if time.perf_counter() - started > 600:
                raise RuntimeError(
                    f"only {sink.received.value} received after ten minutes:\n" + worker.log_tail()
                )
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        worker.stop()
        counts = sink.stop()
        broker_client.flushdb()
    sent = 0
    for _ in range(50):  # the last "sent" commits land just after the last e-mail
        with app.app_context():
            sent = (
                db.session.scalar(
                    select(func.count())
                    .select_from(Reminder)
                    # The history's were sent long before.
                    .where(Reminder.status == ReminderStatus.SENT, Reminder.sent_at >= delivery_from)
                )
                or 0
            )
            db.session.remove()
        if sent == expected:
            break
        time.sleep(0.2)
    print(f"dispatcher run (claim and queue {queued:,}): {dispatched:.1f} s")
    print(f"rows marked sent: {sent:,}")
    print(
        f"delivered {expected:,} e-mails in {elapsed:.1f} s: {expected / elapsed:.0f} per second "
        f"with two worker processes (target >= 200/s); "
        f"{len(counts):,} distinct Message-IDs, at most {max(counts.values())} each"
    )
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    recreate_database(url)  # leave an empty database rather than a million rows


if __name__ == "__main__":
    main()
