"""Benchmark: "my plan" (/me) and HR's pillar heatmap with 50 000 managers and 2 000 000 activities.

Builds on bench/pipeline.py's generator: managers and history first, then forty activities per
manager (a tenth of them workshops shared by three managers), each tagged with pillars and an
expectation, and the pillar-coverage summary. Prints median and p95 of /me (target p95 < 50 ms),
of the heatmap (target p95 < 300 ms) and of the uncovered list, their query counts at 5 000 and at
50 000 managers (the same), and the web process's peak memory.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/chefsresan_bench .venv/bin/python bench/plans.py
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pipeline

SIZES = (5_000, 50_000)
ACTIVITIES_PER_MANAGER = 40
OWNER_ID = 4242
KINDS = ["course", "workshop", "mentoring", "development_review", "introduction_milestone", "other"]


def populate_activities(
    app: object, first_manager: int, last_manager: int, first_activity: int, rng: random.Random
) -> int:
    """Add forty activities per manager through COPY; return the next free activity id."""
    from lifecycle.extensions import db

    today = datetime.now(UTC).date()
    now = datetime.now(UTC)
    with app.app_context():  # type: ignore[attr-defined]
        pillar_ids = [
            row[0] for row in db.session.execute(db.text("SELECT id FROM pillars ORDER BY position"))
        ]
        expectations = list(db.session.execute(db.text("SELECT id, pillar_id FROM expectations")))
    activities, participants, pillars, tags = [], [], [], []
    activity_id = first_activity
    for manager_id in range(first_manager, last_manager + 1):
        for _n in range(ACTIVITIES_PER_MANAGER):
            activity_id += 1
            done = rng.random() < 0.7
            day = today - timedelta(days=rng.randint(-120, 900))
            activities.append(
                (
                    activity_id,
                    rng.choice(KINDS),
                    "develop",
                    f"Aktivitet {activity_id}",
                    "",
                    "",
                    day,
                    day if done and day <= today else None,
                    now,
                )
            )
            group = {manager_id}
            if rng.random() < 0.1:  # a workshop shared with two others
                group |= {rng.randint(1, last_manager), rng.randint(1, last_manager)}
            participants.extend((activity_id, member) for member in group)
            expectation_id, pillar_id = rng.choice(expectations)
            chosen = {pillar_id} | ({rng.choice(pillar_ids)} if rng.random() < 0.3 else set())
            pillars.extend((activity_id, p) for p in chosen)
            tags.append((activity_id, expectation_id))
    with app.app_context():  # type: ignore[attr-defined]
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
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
                ],
                activities,
            )
            pipeline._copy(cursor, "activity_participants", ["activity_id", "manager_id"], participants)
            pipeline._copy(cursor, "activity_pillars", ["activity_id", "pillar_id"], pillars)
            pipeline._copy(cursor, "activity_expectations", ["activity_id", "expectation_id"], tags)
            cursor.execute("SELECT setval('activities_id_seq', %s)", (activity_id,))
            cursor.execute("TRUNCATE pillar_coverage")
            cursor.execute(
                """INSERT INTO pillar_coverage (manager_id, pillar_id, last_completed_on)
                   SELECT p.manager_id, ap.pillar_id, max(a.completed_on)
                   FROM activities a
                   JOIN activity_participants p ON p.activity_id = a.id
                   JOIN activity_pillars ap ON ap.activity_id = a.id
                   WHERE a.completed_on IS NOT NULL AND a.cancelled_at IS NULL
                   GROUP BY p.manager_id, ap.pillar_id"""
            )
            cursor.execute("ANALYZE")
            raw.commit()
        finally:
            raw.close()
    return activity_id


def create_owner(app: object) -> None:
    """Give manager OWNER_ID an account, so /me can be measured as that manager."""
    from lifecycle.enums import Role
    from lifecycle.extensions import db
    from lifecycle.models import Manager
    from lifecycle.services.accounts import create_user

    with app.app_context():  # type: ignore[attr-defined]
        user = create_user("owner@bench.example", "Bench Owner", pipeline.PASSWORD, roles={Role.MANAGER})
        manager = db.session.get(Manager, OWNER_ID)
        if manager is None:
            raise SystemExit("the owner manager was not generated")
        manager.user_id = user.id
        db.session.commit()


def create_app_with_platform(url: str) -> Any:
    """A fresh database at `url` with the base organisation and Örebro's platform; return the app."""
    from lifecycle import create_app
    from lifecycle.cli import DEFAULT_PLATFORM
    from lifecycle.extensions import db
    from lifecycle.services.platform import load_platform
    from lifecycle.services.platform_file import parse_platform

    pipeline.recreate_database(url)
    app = create_app("development", overrides={"SQLALCHEMY_DATABASE_URI": url})
    pipeline.create_base(app)
    with app.app_context():
        load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
        db.session.commit()
    return app


def main() -> None:
    url = pipeline.database_url()
    app = create_app_with_platform(url)
    rng = random.Random(2_000_000)
    hr_pages = [
        ("HR heatmap", "/insight/coverage", {}),
        ("HR heatmap, one förvaltning", "/insight/coverage?unit=2", {}),
        ("uncovered list", "/insight/uncovered?pillar=developer", {}),
    ]
    owner_pages = [("/me", "/me", {})]
    managers_done, next_activity = 0, 0
    by_size = {}
    for size in SIZES:
        started = time.perf_counter()
        pipeline.populate(app, managers_done + 1, size, rng)
        next_activity = populate_activities(app, managers_done + 1, size, next_activity, rng)
        if managers_done == 0:
            create_owner(app)
        managers_done = size
        print(
            f"\n{size:,} managers, {next_activity:,} activities "
            f"(generated in {time.perf_counter() - started:.1f} s)"
        )
        results = pipeline.measure(url, hr_pages)
        results.update(
            {
                k: v
                for k, v in pipeline.measure(url, owner_pages, "owner@bench.example").items()
                if k != "peak_rss_mb"
            }
        )
        by_size[size] = results
        print(f"  {'page':<30}{'median ms':>10}{'p95 ms':>10}{'queries':>9}")
        for label, *_ in hr_pages + owner_pages:
            figures = results[label]
            if not isinstance(figures, dict):
                raise TypeError(label)
            print(f"  {label:<30}{figures['median']:>10.1f}{figures['p95']:>10.1f}{figures['queries']:>9.0f}")
        print(f"  peak memory of the web process: {results['peak_rss_mb']:.0f} MB")
    small, large = by_size[SIZES[0]], by_size[SIZES[-1]]
    same = all(
        small[label]["queries"] == large[label]["queries"]  # type: ignore[index]
        for label, *_ in hr_pages + owner_pages
    )
    print(f"\nquery counts the same at {SIZES[0]:,} and {SIZES[-1]:,}: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
