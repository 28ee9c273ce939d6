"""Benchmark: HR's vacancy list, one vacancy's candidates and the API lists, at a tenth and at full size.

Full size is 500 open vacancies and 20 000 candidates (issue #11), in a PostgreSQL database of its own;
the tenth is 50 and 2 000. Each vacancy weighs three expectations and has two interviewers; one vacancy
in a hundred draws most applicants, and the measured one (vacancy 1) gets a hundredth of all
candidates, so its page grows with the data (20 candidates, then 200). The requests are served in a
separate web process (as gunicorn would run it, `pipeline.measure`), which prints the median and p95
time of each page and its SQL query count. Targets: p95 under 100 ms, the same query count at both sizes.

The interview matrix (100 000 scorecards at full size) is measured by `matrix_pages()` once the
scorecard model exists; on this branch it does not, so no figure is printed for it.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/chefsresan_bench_recruitment \\
        .venv/bin/python bench/recruitment.py

It drops and re-creates the database named by DATABASE_URL (default chefsresan_bench_recruitment).
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

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pipeline import _copy  # noqa: E402
from pipeline import create_base  # noqa: E402
from pipeline import measure  # noqa: E402
from pipeline import print_figures  # noqa: E402
from pipeline import recreate_database  # noqa: E402
from pipeline import same_query_counts  # noqa: E402

#: (vacancies, candidates): a tenth, then the issue's full size
SIZES = ((50, 2_000), (500, 20_000))
SCORECARDS_AT_FULL_SIZE = 100_000
HR_PARTNERS = 10
INTERVIEWERS = 20
WEIGHTS_PER_VACANCY = 3
#: steps of the candidates in process, and the share not selected
STEPS = ["applied"] * 6 + ["screened"] * 3 + ["interview"] * 2 + ["reference_check", "offer"]
NOT_SELECTED_SHARE = 0.2
#: the vacancy every size measures; it gets this share of all candidates
MEASURED_VACANCY = 1
MEASURED_SHARE = 0.01


def database_url() -> str:
    return (
        os.environ.get("DATABASE_URL")
        or "postgresql+psycopg://postgres@127.0.0.1:5432/chefsresan_bench_recruitment"
    )


def create_people(app: Any) -> tuple[list[int], list[int], list[int]]:
    """Load the platform; add the HR partners and interviewers. Return their ids and the expectations'."""
    from sqlalchemy import select

    from lifecycle.cli import DEFAULT_PLATFORM
    from lifecycle.enums import Role
    from lifecycle.extensions import db
    from lifecycle.models import Expectation
    from lifecycle.services.accounts import create_user
    from lifecycle.services.platform import load_platform
    from lifecycle.services.platform_file import parse_platform

    with app.app_context():
        load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
        partners = [
            create_user(f"hr{n}@bench.example", f"HR-partner {n}", None, roles={Role.HR}).id
            for n in range(HR_PARTNERS)
        ]
        interviewers = [
            create_user(f"intervjuare{n}@bench.example", f"Intervjuare {n}", None, roles={Role.MANAGER}).id
            for n in range(INTERVIEWERS)
        ]
        expectations = list(db.session.scalars(select(Expectation.id).order_by(Expectation.id)))
        db.session.commit()
        return partners, interviewers, expectations


