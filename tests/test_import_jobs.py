"""Import jobs: confirming hands the file to the worker; the progress page; all or nothing; bulk writes."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import redis
import time_machine
from celery.contrib.testing.worker import start_worker
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from config import _celery_settings
from lifecycle import create_app
from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ActivityKind
from lifecycle.enums import ImportStatus
from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import AuditEvent
from lifecycle.models import IntroductionLaunch
from lifecycle.models import Manager
from lifecycle.models import ManagerImport
from lifecycle.models import OrgUnit
from lifecycle.models import Reminder
from lifecycle.models import StageTransition
from lifecycle.services.imports import REPORT_ROW_LIMIT
from lifecycle.services.imports import apply_import
from lifecycle.services.imports import jobs as import_jobs
from lifecycle.services.imports import plan_import
from lifecycle.services.imports import preview_import
from lifecycle.services.imports import read_import_file
from lifecycle.services.imports.jobs import queue_job
from lifecycle.services.imports.jobs import run_job
from lifecycle.services.introductions import ensure_default_template
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.timeutil import local_today
from tests.conftest import csrf_token_from
from tests.conftest import database_url
from tests.conftest import post_form
from tests.conftest import redis_url
from tests.conftest import uses_postgres
from tests.factories import PASSWORD
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user
from tests.reminders.harness import Worker
from tests.reminders.harness import create_database
from tests.reminders.harness import drop_database
from tests.reminders.harness import free_port
from tests.reminders.harness import worker_env
from tests.test_imports import csv_bytes
from tests.test_imports import upload

#: a Monday, so that no milestone of the default programme falls on a holiday-dependent day by chance
TODAY = date(2027, 3, 1)


@pytest.fixture
def platform(app_ctx: Flask) -> None:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))


@pytest.fixture
def hr(app: Flask, login: Any) -> FlaskClient:
    browser = app.test_client()
    login(make_user(Role.HR).email, test_client=browser)
    browser.get("/?lang=en")
    return browser


def _confirm(client: FlaskClient, report_url: str) -> Any:
    token = csrf_token_from(client.get(report_url).get_data(as_text=True))
    return client.post(f"{report_url}/confirm", data={"csrf_token": token})


def _rows(count: int, stage: str = "develop") -> list[str]:
    return [f"J{n};Person {n};;;Demo kommun / Enhet {n % 3};;2026-01-05;{stage}" for n in range(count)]


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Manager, StageTransition, Activity, IntroductionLaunch, Reminder, AuditEvent)
    )


# -- confirming queues a job; the worker writes it ---------------------------------------------------


def test_confirming_returns_at_once_and_the_worker_writes_the_file(
    app_ctx: Flask, hr: FlaskClient, import_worker: list[int]
) -> None:
    report_url = upload(hr, csv_bytes(*_rows(3))).headers["Location"]
    response = _confirm(hr, report_url)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/progress"), "confirming redirects to the progress page"
    import_id = int(report_url.rsplit("/", 1)[1])
    assert import_worker == [import_id], "the confirmation queued the job for the worker"
    record = db.session.get(ManagerImport, import_id)
    assert record is not None
    db.session.refresh(record)
    assert record.status is ImportStatus.DONE and record.committed_at is not None
    assert record.rows_done == record.rows_total == 3
    page = hr.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported: 3 new, 0 changed, 0 unchanged." in page
    assert 'http-equiv="refresh"' not in page, "a finished job stops reloading"
    assert "The file row by row" in page, "a finished job shows the report"
    assert db.session.scalar(select(func.count()).select_from(Manager)) == 3


def test_a_worker_that_cannot_be_reached_leaves_the_file_checked(app_ctx: Flask, hr: FlaskClient) -> None:
    # The test broker cannot work: sending the task fails, as with Redis down.
    report_url = upload(hr, csv_bytes(*_rows(2))).headers["Location"]
    response = _confirm(hr, report_url)
    assert response.status_code == 302 and response.headers["Location"].endswith(report_url)
    page = hr.get(report_url).get_data(as_text=True)
    assert "the worker is not reachable" in page and "/confirm" in page
    record = db.session.scalars(select(ManagerImport)).one()
    db.session.refresh(record)
    assert record.status is ImportStatus.CHECKED
    assert db.session.scalar(select(func.count()).select_from(Manager)) == 0


# -- the progress page ---------------------------------------------------------------------------------


def _job(status: ImportStatus, done: int = 0, total: int = 5000, **values: Any) -> ManagerImport:
    record = preview_import(csv_bytes(*_rows(2)), "stor.csv", uploaded_by=None, today=local_today())
    record.status = status
    record.rows_done = done
    record.rows_total = total
    for name, value in values.items():
        setattr(record, name, value)
    db.session.commit()
    return record


def test_the_progress_page_of_a_queued_and_a_running_job_reloads_itself_and_says_the_numbers(
    app_ctx: Flask, hr: FlaskClient
) -> None:
    queued = _job(ImportStatus.QUEUED)
    page = hr.get(f"/managers/import/{queued.id}/progress").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "Waiting for the worker to start importing 5000 rows." in page
    assert "/confirm" not in page

    running = _job(ImportStatus.RUNNING, done=2000)
    page = hr.get(f"/managers/import/{running.id}/progress").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="3">' in page
    # The numbers are text in a status region, not only a bar.
    assert re.search(r'<p id="import-progress" role="status">\s*2000 of 5000 rows imported \(40 %\)', page)
    assert '<progress value="2000" max="5000" aria-labelledby="import-progress">' in page
    assert "The file row by row" not in page, "the report waits until the job is done"
    # Whoever needs the page to keep still stops the reloading (WCAG 2.2.1) and reloads by hand.
    still = hr.get(f"/managers/import/{running.id}/progress?refresh=off").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in still and "2000 of 5000 rows imported" in still
    # The report page of a job under way links to its progress instead of offering to confirm.
    report = hr.get(f"/managers/import/{running.id}").get_data(as_text=True)
    assert f"/managers/import/{running.id}/progress" in report and "/confirm" not in report


def test_the_progress_page_of_a_failed_job_says_why_and_offers_to_try_again(
    app_ctx: Flask, hr: FlaskClient
) -> None:
    failed = _job(
        ImportStatus.FAILED,
        failure={"msgid": "Nothing was imported: %(problem)s", "params": {"problem": "Testfel"}},
    )
    page = hr.get(f"/managers/import/{failed.id}/progress").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page
    assert 'role="alert"' in page and "The import failed; nothing was imported." in page
    assert "Nothing was imported: Testfel" in page
    assert f"/managers/import/{failed.id}/confirm" in page, "a failed job can be confirmed again"
    sv = hr.get(f"/managers/import/{failed.id}/progress?lang=sv").get_data(as_text=True)
    assert "Importen misslyckades" in sv


def test_only_who_may_import_sees_the_progress(app_ctx: Flask, login: Any, app: Flask) -> None:
    record = _job(ImportStatus.RUNNING, done=1)
    browser = app.test_client()
    login(make_manager("Chefen Själv", with_account=True).user.email, test_client=browser)  # type: ignore[union-attr]
    assert browser.get(f"/managers/import/{record.id}/progress").status_code == 404
    assert app.test_client().get(f"/managers/import/{record.id}/progress").status_code == 302
    assert browser.get(f"/activities/import/{record.id}/progress").status_code == 404


# -- all or nothing -------------------------------------------------------------------------------------


def test_a_job_that_fails_midway_leaves_nothing_and_says_why(
    app_ctx: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = preview_import(csv_bytes(*_rows(2500)), "stor.csv", uploaded_by=None, today=local_today())
    queue_job(record, None)
    db.session.commit()
    before = _counts()
    units = db.session.scalar(select(func.count()).select_from(OrgUnit))
    written: list[int] = []
    real = import_jobs.ProgressReporter.__call__

    def fail_after_two_batches(self: import_jobs.ProgressReporter, done: int) -> None:
        written.append(done)
        real(self, done)
        if done >= 2000:
            raise RuntimeError("the disk is full")

    monkeypatch.setattr(import_jobs.ProgressReporter, "__call__", fail_after_two_batches)
    run_job(record.id, local_today(), commit=db.session.commit, rollback=db.session.rollback)
    assert written[:2] == [1000, 2000], "the batches were written before the failure"
    assert _counts() == before, "no manager, history, audit event or reminder of the failed import is left"
    assert db.session.scalar(select(func.count()).select_from(OrgUnit)) == units
    failed = db.session.get(ManagerImport, record.id)
    assert failed is not None
    db.session.refresh(failed)
    assert failed.status is ImportStatus.FAILED and failed.committed_at is None
    with force_locale("en_GB"):
        assert "unexpected error" in import_jobs.render_failure(failed)


def test_a_job_whose_data_changed_fails_with_the_report_and_writes_nothing(app_ctx: Flask) -> None:
    record = preview_import(
        csv_bytes("K1;Kim Karlsson;;;;;2024-01-01;develop"), "k.csv", uploaded_by=None, today=local_today()
    )
    queue_job(record, None)
    db.session.commit()
    kim = make_manager("Kim Karlsson", stage=Stage.ATTRACT)
    db.session.execute(update(Manager).where(Manager.id == kim.id).values(employee_number="K1"))
    before = _counts()
    run_job(record.id, local_today(), commit=db.session.commit, rollback=db.session.rollback)
    db.session.refresh(record)
    assert record.status is ImportStatus.FAILED and record.summary["error"] == 1
    with force_locale("en_GB"):
        assert "rows now have errors" in import_jobs.render_failure(record)
    assert _counts() == before


def test_a_job_runs_once_however_often_it_is_delivered(app_ctx: Flask) -> None:
    record = preview_import(csv_bytes(*_rows(3)), "k.csv", uploaded_by=None, today=local_today())
    queue_job(record, None)
    db.session.commit()
    for _delivery in range(3):
        run_job(record.id, local_today(), commit=db.session.commit, rollback=db.session.rollback)
    assert db.session.scalar(select(func.count()).select_from(Manager)) == 3
    # A job left running by a killed worker (its writes rolled back with its connection) runs again.
    again = preview_import(csv_bytes(*_rows(5)), "k.csv", uploaded_by=None, today=local_today())
    queue_job(again, None)
    again.status = ImportStatus.RUNNING
    db.session.commit()
    run_job(again.id, local_today(), commit=db.session.commit, rollback=db.session.rollback)
    db.session.refresh(again)
    assert again.status is ImportStatus.DONE
    assert db.session.scalar(select(func.count()).select_from(Manager)) == 5


# -- set-based writes, the same as one by one -------------------------------------------------------------


def test_new_people_entering_introduction_get_the_programme_reminders_and_audit_as_one_by_one(
    app_ctx: Flask, platform: None, count_queries: Any
) -> None:
    boss_user = make_user(Role.MANAGER)
    boss = make_manager("Chefen", user=boss_user)
    db.session.execute(update(Manager).where(Manager.id == boss.id).values(employee_number="B0"))
    template = ensure_default_template()
    milestones = [m for m in template.milestones if any(not p.is_retired for p in m.pillars)]
    with time_machine.travel(TODAY, tick=False):
        rows = [f"N{n};Ny {n};;;;B0;2027-03-15;introduce" for n in range(10)]
        plan = plan_import(read_import_file(csv_bytes(*rows)), TODAY)
        with count_queries() as few:
            apply_import(plan, actor=None, today=TODAY)
        # Within one chunk of the reminder service's batch entry point (500 items).
        more = [f"M{n};Fler {n};;;;B0;2027-03-15;introduce" for n in range(60)]
        more_plan = plan_import(read_import_file(csv_bytes(*more)), TODAY)
        with count_queries() as many:
            apply_import(more_plan, actor=None, today=TODAY)
    if uses_postgres():
        # SQLite cannot promise the order of RETURNING rows, so SQLAlchemy inserts there one row per
        # statement when the ids must match the rows; production's PostgreSQL takes them in batches.
        assert many.count == few.count, "the number of statements does not grow with the number of people"
    person = db.session.scalars(select(Manager).where(Manager.employee_number == "N7")).one()
    assert person.stage is Stage.INTRODUCE and person.line_manager_id == boss.id
    (launch,) = db.session.scalars(
        select(IntroductionLaunch).where(IntroductionLaunch.manager_id == person.id)
    )
    assert launch.start_date == date(2027, 3, 15) and launch.template_id == template.id
    activities = list(db.session.scalars(select(Activity).where(Activity.introduction_id == launch.id)))
    assert len(activities) == len(milestones)
    assert {a.kind for a in activities} == {ActivityKind.INTRODUCTION_MILESTONE}
    assert all(a.participants == [person] and a.pillars for a in activities)
    assert all(a.stage is Stage.INTRODUCE for a in activities)
    # Reminders come from the reminder service's own rules, as for one launched by hand.
    reminders = db.session.scalar(
        select(func.count()).select_from(Reminder).where(Reminder.activity_id.in_([a.id for a in activities]))
    )
    assert reminders
    kinds = set(
        db.session.execute(
            select(AuditEvent.action, AuditEvent.object_type).where(
                AuditEvent.subject_manager_id == person.id
            )
        ).all()
    )
    assert kinds == {
        ("create", "manager"),
        ("move", "stage"),
        ("create", "introduction"),
        ("create", "activity"),
    }


# -- the smaller things of the issue ------------------------------------------------------------------


def test_a_typo_in_the_top_unit_is_refused_naming_the_existing_top_unit(app_ctx: Flask) -> None:
    make_unit("Örebro kommun")
    plan = plan_import(
        read_import_file(
            csv_bytes(
                "T1;Tove;;;Örebro kommun / Skolförvaltningen;;;develop",
                "T2;Tor;;;Örebro komun / Skolförvaltningen;;;develop",
            )
        ),
        local_today(),
    )
    ok, typo = plan.rows
    assert not ok.errors
    assert typo.errors and "”Örebro komun”" in typo.errors[0] and "”Örebro kommun”" in typo.errors[0]
    # A file for an empty database names the top unit once: a second one is refused too.
    db.session.execute(OrgUnit.__table__.delete())
    plan = plan_import(
        read_import_file(
            csv_bytes("T1;Tove;;;Demo kommun / A;;;develop", "T2;Tor;;;Demo komun / B;;;develop")
        ),
        local_today(),
    )
    assert not plan.rows[0].errors and "översta enhet ”Demo kommun”" in plan.rows[1].errors[0]


def test_a_large_report_says_what_the_rows_it_leaves_out_are(app_ctx: Flask, hr: FlaskClient) -> None:
    report_url = upload(hr, csv_bytes(*_rows(REPORT_ROW_LIMIT + 20))).headers["Location"]
    page = hr.get(report_url).get_data(as_text=True)
    assert "20 more rows are not listed: 20 new, 0 changed, 0 unchanged." in page
    assert "unchanged rows are left out" not in page
    record = db.session.scalars(select(ManagerImport)).one()
    assert record.summary["not_listed"] == {"created": 20, "updated": 0, "unchanged": 0, "error": 0}


# -- a real worker -------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_a_real_worker_imports_the_confirmed_file_while_the_page_follows_it(
    app: Flask, committed: None, make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    """The web process only queues; a Celery worker (its own thread, no request) writes the file."""
    settings = _celery_settings(redis_url(), tmp_path)
    web = make_app(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], CELERY=settings)
    with web.app_context():
        email = make_user(Role.HR).email
        db.session.commit()
    browser = web.test_client()
    assert post_form(browser, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    browser.get("/?lang=en")
    report_url = upload(browser, csv_bytes(*_rows(2500))).headers["Location"]
    started = time.monotonic()
    response = _confirm(browser, report_url)
    assert response.status_code == 302 and time.monotonic() - started < 5, "the request only queues the job"
    progress_url = response.headers["Location"]
    assert "Waiting for the worker to start importing 2500 rows." in browser.get(progress_url).get_data(
        as_text=True
    )
    seen: list[str] = []
    with start_worker(web.extensions["celery"], pool="solo", perform_ping_check=False, shutdown_timeout=10):
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            page = browser.get(progress_url).get_data(as_text=True)
            seen.append(page)
            if "Imported: 2500 new" in page or "The import failed" in page:
                break
            time.sleep(0.2)
    assert "Imported: 2500 new, 0 changed, 0 unchanged." in seen[-1], seen[-1][-2000:]
    assert 'http-equiv="refresh"' not in seen[-1]
    with web.app_context():
        assert db.session.scalar(select(func.count()).select_from(Manager)) == 2500
        record = db.session.scalars(select(ManagerImport)).one()
        assert record.status is ImportStatus.DONE and record.rows_done == 2500
        db.session.remove()


@pytest.mark.postgres
@pytest.mark.redis
def test_a_worker_killed_midway_leaves_nothing_visible_and_the_redelivered_task_imports_once(
    tmp_path: Path,
) -> None:
    """A prefork worker process is SIGKILLed while it writes; the rows it wrote vanish with it."""
    name = f"chefsresan_imports_kill_{os.getpid()}"
    url = create_database(database_url() or "", name)
    broker = redis_url() or ""
    queue = f"imports-test-{os.getpid()}"
    settings = {**_celery_settings(broker, tmp_path / "celery"), "task_default_queue": queue}
    web = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url, "CELERY": settings})
    worker = Worker(worker_env(url, broker, free_port()), tmp_path / "worker.log", queue=queue)
    count = 12_000

    def state() -> tuple[ImportStatus, int, int]:
        with web.app_context():
            record = db.session.get(ManagerImport, import_id)
            assert record is not None
            managers = db.session.scalar(select(func.count()).select_from(Manager)) or 0
            found = (record.status, record.rows_done, managers)
            db.session.remove()
        return found

    def wait(
        until: Callable[[tuple[ImportStatus, int, int]], bool], seconds: float
    ) -> tuple[ImportStatus, int, int]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = state()
            if until(found):
                return found
            time.sleep(0.05)
        raise AssertionError(f"waited in vain; last {found}\n{worker.log_tail()}")

    try:
        with web.app_context():
            db.create_all()
            record = preview_import(
                csv_bytes(*_rows(count)), "stor.csv", uploaded_by=None, today=local_today()
            )
            queue_job(record, None)
            db.session.commit()
            import_id = record.id
            db.session.remove()
        worker.start()
        web.extensions["celery"].send_task("imports.run", args=[import_id])
        status, done, managers = wait(lambda s: s[1] >= 1000, 60)
        assert status is ImportStatus.RUNNING and managers == 0, "written batches stay invisible"
        worker.kill()
        time.sleep(0.5)
        status, done, managers = state()
        assert status is ImportStatus.RUNNING and 0 < done < count
        assert managers == 0, "a killed worker leaves no half import"
        # Redis hands an unacknowledged task out again after its visibility timeout; sent again here.
        worker.start()
        web.extensions["celery"].send_task("imports.run", args=[import_id])
        web.extensions["celery"].send_task("imports.run", args=[import_id])  # and once more, a duplicate
        status, done, managers = wait(lambda s: s[0] is not ImportStatus.RUNNING, 120)
        assert status is ImportStatus.DONE and done == count
        time.sleep(1)  # the duplicate delivery has run by now too
        assert state()[2] == count, "imported once"
        with web.app_context():
            assert db.session.scalar(select(func.count()).select_from(StageTransition)) == count
            db.session.remove()
    finally:
        worker.stop()
        redis.Redis.from_url(broker).delete(queue)
        with web.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_database(database_url() or "", name)


def test_the_command_line_runs_a_checked_or_queued_job_in_its_own_process(app: Flask, app_ctx: Flask) -> None:
    runner = app.test_cli_runner()
    record = preview_import(csv_bytes(*_rows(4)), "chefer.csv", uploaded_by=None, today=local_today())
    db.session.commit()
    result = runner.invoke(args=["imports", "run", str(record.id)])
    assert result.exit_code == 0, result.output
    assert f"Import {record.id} (chefer.csv): imported, 4 rows." in result.output
    assert db.session.scalar(select(func.count()).select_from(Manager)) == 4
    again = runner.invoke(args=["imports", "run", str(record.id)])
    assert again.exit_code == 1 and "already been imported" in again.output
    assert db.session.scalar(select(func.count()).select_from(Manager)) == 4
    assert runner.invoke(args=["imports", "run", "999999"]).exit_code == 1
