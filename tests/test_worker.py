"""A real Celery worker runs the app's tasks: over Redis in production, the embedded broker on a laptop."""

from __future__ import annotations

import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from flask import Flask

from config import _celery_settings
from lifecycle.extensions import db
from lifecycle.services.system import BEAT
from lifecycle.services.system import last_heartbeat
from tests.conftest import redis_url


def _worker_app(app: Flask, make_app: Callable[..., Flask], celery_settings: dict[str, Any]) -> Flask:
    """An app on the test database whose Celery talks to a real broker."""
    return make_app(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], CELERY=celery_settings)


def _run_heartbeat_through_worker(worker_app: Flask) -> None:
    celery_app = worker_app.extensions["celery"]
    with worker_app.app_context():
        assert last_heartbeat(BEAT) is None
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        celery_app.tasks["system.heartbeat"].delay()
        deadline = time.monotonic() + 20
        seen = None
        while seen is None and time.monotonic() < deadline:
            time.sleep(0.2)
            with worker_app.app_context():
                seen = last_heartbeat(BEAT)
                db.session.remove()
    assert seen is not None, "the worker did not run the task"


@pytest.fixture
def flushed_redis_db() -> Iterator[str]:
    import redis

    url = (redis_url() or "").rsplit("/", 1)[0] + "/14"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.mark.redis
def test_worker_runs_a_task_over_redis(
    app: Flask, committed: None, make_app: Callable[..., Flask], flushed_redis_db: str, tmp_path: Path
) -> None:
    settings = _celery_settings(flushed_redis_db, tmp_path)
    _run_heartbeat_through_worker(_worker_app(app, make_app, settings))


def test_worker_runs_a_task_over_the_embedded_broker(
    app: Flask, committed: None, make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    settings = _celery_settings(None, tmp_path)
    _run_heartbeat_through_worker(_worker_app(app, make_app, settings))
    assert (tmp_path / "celery" / "queue").is_dir()
    assert (tmp_path / "celery" / "control").is_dir()


def test_beat_schedules_the_heartbeat_every_minute(app: Flask) -> None:
    schedule = app.extensions["celery"].conf.beat_schedule
    assert schedule["beat-heartbeat"] == {"task": "system.heartbeat", "schedule": 60.0}
