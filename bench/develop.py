"""Benchmark: mentor suggestions, HR's obstacle overview and a plan with group goals, at a tenth and in full.

Full size is issue #12's: 50 000 managers, 5 000 role models with as many mentorships, and 20 000
obstacles; the tenth is 5 000, 500 and 2 000. Builds on bench/pipeline.py (managers in 300 units
with their history) and bench/plans.py (forty tagged activities per manager and the pillar
coverage the suggestions read). Each manager also has a development plan with a reviewed review
(both assessors, most expectations scored), and each unit holds a management-group workshop with a
group goal per pillar; the measured manager (4242) is in three of them.

The requests are served in a separate web process (`pipeline.measure`), which prints the median
and p95 time of each page and its SQL query count. Targets: p95 under 100 ms, the same query count
at both sizes.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/chefsresan_bench_develop \\
        .venv/bin/python bench/develop.py

It drops and re-creates the database named by DATABASE_URL (default chefsresan_bench_develop).
"""

from __future__ import annotations

import os
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
import plans

#: (managers, role models and mentorships, obstacles): a tenth, then the issue's full size
SIZES = ((5_000, 500, 2_000), (50_000, 5_000, 20_000))
MEASURED = plans.OWNER_ID
#: the workshops (of other units) the measured manager also took part in
MEASURED_WORKSHOPS = 3
WORKSHOP_GROUP = 8
REVIEW_SCORED_SHARE = 0.8


def _ids(app: Any, sql: str) -> list[Any]:
    from lifecycle.extensions import db

    with app.app_context():
        return list(db.session.execute(db.text(sql)))


def populate_plans(app: Any, first: int, last: int, rng: random.Random) -> None:
    """A plan per manager with a completed review and one ahead; both assessors score most expectations."""

    today = datetime.now(UTC).date()
    now = datetime.now(UTC)
    expectations = [row[0] for row in _ids(app, "SELECT id FROM expectations")]
    plan_rows, reviews, assessments = [], [], []
    assessment_id = (first - 1) * len(expectations) * 2
    for manager_id in range(first, last + 1):
        starts = today - timedelta(days=rng.randint(200, 500))
        plan_rows.append((manager_id, manager_id, starts, starts + timedelta(days=730), "", now))
        done_review, next_review = manager_id * 2 - 1, manager_id * 2
        reviews.append(
            (done_review, manager_id, starts + timedelta(days=180), starts + timedelta(days=185), "")
        )
        reviews.append((next_review, manager_id, today + timedelta(days=rng.randint(10, 200)), None, ""))
        for expectation_id in expectations:
            if rng.random() > REVIEW_SCORED_SHARE:
                continue
            for assessor in ("self", "line_manager"):
                assessment_id += 1
                score = min(5, max(1, round(rng.gauss(3.6, 0.9))))
                assessments.append((assessment_id, done_review, expectation_id, assessor, score, ""))
    pipeline.copy_tables(
        app,
        [
            (
                "development_plans",
                ["id", "manager_id", "starts_on", "ends_on", "notes", "created_at"],
                plan_rows,
            ),
            ("development_reviews", ["id", "plan_id", "scheduled_on", "completed_on", "next_steps"], reviews),
            (
                "review_assessments",
                ["id", "review_id", "expectation_id", "assessor", "score", "comment"],
                assessments,
            ),
        ],
        after=[
            f"SELECT setval('development_plans_id_seq', {last})",
            f"SELECT setval('development_reviews_id_seq', {last * 2})",
            "SELECT setval('review_assessments_id_seq', (SELECT max(id) FROM review_assessments))",
        ],
    )