def populate(
    app: Any,
    vacancies: range,
    candidates: range,
    people: tuple[list[int], list[int], list[int]],
    rng: random.Random,
) -> None:
    """Add these vacancies (open, weighed, with a group) and candidates straight through COPY."""
    from lifecycle.extensions import db

    partners, interviewers, expectations = people
    now = datetime.now(UTC)
    today = now.date()
    unit_ids = list(range(2, 302))
    vacancy_rows, weight_rows, group_rows = [], [], []
    for vacancy_id in vacancies:
        published = today - timedelta(days=rng.randint(0, 40))
        vacancy_rows.append(
            (
                vacancy_id,
                f"Rektor {vacancy_id}",
                rng.choice(unit_ids),
                None,
                rng.choice(partners),
                "open",
                published,
                published + timedelta(days=28),
                published + timedelta(days=120),
                "",
                "",
                None,
                now - timedelta(days=(today - published).days),
                now,
            )
        )
        for position, expectation_id in enumerate(rng.sample(expectations, WEIGHTS_PER_VACANCY)):
            weight_rows.append((vacancy_id, expectation_id, rng.randint(1, 3), position))
        for user_id in rng.sample(interviewers, 2):
            group_rows.append((vacancy_id, user_id))
    every_vacancy = range(1, vacancies.stop)
    popular = [v for v in every_vacancy if v % 100 == 50]
    measured = round(len(candidates) * MEASURED_SHARE)
    manager_rows, candidacy_rows = [], []
    for n, candidacy_id in enumerate(candidates):
        if n < measured:
            vacancy_id = MEASURED_VACANCY
        elif popular and rng.random() < 0.3:
            vacancy_id = rng.choice(popular)
        else:
            vacancy_id = rng.choice(every_vacancy)
        applied = today - timedelta(days=rng.randint(0, 40))
        not_selected = rng.random() < NOT_SELECTED_SHARE
        manager_rows.append(
            (
                candidacy_id,
                f"Sökande {candidacy_id} {rng.choice(['Ek', 'Björk', 'Lind', 'Ström'])}",
                f"sokande{candidacy_id}@bench.example",
                "closed" if not_selected else "recruit",
                applied,
                now,
                now,
            )
        )
        candidacy_rows.append(
            (
                candidacy_id,
                vacancy_id,
                candidacy_id,
                rng.choice(["external", "imported", "imported", "talent_pool"]),
                "not_selected" if not_selected else rng.choice(STEPS),
                "other_candidate" if not_selected else None,
                applied,
                f"VARBI-{candidacy_id}",
                now,
                now,
            )
        )
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            _copy(
                cursor,
                "vacancies",
                [
                    "id",
                    "title",
                    "org_unit_id",
                    "hiring_manager_id",
                    "hr_partner_id",
                    "status",
                    "published_on",
                    "closes_on",
                    "planned_start_on",
                    "unit_text",
                    "role_text",
                    "created_by_id",
                    "created_at",
                    "updated_at",
                ],
                vacancy_rows,
            )
            _copy(
                cursor,
                "vacancy_expectations",
                ["vacancy_id", "expectation_id", "weight", "position"],
                weight_rows,
            )
            _copy(cursor, "vacancy_interviewers", ["vacancy_id", "user_id"], group_rows)
            _copy(
                cursor,
                "managers",
                ["id", "name", "email", "stage", "stage_entered_on", "created_at", "updated_at"],
                manager_rows,
            )
            _copy(
                cursor,
                "candidacies",
                [
                    "id",
                    "vacancy_id",
                    "manager_id",
                    "source",
                    "step",
                    "not_selected_reason",
                    "applied_on",
                    "import_reference",
                    "step_changed_at",
                    "created_at",
                ],
                candidacy_rows,
            )
            cursor.execute("SELECT setval('vacancies_id_seq', %s)", (vacancies.stop - 1,))
            cursor.execute("SELECT setval('managers_id_seq', %s)", (candidates.stop - 1,))
            cursor.execute("SELECT setval('candidacies_id_seq', %s)", (candidates.stop - 1,))
            cursor.execute("ANALYZE")
            raw.commit()
        finally:
            raw.close()


def populate_scorecards(app: Any, count: int) -> bool:
    """Add `count` scorecards for the candidates in interview; False while the model does not exist.

    For the lead to fill when the scorecards branch lands: a scorecard per interviewer and candidate
    at the interview step or later, scores on the vacancy's weighed expectations.
    """
    return False


def matrix_pages(app: Any) -> list[tuple[str, str, dict[str, str]]]:
    """The interview matrix's pages to measure (vacancy 1's matrix, its API); none on this branch."""
    return []


def main() -> None:
    from lifecycle import create_app

    url = database_url()
    recreate_database(url)
    os.environ["DATABASE_URL"] = url
    app = create_app("development", overrides={"SQLALCHEMY_DATABASE_URI": url})
    create_base(app)
    people = create_people(app)
    rng = random.Random(500)
    partner = people[0][0]
    pages = [
        ("vacancy list (HR)", "/vacancies", {}),
        ("vacancy list, unit and partner", f"/vacancies?unit=2&hr_partner={partner}", {}),
        ("vacancy list, open ones", "/vacancies?status=open", {}),
        ("one vacancy, candidates", f"/vacancies/{MEASURED_VACANCY}", {}),
        ("API vacancy list", "/api/v1/vacancies?limit=50", {"Accept": "application/json"}),
        ("API one vacancy", f"/api/v1/vacancies/{MEASURED_VACANCY}", {"Accept": "application/json"}),
        (
            "API candidates, a page",
            f"/api/v1/vacancies/{MEASURED_VACANCY}/candidacies?limit=200",
            {"Accept": "application/json"},
        ),
    ]
    done_vacancies = done_candidates = 0
    by_size = {}
    for vacancies, candidates in SIZES:
        started = time.perf_counter()
        populate(
            app,
            range(done_vacancies + 1, vacancies + 1),
            range(done_candidates + 1, candidates + 1),
            people,
            rng,
        )
        done_vacancies, done_candidates = vacancies, candidates
        scorecards = populate_scorecards(app, SCORECARDS_AT_FULL_SIZE * candidates // SIZES[-1][1])
        measured = pages + (matrix_pages(app) if scorecards else [])
        print(
            f"\n{vacancies:,} open vacancies, {candidates:,} candidates "
            f"(generated in {time.perf_counter() - started:.1f} s)"
        )
        results = measure(url, measured)
        by_size[vacancies] = results
        print_figures(results, [label for label, *_ in measured], width=34)
        if not scorecards:
            print("  interview matrix: not measured (no scorecard model on this branch)")
    labels = [label for label, *_ in pages]
    same = same_query_counts(by_size[SIZES[0][0]], by_size[SIZES[-1][0]], labels)
    print(f"\nquery counts the same at a tenth and at full size: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
