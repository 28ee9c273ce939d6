"""Benchmark: HR's introductions overview (/introductions) with 5 000 and 50 000 managers.

Builds on bench/pipeline.py's managers and bench/plans.py's forty activities per manager. A tenth of
the managers are in the introduce stage, each with the default introduction programme launched from
their start date within the last nine months (seven milestones, the past ones mostly done, some
overdue). Prints the median and p95 of the overview as HR (target p95 < 200 ms), filtered and paged,
and its query count at both sizes, which must be the same.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/chefsresan_bench_introductions \\
        .venv/bin/python bench/introductions.py

It drops and re-creates the database named by DATABASE_URL (default chefsresan_bench_introductions).
"""

from __future__ import annotations

import os
import random
import sys
import time
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pipeline
import plans

SIZES = (5_000, 50_000)
#: every tenth manager is being introduced
INTRODUCE_EVERY = 10
PAGES: list[tuple[str, str, dict[str, str]]] = [
    ("introductions", "/introductions", {}),
    ("introductions, overdue only", "/introductions?overdue=y", {}),
    ("introductions, one förvaltning", "/introductions?unit=2", {}),
    ("introductions, page 8", "/introductions?page=8", {}),
]


def database_url() -> str:
    return (
        os.environ.get("DATABASE_URL")
        or "postgresql+psycopg://postgres@127.0.0.1:5432/chefsresan_bench_introductions"
    )


def launch_programmes(app: object, first_manager: int, last_manager: int, first_activity: int) -> int:
    """Put every tenth manager in the introduce stage with the default programme launched; COPY it all.

    Returns the last activity id used.
    """
    from lifecycle.enums import ResponsibleRole
    from lifecycle.extensions import db
    from lifecycle.models import TemplateMilestone
    from lifecycle.services.introductions import default_template
    from lifecycle.services.introductions import milestone_due_date

    rng = random.Random(last_manager)
    today = datetime.now(UTC).date()
    now = datetime.now(UTC)
    with app.app_context():  # type: ignore[attr-defined]
        template = default_template()
        if template is None:
            raise SystemExit("no default introduction programme")
        milestones: list[TemplateMilestone] = list(template.milestones)
        steps = [
            (
                m.id,
                m.title,
                m.offset_amount,
                m.offset_unit,
                [p.id for p in m.pillars],
                m.responsible_role.value,
            )
            for m in milestones
        ]
        template_id = template.id
        launch_id = db.session.scalar(db.text("SELECT coalesce(max(id), 0) FROM introduction_launches")) or 0
    introduced = [m for m in range(first_manager, last_manager + 1) if m % INTRODUCE_EVERY == 0]
    launches: list[tuple[object, ...]] = []
    activities: list[tuple[object, ...]] = []
    participants: list[tuple[object, ...]] = []
    pillars: list[tuple[object, ...]] = []
    started: list[tuple[int, date]] = []
    activity_id = first_activity
    for manager_id in introduced:
        launch_id += 1
        start = today - timedelta(days=rng.randint(-20, 270))
        started.append((manager_id, start))
        launches.append((launch_id, manager_id, template_id, start, now))
        for milestone_id, title, amount, unit, pillar_ids, role in steps:
            activity_id += 1
            due = milestone_due_date(start, amount, unit)
            # Most past milestones are done; some are overdue, as in any real programme.
            done = due if due < today and rng.random() < 0.8 else None
            activities.append(
                (
                    activity_id,
                    "introduction_milestone",
                    "introduce",
                    title,
                    "",
                    "",
                    due,
                    done,
                    now,
                    launch_id,
                    milestone_id,
                    # The HR partner (the bench's HR user) is named; the others have no account here.
                    1 if role is ResponsibleRole.HR_PARTNER else None,
                )
            )
            participants.append((activity_id, manager_id))
            pillars.extend((activity_id, p) for p in pillar_ids)
    with app.app_context():  # type: ignore[attr-defined]
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            # Into the introduce stage, entered on the start date; everyone else out of it.
            cursor.execute(
                "UPDATE managers SET stage = 'develop' WHERE stage = 'introduce' AND id BETWEEN %s AND %s",
                (first_manager, last_manager),
            )
            cursor.executemany(
                "UPDATE managers SET stage = 'introduce', stage_entered_on = %s, start_date = %s,"
                " end_date = NULL WHERE id = %s",
                [(start, start, manager_id) for manager_id, start in started],
            )
            pipeline._copy(
                cursor,
                "introduction_launches",
                ["id", "manager_id", "template_id", "start_date", "launched_at"],
                launches,
            )
            pipeline._copy(
                cursor,
                "activities",
                [
                    "id",
                    "kind",
                    "stage",
                    "title",
                    "description",
                    "responsible_note",
                    "due_on",
                    "completed_on",
                    "created_at",
                    "introduction_id",
                    "template_milestone_id",
                    "responsible_id",
                ],
                activities,
            )
            pipeline._copy(cursor, "activity_participants", ["activity_id", "manager_id"], participants)
            pipeline._copy(cursor, "activity_pillars", ["activity_id", "pillar_id"], pillars)
            cursor.execute("SELECT setval('activities_id_seq', %s)", (activity_id,))
            cursor.execute("SELECT setval('introduction_launches_id_seq', %s)", (launch_id,))
            cursor.execute("ANALYZE")
            raw.commit()
        finally:
            raw.close()
    return activity_id