def populate_mentoring(app: Any, managers: int, count: int, first: int, rng: random.Random) -> None:
    """`count` more role models (ids first..) with strengths and a capacity, and as many mentorships."""

    today = datetime.now(UTC).date()
    now = datetime.now(UTC)
    pillar_ids = [row[0] for row in _ids(app, "SELECT id FROM pillars")]
    expectations = [row[0] for row in _ids(app, "SELECT id FROM expectations")]
    taken = {row[0] for row in _ids(app, "SELECT manager_id FROM role_models")}
    candidates = [m for m in range(1, managers + 1) if m not in taken and m != MEASURED]
    chosen = rng.sample(candidates, count)
    role_models, strong_pillars, strong_expectations, mentorships = [], [], [], []
    for offset, manager_id in enumerate(chosen):
        role_model_id = first + offset
        capacity = rng.choice((1, 2, 2, 3))
        role_models.append(
            (role_model_id, manager_id, "Bench", capacity, rng.random() < 0.95, None, now, now)
        )
        strong_pillars.extend((role_model_id, p) for p in rng.sample(pillar_ids, rng.randint(1, 2)))
        strong_expectations.extend((role_model_id, e) for e in rng.sample(expectations, rng.randint(2, 5)))
        mentee = rng.randint(1, managers)
        while mentee == manager_id:
            mentee = rng.randint(1, managers)
        starts = today - timedelta(days=rng.randint(0, 400))
        ended = now if rng.random() < 0.3 else None
        mentorships.append(
            (
                role_model_id,
                manager_id,
                mentee,
                starts,
                starts + timedelta(days=365),
                "Bench",
                4,
                ended,
                "",
                None,
                now,
            )
        )
    role_model_columns = [
        "id",
        "manager_id",
        "study_note",
        "capacity",
        "is_active",
        "marked_by_id",
        "created_at",
        "updated_at",
    ]
    mentorship_columns = [
        "id",
        "mentor_id",
        "mentee_id",
        "starts_on",
        "ends_on",
        "goals",
        "cadence_weeks",
        "ended_at",
        "ended_reason",
        "created_by_id",
        "created_at",
    ]
    pipeline.copy_tables(
        app,
        [
            ("role_models", role_model_columns, role_models),
            ("role_model_pillars", ["role_model_id", "pillar_id"], strong_pillars),
            ("role_model_expectations", ["role_model_id", "expectation_id"], strong_expectations),
            ("mentorships", mentorship_columns, mentorships),
        ],
        after=[
            f"SELECT setval('role_models_id_seq', {first + count - 1})",
            f"SELECT setval('mentorships_id_seq', {first + count - 1})",
        ],
    )


OBSTACLE_STATUSES = ["reported"] * 3 + ["being_handled"] * 2 + ["removed"] * 4 + ["not_removable"]


def populate_obstacles(app: Any, managers: int, first: int, count: int, rng: random.Random) -> None:
    """`count` more obstacles (ids first..) reported by managers of every unit, most with a pillar."""

    now = datetime.now(UTC)
    pillar_ids = [row[0] for row in _ids(app, "SELECT id FROM pillars")]
    unit_of = dict(_ids(app, f"SELECT id, org_unit_id FROM managers WHERE id <= {managers}"))
    hr = _ids(app, "SELECT id FROM users ORDER BY id LIMIT 1")[0][0]
    rows, tags = [], []
    for obstacle_id in range(first, first + count):
        reporter = rng.randint(1, managers)
        status = rng.choice(OBSTACLE_STATUSES)
        reported = now - timedelta(days=rng.randint(0, 700), hours=rng.randint(0, 23))
        closed = status in ("removed", "not_removable")
        resolved = reported + timedelta(days=rng.randint(1, 90)) if closed else None
        handled = status != "reported"
        rows.append(
            (
                obstacle_id,
                reporter,
                unit_of[reporter],
                f"Hinder {obstacle_id}",
                "Bench",
                rng.choice(("low", "medium", "medium", "high")),
                rng.random() < 0.6,
                status,
                hr if handled else None,
                (now + timedelta(days=rng.randint(-20, 60))).date() if handled else None,
                "Bench" if status == "not_removable" else None,
                reported,
                resolved,
                resolved or reported,
                None,
                None,
                None,
            )
        )
        if rng.random() < 0.85:
            tags.extend((obstacle_id, p) for p in rng.sample(pillar_ids, rng.randint(1, 2)))
    columns = [
        "id",
        "reporter_id",
        "unit_id",
        "title",
        "description",
        "severity",
        "shared",
        "status",
        "owner_user_id",
        "due_date",
        "explanation",
        "reported_at",
        "resolved_at",
        "last_activity_at",
        "notice_sent_at",
        "notice_failed_at",
        "workshop_id",
    ]
    pipeline.copy_tables(
        app,
        [("obstacles", columns, rows), ("obstacle_pillars", ["obstacle_id", "pillar_id"], tags)],
        after=[f"SELECT setval('obstacles_id_seq', {first + count - 1})"],
    )


