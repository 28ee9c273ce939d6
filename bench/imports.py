"""Benchmark: importing 5 000 and 50 000 new managers, a fifth of them entering introduction.

For each size it builds a fresh PostgreSQL database with Örebro's platform and the default
introduction programme, makes a CSV file as the payroll system exports it (300 units under one
municipality, line managers above their reports), and measures what HR waits for:

- the check (upload, dry run, report kept);
- the confirming web request, which only queues the job (it returns at once);
- the job, as the worker runs it (`imports.run`): planned again and written in one transaction, new
  people and their introduction milestones and reminders set-based.

Targets (issue #10): 5 000 in under 20 s and 50 000 in under 3 minutes on this machine (2 cores).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/chefsresan_bench_imports \\
        .venv/bin/python bench/imports.py

It drops and re-creates the database named by DATABASE_URL (default chefsresan_bench_imports).
"""

from __future__ import annotations

import io
import os
import re
import sys
import time
from datetime import date
from datetime import timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pipeline import recreate_database  # noqa: E402

SIZES = (5_000, 50_000)
UNITS = 300
#: managers already in Chefsresan, with accounts: the file's top people report to them, so their
#: introduction milestones have someone to remind
EXISTING_LINE_MANAGERS = 100
#: every fifth person enters the introduce stage
INTRODUCE_EVERY = 5
HEADER = "employee_number;name;email;title;unit_path;line_manager_employee_number;start_date;stage"


def database_url() -> str:
    return (
        os.environ.get("DATABASE_URL")
        or "postgresql+psycopg://postgres@127.0.0.1:5432/chefsresan_bench_imports"
    )


def import_file(count: int, today: date) -> bytes:
    """A file as the payroll system exports it: a tenth report to existing managers, the rest to the file's.

    Start dates spread over the coming four months, so the programmes' milestones lie ahead.
    """
    lines = [HEADER]
    for n in range(count):
        stage = "introduce" if n % INTRODUCE_EVERY == 0 else "develop"
        boss = f"L{n % EXISTING_LINE_MANAGERS:03d}" if n < count // 10 else f"E{n // 10:06d}"
        unit = n % UNITS
        start = today + timedelta(days=n % 120)
        lines.append(
            # Short cells: 50 000 rows must stay under the upload limit of 5 MB.
            f"E{n:06d};Chef {n};c{n}@orebro.se;Chef;Örebro kommun / F{unit % 10} / E{unit};{boss};"
            f"{start.isoformat()};{stage}"
        )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def measure(count: int) -> dict[str, Any]:
    from sqlalchemy import func
    from sqlalchemy import select

    from lifecycle import create_app
    from lifecycle.cli import DEFAULT_PLATFORM
    from lifecycle.enums import ImportStatus
    from lifecycle.enums import Role
    from lifecycle.enums import Stage
    from lifecycle.extensions import db
    from lifecycle.models import Activity
    from lifecycle.models import Manager
    from lifecycle.models import ManagerImport
    from lifecycle.models import Reminder
    from lifecycle.services.accounts import create_user
    from lifecycle.services.import_jobs import run_job
    from lifecycle.services.introductions import ensure_default_template
    from lifecycle.services.journey import enter_journey
    from lifecycle.services.platform import load_platform
    from lifecycle.services.platform_file import parse_platform
    from lifecycle.timeutil import local_today

    url = database_url()
    recreate_database(url)
    app = create_app("development", overrides={"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    queued: list[int] = []
    celery_app = app.extensions["celery"]
    # The web request hands the job to the broker; here it is noted and run below as the worker would.
    celery_app.send_task = lambda name, args=None, **options: queued.append(args[0])  # type: ignore[method-assign]
    with app.app_context():
        db.create_all()
        load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
        ensure_default_template()
        create_user("hr@bench.example", "Bench HR", "bench-password-1", roles={Role.HR})
        for n in range(EXISTING_LINE_MANAGERS):
            user = create_user(f"l{n}@kommun.se", f"Linjechef {n}", None, roles={Role.MANAGER})
            enter_journey(
                name=f"Linjechef {n}",
                stage=Stage.DEVELOP,
                effective_date=date(2020, 1, 1),
                actor=None,
                employee_number=f"L{n:03d}",
                email=user.email,
                user=user,
            )
        db.session.commit()
        today = local_today()
    content = import_file(count, today)
    browser = app.test_client()
    token = _csrf(browser.get("/login").get_data(as_text=True))
    browser.post(
        "/login", data={"email": "hr@bench.example", "password": "bench-password-1", "csrf_token": token}
    )
    token = _csrf(browser.get("/managers/import").get_data(as_text=True))
    started = time.perf_counter()
    response = browser.post(
        "/managers/import",
        data={"file": (io.BytesIO(content), "chefer.csv"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    check = time.perf_counter() - started
    if response.status_code != 302:
        raise SystemExit(f"the upload was refused ({response.status_code})")
    report_url = response.headers["Location"]
    token = _csrf(browser.get(report_url).get_data(as_text=True))
    started = time.perf_counter()
    response = browser.post(f"{report_url}/confirm", data={"csrf_token": token})
    confirm = time.perf_counter() - started
    if response.status_code != 302 or not queued:
        raise SystemExit("the confirmation did not queue the job")
    with app.app_context():
        started = time.perf_counter()
        run_job(queued[0], local_today(), commit=db.session.commit, rollback=db.session.rollback)
        job = time.perf_counter() - started
        record = db.session.get(ManagerImport, queued[0])
        if record is None or record.status is not ImportStatus.DONE:
            raise SystemExit(f"the job did not finish: {record and record.failure}")
        counts = {
            "managers": (db.session.scalar(select(func.count()).select_from(Manager)) or 0)
            - EXISTING_LINE_MANAGERS,
            "milestones": db.session.scalar(select(func.count()).select_from(Activity)),
            "reminders": db.session.scalar(select(func.count()).select_from(Reminder)),
        }
        db.session.remove()
        db.engine.dispose()
    if 'http-equiv="refresh"' in browser.get(response.headers["Location"]).get_data(as_text=True):
        raise SystemExit("the progress page still reloads after the job ended")
    return {"check": check, "confirm": confirm, "job": job, **counts}


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    if match is None:
        raise SystemExit("no CSRF token on the page")
    return match.group(1)


def main() -> None:
    print(f"Import of new managers (a fifth entering introduction), PostgreSQL, {os.cpu_count()} cores")
    print(f"{'rows':>8} {'check s':>9} {'confirm ms':>11} {'job s':>7} {'milestones':>11} {'reminders':>10}")
    for count in SIZES:
        result = measure(count)
        if result["managers"] != count:
            raise SystemExit(f"{result['managers']} managers imported, not {count}")
        print(
            f"{count:>8,} {result['check']:>9.1f} {result['confirm'] * 1000:>11.0f} {result['job']:>7.1f} "
            f"{result['milestones']:>11,} {result['reminders']:>10,}",
            flush=True,
        )


if __name__ == "__main__":
    main()
