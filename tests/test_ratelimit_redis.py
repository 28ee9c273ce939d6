"""With Redis, the login limit holds across every web process, not per process."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator

import pytest
from flask import Flask

from lifecycle.extensions import db
from tests.conftest import post_form
from tests.conftest import redis_url
from tests.factories import make_user


@pytest.fixture
def redis_limit_db() -> Iterator[str]:
    import redis

    url = (redis_url() or "").rsplit("/", 1)[0] + "/13"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.mark.redis
def test_failed_logins_are_counted_across_web_processes(
    app: Flask, committed: None, make_app: Callable[..., Flask], redis_limit_db: str
) -> None:
    with app.app_context():
        make_user(email="shared-limit@test.example")
        db.session.commit()
    # Two app instances stand in for two gunicorn workers sharing one Redis.
    web_processes = [
        make_app(
            SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
            RATELIMIT_STORAGE_URI=redis_limit_db,
        )
        for _ in range(2)
    ]
    for attempt in range(5):
        client = web_processes[attempt % 2].test_client()
        response = post_form(client, "/login", {"email": "shared-limit@test.example", "password": "nope"})
        assert response.status_code == 200
    response = post_form(
        web_processes[1].test_client(), "/login", {"email": "shared-limit@test.example", "password": "nope"}
    )
    assert response.status_code == 429
