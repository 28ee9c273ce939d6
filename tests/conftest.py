"""Fixtures: the app on the configured database, a per-test rollback, clients that log in with CSRF.

DATABASE_URL and REDIS_URL choose the real services; without them the suite runs on SQLite and the
embedded broker, and tests marked `postgres` or `redis` are skipped with the reason shown.
"""

from __future__ import annotations

import contextlib
import contextvars
import email
import email.policy
import os
import re
import threading
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from sqlalchemy import event
from sqlalchemy import text

from lifecycle import create_app
from lifecycle.extensions import db
from lifecycle.extensions import limiter
from lifecycle.notifications import _drop_smtp_connection
from tests.clock import session_clock

REPO_ROOT = Path(__file__).resolve().parent.parent
MISSING_SERVICE = "missing service"


def database_url() -> str | None:
    return os.environ.get("DATABASE_URL") or None


def uses_postgres() -> bool:
    url = database_url() or ""
    return url.startswith(("postgresql", "postgres"))


def redis_url() -> str | None:
    return os.environ.get("REDIS_URL") or None


def pytest_configure(config: pytest.Config) -> None:
    """Run the whole session on CHEFSRESAN_TEST_TODAY when it is set (see tests/clock/session_clock.py)."""
    traveller = session_clock.start()
    if traveller is not None:
        config.add_cleanup(traveller.stop)


def pytest_report_header(config: pytest.Config) -> str | None:
    day = session_clock.test_today()
    return f"clock: every test process runs on {day.isoformat()} ({session_clock.VARIABLE})" if day else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip tests whose service is not configured, saying which service is missing."""
    for item in items:
        if item.get_closest_marker("postgres") and not uses_postgres():
            item.add_marker(
                pytest.mark.skip(
                    reason=f"{MISSING_SERVICE}: PostgreSQL (set DATABASE_URL=postgresql+psycopg://...)"
                )
            )
        if item.get_closest_marker("redis") and not redis_url():
            item.add_marker(pytest.mark.skip(reason=f"{MISSING_SERVICE}: Redis (set REDIS_URL=redis://...)"))


class _ConnectionBoundSession(FlaskSQLAlchemySession):
    """A session that always uses the test's connection (Flask-SQLAlchemy would pick the engine)."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kwargs: Any) -> Any:
        return bind if bind is not None else self.bind


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context, as in production.

    Flask reuses an app context that is already active, and tests keep one open for their data;
    without this, `g` (CSRF token, caches) and the database session would leak between requests.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        return contextvars.Context().run(super().open, *args, **kwargs)


