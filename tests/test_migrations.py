"""Migrations build the schema the models describe, with no drift, and go down and up again."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy import inspect
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.conftest import REPO_ROOT
from tests.conftest import database_url


def _flask_db(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "CHEFSRESAN_ENV": "testing"}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "lifecycle", "db", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _check_round_trip(url: str) -> None:
    upgrade = _flask_db(url, "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    check = _flask_db(url, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr

    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert {"managers", "stage_transitions", "pillars", "expectations", "users", "org_units"} <= tables
    finally:
        engine.dispose()

    down = _flask_db(url, "downgrade", "base")
    assert down.returncode == 0, down.stderr
    engine = create_engine(url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    again = _flask_db(url, "upgrade")
    assert again.returncode == 0, again.stderr


@pytest.fixture
def empty_postgres_database() -> Iterator[str]:
    base = make_url(database_url() or "")
    name = f"chefsresan_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_migrations_on_an_empty_postgresql_database(empty_postgres_database: str) -> None:
    _check_round_trip(empty_postgres_database)


def test_migrations_on_an_empty_sqlite_database(tmp_path: Path) -> None:
    _check_round_trip(f"sqlite:///{tmp_path / 'migrations.sqlite3'}")