def main() -> None:
    from lifecycle import create_app
    from lifecycle.cli import DEFAULT_PLATFORM
    from lifecycle.extensions import db
    from lifecycle.services.introductions import ensure_default_template
    from lifecycle.services.platform import load_platform
    from lifecycle.services.platform_file import parse_platform

    url = database_url()
    pipeline.recreate_database(url)
    app = create_app("development", overrides={"SQLALCHEMY_DATABASE_URI": url})
    pipeline.create_base(app)
    with app.app_context():
        load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
        ensure_default_template()
        db.session.commit()
    rng = random.Random(5_000)
    done, next_activity = 0, 0
    by_size: dict[int, dict[str, Any]] = {}
    for size in SIZES:
        started = time.perf_counter()
        pipeline.populate(app, done + 1, size, rng)
        next_activity = plans.populate_activities(app, done + 1, size, next_activity, rng)
        next_activity = launch_programmes(app, done + 1, size, next_activity)
        done = size
        with app.app_context():
            introducing = db.session.scalar(
                db.text("SELECT count(*) FROM managers WHERE stage = 'introduce'")
            )
            db.session.remove()
        print(
            f"\n{size:,} managers, {introducing:,} in the introduce stage with a programme, "
            f"{next_activity:,} activities (generated in {time.perf_counter() - started:.1f} s)"
        )
        results: dict[str, Any] = pipeline.measure(url, PAGES)
        by_size[size] = results
        print(f"  {'page':<34}{'median ms':>10}{'p95 ms':>10}{'queries':>9}")
        for label, *_ in PAGES:
            figures = results[label]
            print(f"  {label:<34}{figures['median']:>10.1f}{figures['p95']:>10.1f}{figures['queries']:>9.0f}")
        print(f"  peak memory of the web process: {results['peak_rss_mb']:.0f} MB")
    small, large = by_size[SIZES[0]], by_size[SIZES[-1]]
    different = [label for label, *_ in PAGES if small[label]["queries"] != large[label]["queries"]]
    slow = [label for label, *_ in PAGES if large[label]["p95"] >= 200]
    same = "NO: " + ", ".join(different) if different else "yes"
    fast = "NO: " + ", ".join(slow) if slow else "yes"
    print(f"\nquery counts the same at {SIZES[0]:,} and {SIZES[-1]:,}: {same}")
    print(f"p95 under 200 ms at {SIZES[-1]:,}: {fast}")
    if different:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