#: the moment a test that computes dates from today runs at: an ordinary Wednesday, 10:00 in Stockholm,
#: away from holidays, daylight-saving changes and the turn of the year
CLOCK = datetime(2026, 11, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    """Run the test at `CLOCK`, ticking (timeouts and lease arithmetic still see time pass).

    Modules whose tests compute dates from today use it for every test (`pytestmark`), so that they pass
    on any day the suite runs; a test that needs another moment travels inside it.
    """
    with time_machine.travel(CLOCK, tick=True) as traveller:
        yield traveller


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def app(instance_dir: Path) -> Iterator[Flask]:
    """The app under test, with a fresh schema on the configured database (SQLite by default)."""
    overrides: dict[str, Any] = {}
    if not database_url():
        overrides["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance_dir / 'test.sqlite3'}"
    application = create_app("testing", overrides=overrides)
    application.test_client_class = IsolatedClient
    with application.app_context():
        db.drop_all()
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run each test in a transaction that is rolled back; commits inside become savepoints."""
    if "committed" in request.fixturenames or "app" not in request.fixturenames:
        yield
        return
    flask_app: Flask = request.getfixturevalue("app")
    with flask_app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original_session = db.session
        db.session = db._make_scoped_session(
            {
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
                "class_": _ConnectionBoundSession,
            }
        )
        limiter.reset()
        try:
            yield
        finally:
            db.session.remove()
            db.session = original_session
            outer.rollback()
            connection.close()


@pytest.fixture
def make_app() -> Iterator[Callable[..., Flask]]:
    """Build extra app instances (other web processes, a worker); their connections close afterwards."""
    built: list[Flask] = []

    def _make(config_name: str = "testing", **overrides: Any) -> Flask:
        extra = create_app(config_name, overrides=overrides or None)
        extra.test_client_class = IsolatedClient
        built.append(extra)
        return extra

    yield _make
    for extra in built:
        with extra.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def committed(app: Flask) -> Iterator[None]:
    """For tests whose data other connections or processes must see: commit for real, empty after."""
    limiter.reset()
    yield
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # TRUNCATE skips row triggers, such as the one that keeps history append-only.
                names = ", ".join(table.name for table in db.metadata.sorted_tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(db.metadata.sorted_tables):
                    connection.execute(table.delete())


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.test_request_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1) or match.group(2)


def post_form(client: FlaskClient, url: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """GET the page for its CSRF token, then POST the form to it like a browser."""
    page = client.get(url)
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


@pytest.fixture
def login(client: FlaskClient) -> Callable[..., Any]:
    def _login(
        email: str, password: str = "correct horse battery", test_client: FlaskClient | None = None
    ) -> Any:
        response = post_form(test_client or client, "/login", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return _login


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """Count the SQL statements run inside a `with count_queries() as counter:` block."""

    class Counter:
        def __init__(self) -> None:
            self.count = 0
            self.statements: list[str] = []

        def __enter__(self) -> Counter:
            event.listen(db.engine, "before_cursor_execute", self._record)
            return self

        def __exit__(self, *exc: object) -> None:
            event.remove(db.engine, "before_cursor_execute", self._record)

        def _record(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
                self.count += 1
                self.statements.append(statement)

    return Counter


@pytest.fixture
def import_worker(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Run each import job a page queues as the worker would: after the request, with no request pushed.

    Returns the ids of the jobs run. The job runs on the test's connection (so it is rolled back with
    the test) in a context of its own, where `has_request_context()` is false, as in a Celery worker.
    """
    from flask import has_request_context

    from lifecycle.tasks import run_import

    ran: list[int] = []
    celery_app = app.extensions["celery"]

    def run(import_id: int) -> None:
        with app.app_context():
            assert not has_request_context()
            run_import.run(import_id)
            db.session.remove()

    def send_task(name: str, args: Any = None, **options: Any) -> None:
        assert name == "imports.run", f"unexpected task {name}"
        ran.append(args[0])
        contextvars.Context().run(run, args[0])

    monkeypatch.setattr(celery_app, "send_task", send_task)
    return ran


@dataclass
class WorkerTasks:
    """The tasks the code under test queued, each already run as the worker would."""

    ran: list[tuple[str, list[Any]]] = field(default_factory=list)

    def named(self, name: str) -> list[list[Any]]:
        return [args for task, args in self.ran if task == name]


@pytest.fixture
def worker_tasks(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[WorkerTasks]:
    """Run every task the code queues at once, as the worker would: no request pushed, its own session.

    Like `import_worker`, for the e-mail tasks (invitations, password reset): the task runs on the
    test's connection in a context of its own, where `has_request_context()` is false. A task that
    asks to be retried is recorded, not run again.
    """
    from celery.exceptions import Retry
    from flask import appcontext_tearing_down
    from flask import has_request_context
    from flask import request_started

    tasks = WorkerTasks()
    celery_app = app.extensions["celery"]

    def run(name: str, args: list[Any]) -> None:
        with app.app_context():
            assert not has_request_context()
            try:
                celery_app.tasks[name].run(*args)
            except Retry:
                pass
            finally:
                db.session.remove()

    pending: list[tuple[str, list[Any]]] = []
    serving: list[bool] = []

    def send_task(name: str, args: Any = None, **options: Any) -> None:
        tasks.ran.append((name, list(args or [])))
        if serving:
            # As in production, the worker gets it after the request: once the request's session is gone.
            pending.append((name, list(args or [])))
        else:
            contextvars.Context().run(run, name, list(args or []))

    def request_began(sender: Flask, **extra: Any) -> None:
        serving.append(True)

    def request_ended(sender: Flask, **extra: Any) -> None:
        if not serving:
            return
        serving.clear()
        while pending:
            name, args = pending.pop(0)
            contextvars.Context().run(run, name, args)

    request_started.connect(request_began, app)
    appcontext_tearing_down.connect(request_ended, app)
    monkeypatch.setattr(celery_app, "send_task", send_task)
    monkeypatch.setattr(celery_app, "producer_or_acquire", lambda *a, **k: contextlib.nullcontext())
    yield tasks
    request_started.disconnect(request_began, app)
    appcontext_tearing_down.disconnect(request_ended, app)


# -- a real SMTP server -----------------------------------------------------------------------------------


@dataclass
class Inbox:
    """What the SMTP server accepted, parsed."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [message for message in self.messages if message["To"] == address]


@pytest.fixture
def smtp_port() -> Iterator[int]:
    """A port nobody listens on until `inbox` starts a server there."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    yield port


@pytest.fixture
def smtp_config(
    app: Flask, smtp_port: int, monkeypatch: pytest.MonkeyPatch, worker_tasks: WorkerTasks
) -> Iterator[None]:
    """Send the app's e-mail over SMTP to 127.0.0.1:`smtp_port`, as in production, from the worker's task."""
    state = app.extensions["mailman"]
    for key, value in {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port}.items():
        monkeypatch.setitem(app.config, key, value)
    monkeypatch.setattr(state, "backend", "smtp")
    monkeypatch.setattr(state, "server", "127.0.0.1")
    monkeypatch.setattr(state, "port", smtp_port)
    yield
    _drop_smtp_connection()


@pytest.fixture
def inbox(smtp_config: None, smtp_port: int) -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield handler
    _drop_smtp_connection()
    controller.stop()
