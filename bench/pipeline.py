"""Benchmark: the pipeline board, a filtered board, a profile and the API list at 5 000 and 50 000 managers.

Generates managers in 300 units with ten history rows each (500 000 at full size) in a PostgreSQL
database of its own, then serves requests in a separate process (a web process as gunicorn would run
it) and prints the median and p95 time of each page, its SQL query count, and the process's peak
memory. Targets: board and API list p95 < 150 ms, profile p95 < 50 ms, the same query count at both
sizes, peak memory < 300 MB.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/chefsresan_bench .venv/bin/python bench/pipeline.py

Without DATABASE_URL it uses postgresql+psycopg://postgres@127.0.0.1:5432/chefsresan_bench.
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SIZES = (5_000, 50_000)
UNITS = 300
HISTORY_PER_MANAGER = 10
REPEATS = 40
PASSWORD = "bench-password-1"  # noqa: S105 (a throwaway benchmark account)
STAGES = (
    ["attract"] * 5
    + ["recruit"] * 5
    + ["introduce"] * 10
    + ["develop"] * 75
    + ["offboard"] * 3
    + ["closed"] * 2
)


def database_url(default_database: str = "chefsresan_bench") -> str:
    """DATABASE_URL, or the local PostgreSQL's `default_database`."""
    return (
        os.environ.get("DATABASE_URL") or f"postgresql+psycopg://postgres@127.0.0.1:5432/{default_database}"
    )


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


def _copy(cursor: object, table: str, columns: list[str], rows: list[tuple[object, ...]]) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if value is None else str(value) for value in row) + "\n")
    buffer.seek(0)
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
        copy.write(buffer.read())


def copy_tables(
    app: Any, tables: list[tuple[str, list[str], list[tuple[object, ...]]]], after: Sequence[str] = ()
) -> None:
    """COPY each (table, columns, rows) in one transaction, then run the `after` statements."""
    from lifecycle.extensions import db

    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            for table, columns, rows in tables:
                _copy(cursor, table, columns, rows)
            for statement in after:
                cursor.execute(statement)
            raw.commit()
        finally:
            raw.close()


def populate(app: object, first_id: int, last_id: int, rng: random.Random) -> None:
    """Add managers first_id..last_id (with history) straight through COPY; fast and realistic."""
    from lifecycle.extensions import db

    today = datetime.now(UTC).date()
    now = datetime.now(UTC)
    managers = []
    transitions = []
    transition_id = (first_id - 1) * HISTORY_PER_MANAGER
    unit_ids = list(range(2, UNITS + 2))
    for manager_id in range(first_id, last_id + 1):
        stage = rng.choice(STAGES)
        entered = today - timedelta(days=rng.randint(1, 2000))
        start = entered - timedelta(days=rng.randint(0, 3000))
        end = entered + timedelta(days=rng.randint(1, 120)) if stage in ("offboard", "closed") else None
        line_manager = rng.randint(1, manager_id - 1) if manager_id > 50 else None
        managers.append(
            (
                manager_id,
                f"B{manager_id:06d}",
                f"Chef {manager_id} {rng.choice(['Ek', 'Björk', 'Lind', 'Ström'])}",
                f"chef{manager_id}@bench.example",
                "Enhetschef",
                rng.choice(unit_ids),
                line_manager,
                1,
                start,
                end,
                stage,
                entered,
                now,
                now,
            )
        )
        day = start - timedelta(days=HISTORY_PER_MANAGER * 30)
        previous = None
        for step in range(HISTORY_PER_MANAGER):
            transition_id += 1
            to_stage = stage if step == HISTORY_PER_MANAGER - 1 else rng.choice(["develop", "introduce"])
            day += timedelta(days=30)
            effective = entered if step == HISTORY_PER_MANAGER - 1 else day
            transitions.append((transition_id, manager_id, previous, to_stage, effective, None, "Bench", now))
            previous = to_stage
    with app.app_context():  # type: ignore[attr-defined]
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            _copy(
                cursor,
                "managers",
                [
                    "id",
                    "employee_number",
                    "name",
                    "email",
                    "title",
                    "org_unit_id",
                    "line_manager_id",
                    "hr_partner_id",
                    "start_date",
                    "end_date",
                    "stage",
                    "stage_entered_on",
                    "created_at",
                    "updated_at",
                ],
                managers,
            )
            _copy(
                cursor,
                "stage_transitions",
                [
                    "id",
                    "manager_id",
                    "from_stage",
                    "to_stage",
                    "effective_date",
                    "actor_id",
                    "reason",
                    "recorded_at",
                ],
                transitions,
            )
            cursor.execute("SELECT setval('managers_id_seq', %s)", (last_id,))
            cursor.execute("SELECT setval('stage_transitions_id_seq', %s)", (transition_id,))
            cursor.execute("ANALYZE")
            raw.commit()
        finally:
            raw.close()