def populate_workshops(app: Any, managers: int, rng: random.Random) -> None:
    """A held workshop per unit (eight of its managers, a group goal per pillar); 4242 in three more."""

    today = datetime.now(UTC).date()
    now = datetime.now(UTC)
    pillar_ids = [row[0] for row in _ids(app, "SELECT id FROM pillars ORDER BY position")]
    members: dict[int, list[int]] = {}
    for manager_id, unit_id in _ids(app, f"SELECT id, org_unit_id FROM managers WHERE id <= {managers}"):
        members.setdefault(unit_id, []).append(manager_id)
    measured_unit = next(unit for unit, ids in members.items() if MEASURED in ids)
    others = rng.sample(sorted(set(members) - {measured_unit}), MEASURED_WORKSHOPS)
    workshops, participants, goals = [], [], []
    goal_id = 0
    for workshop_id, unit_id in enumerate(sorted(members), start=1):
        held = now - timedelta(days=rng.randint(5, 200))
        workshops.append((workshop_id, unit_id, f"Ledningsgrupp {unit_id}", held, None, "held", None, now))
        group = set(rng.sample(members[unit_id], min(WORKSHOP_GROUP, len(members[unit_id]))))
        if unit_id == measured_unit or unit_id in others:
            group.add(MEASURED)
        participants.extend((workshop_id, m, now) for m in sorted(group))
        for pillar_id in pillar_ids:
            goal_id += 1
            done = now if rng.random() < 0.3 else None
            owner = rng.choice(sorted(group))
            goals.append(
                (
                    goal_id,
                    workshop_id,
                    pillar_id,
                    f"Gruppmål {goal_id}",
                    owner,
                    today + timedelta(days=30),
                    done,
                    now,
                )
            )
    # The workshops of the smaller size give way to the full size's (DELETE: TRUNCATE would cascade
    # to obstacles and activities, which only point at them).
    pipeline.copy_tables(
        app,
        [],
        after=["DELETE FROM group_goals", "DELETE FROM workshop_participants", "DELETE FROM workshops"],
    )
    workshop_columns = [
        "id",
        "unit_id",
        "title",
        "held_at",
        "facilitator_user_id",
        "status",
        "created_by_id",
        "created_at",
    ]
    goal_columns = [
        "id",
        "workshop_id",
        "pillar_id",
        "text",
        "owner_id",
        "follow_up_on",
        "done_at",
        "created_at",
    ]
    pipeline.copy_tables(
        app,
        [
            ("workshops", workshop_columns, workshops),
            ("workshop_participants", ["workshop_id", "manager_id", "added_at"], participants),
            ("group_goals", goal_columns, goals),
        ],
        after=[
            f"SELECT setval('workshops_id_seq', {len(workshops)})",
            f"SELECT setval('group_goals_id_seq', {goal_id})",
            "ANALYZE",
        ],
    )


def main() -> None:
    url = pipeline.database_url("chefsresan_bench_develop")
    os.environ["DATABASE_URL"] = url
    app = plans.create_app_with_platform(url)
    rng = random.Random(12)
    pages = [
        ("mentor suggestions", f"/managers/{MEASURED}/mentors", {}),
        (
            "API mentor suggestions",
            f"/api/v1/managers/{MEASURED}/mentor-suggestions",
            {"Accept": "application/json"},
        ),
        ("obstacle overview", "/obstacles/overview", {}),
        ("obstacle overview, a pillar", "/obstacles/overview?pillar=2&status=all", {}),
        ("API obstacles", "/api/v1/obstacles?limit=50", {"Accept": "application/json"}),
        ("plan with group goals", f"/managers/{MEASURED}/plan", {}),
        ("API plan", f"/api/v1/managers/{MEASURED}/plan", {"Accept": "application/json"}),
    ]
    labels = [label for label, *_ in pages]
    managers_done, mentoring_done, obstacles_done, next_activity = 0, 0, 0, 0
    by_size = {}
    for managers, mentoring, obstacles in SIZES:
        started = time.perf_counter()
        pipeline.populate(app, managers_done + 1, managers, rng)
        next_activity = plans.populate_activities(app, managers_done + 1, managers, next_activity, rng)
        populate_plans(app, managers_done + 1, managers, rng)
        populate_mentoring(app, managers, mentoring - mentoring_done, mentoring_done + 1, rng)
        populate_obstacles(app, managers, obstacles_done + 1, obstacles - obstacles_done, rng)
        populate_workshops(app, managers, rng)
        managers_done, mentoring_done, obstacles_done = managers, mentoring, obstacles
        print(
            f"\n{managers:,} managers, {mentoring:,} role models and mentorships, {obstacles:,} obstacles, "
            f"{next_activity:,} activities (generated in {time.perf_counter() - started:.1f} s)"
        )
        results = pipeline.measure(url, pages)
        by_size[managers] = results
        pipeline.print_figures(results, labels, width=32)
    small, large = (by_size[size[0]] for size in (SIZES[0], SIZES[-1]))
    same = pipeline.same_query_counts(small, large, labels)
    print(f"\nquery counts the same at a tenth and in full: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