def create_base(app: object) -> None:
    from lifecycle.enums import OrgUnitKind
    from lifecycle.enums import Role
    from lifecycle.extensions import db
    from lifecycle.services.accounts import create_user
    from lifecycle.services.organisation import create_unit

    with app.app_context():  # type: ignore[attr-defined]
        db.create_all()
        create_user("hr@bench.example", "Bench HR", PASSWORD, roles={Role.HR})
        root = create_unit("Benchkommun", OrgUnitKind.MUNICIPALITY)
        administrations = [
            create_unit(f"Förvaltning {n}", OrgUnitKind.ADMINISTRATION, root) for n in range(10)
        ]
        for n in range(UNITS - 10):
            create_unit(f"Enhet {n}", OrgUnitKind.UNIT, administrations[n % 10])
        db.session.commit()


MEASURE = r"""
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
from sqlalchemy import event
from lifecycle import create_app
from lifecycle.extensions import db

app = create_app("production")
app.config["WTF_CSRF_ENABLED"] = False
client = app.test_client()
https = "https://chefsresan.bench"  # production cookies are Secure: talk as if behind TLS
login = client.post("/login", data={"email": sys.argv[5], "password": sys.argv[2]}, base_url=https)
assert login.status_code == 302
pages = json.loads(sys.argv[3])
repeats = int(sys.argv[4])
queries = []
with app.app_context():
    engine = db.engine
event.listen(engine, "before_cursor_execute", lambda *a: queries.append(1))
results = {}
for label, url, headers in pages:
    timings = []
    for attempt in range(repeats + 3):
        queries.clear()
        started = time.perf_counter()
        response = client.get(url, headers=headers, base_url=https)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:500])
        if attempt >= 3:  # the first requests warm caches and connections
            timings.append(elapsed)
    timings.sort()
    results[label] = {
        "median": statistics.median(timings),
        "p95": timings[int(len(timings) * 0.95) - 1],
        "queries": len(queries),
    }
# VmHWM belongs to this process's own memory map (ru_maxrss would carry the parent's over exec).
with open("/proc/self/status") as status:
    hwm_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
results["peak_rss_mb"] = hwm_kb / 1024
print(json.dumps(results))
"""


def measure(
    url: str, pages: list[tuple[str, str, dict[str, str]]], email: str = "hr@bench.example"
) -> dict[str, dict[str, float] | float]:
    """Time `pages` in a fresh web process logged in as `email`; return figures per page and peak memory."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "b" * 40,
        "CHEFSRESAN_ENV": "production",
        "BASE_URL": "https://chefsresan.bench",
    }
    env.pop("REDIS_URL", None)
    output = subprocess.run(
        [sys.executable, "-c", MEASURE, str(REPO), PASSWORD, json.dumps(pages), str(REPEATS), email],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def print_figures(results: dict[str, Any], labels: list[str], width: int = 28) -> None:
    """Print each page's median, p95 and query count, and the web process's peak memory."""
    print(f"  {'page':<{width}}{'median ms':>10}{'p95 ms':>10}{'queries':>9}")
    for label in labels:
        figures = results[label]
        if not isinstance(figures, dict):
            raise TypeError(label)
        print(
            f"  {label:<{width}}{figures['median']:>10.1f}{figures['p95']:>10.1f}{figures['queries']:>9.0f}"
        )
    print(f"  peak memory of the web process: {results['peak_rss_mb']:.0f} MB")


def same_query_counts(small: dict[str, Any], large: dict[str, Any], labels: list[str]) -> bool:
    """Whether every page asked as many queries with the small data as with the large."""
    return all(small[label]["queries"] == large[label]["queries"] for label in labels)


def main() -> None:
    from lifecycle import create_app

    url = database_url()
    recreate_database(url)
    os.environ["DATABASE_URL"] = url
    app = create_app("development", overrides={"SQLALCHEMY_DATABASE_URI": url})
    create_base(app)
    rng = random.Random(50_000)
    pages = [
        ("board, first page", "/pipeline", {}),
        ("board, filtered", "/pipeline?unit=2&q=chef+1&stuck=y", {}),
        ("board, one stage, page 10", "/pipeline?stage=develop&page=10", {}),
        ("profile", "/managers/4242", {}),
    ]
    if any(rule.rule == "/api/v1/managers" for rule in app.url_map.iter_rules()):
        pages.append(("API list", "/api/v1/managers?limit=50", {"Accept": "application/json"}))
    previous = 0
    by_size = {}
    for size in SIZES:
        started = time.perf_counter()
        populate(app, previous + 1, size, rng)
        previous = size
        print(
            f"\n{size:,} managers, {size * HISTORY_PER_MANAGER:,} history rows "
            f"(generated in {time.perf_counter() - started:.1f} s)"
        )
        results = measure(url, pages)
        by_size[size] = results
        print_figures(results, [label for label, *_ in pages])
    same = same_query_counts(by_size[SIZES[0]], by_size[SIZES[-1]], [label for label, *_ in pages])
    print(f"\nquery counts the same at {SIZES[0]:,} and {SIZES[-1]:,}: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
