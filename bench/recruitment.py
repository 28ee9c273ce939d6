"""Benchmark: HR's vacancy list, one vacancy's candidates and the API lists, at a tenth and at full size.

Full size is 500 open vacancies and 20 000 candidates (issue #11), in a PostgreSQL database of its own;
the tenth is 50 and 2 000. Each vacancy weighs three expectations and has two interviewers; one vacancy
in a hundred draws most applicants, and the measured one (vacancy 1) gets a hundredth of all
candidates, so its page grows with the data (20 candidates, then 200). The requests are served in a
separate web process (as gunicorn would run it, `pipeline.measure`), which prints the median and p95
time of each page and its SQL query count. Targets: p95 under 100 ms, the same query count at both sizes.

The interview matrix (100 000 scorecards at full size) is measured for HR (the largest vacancy, all
of it, by name; the measured and a typical one) and for an interviewer of the group.

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

from pipeline import PASSWORD  # noqa: E402
from pipeline import _copy  # noqa: E402
from pipeline import create_base  # noqa: E402
from pipeline import database_url  # noqa: E402
from pipeline import measure  # noqa: E402
from pipeline import print_figures  # noqa: E402
from pipeline import recreate_database  # noqa: E402
from pipeline import same_query_counts  # noqa: E402

#: (vacancies, candidates): a tenth, then the issue's full size
SIZES = ((50, 2_000), (500, 20_000))
SCORECARDS_AT_FULL_SIZE = 100_000
HR_PARTNERS = 10
INTERVIEWERS = 20
#: the expectations a vacancy weighs; the measured and the popular ones weigh the most
WEIGHTS_PER_VACANCY = (3, 6)
MOST_WEIGHTS = 8
#: the recruitment group of each vacancy: every one of them interviews and scores most candidates
GROUP_SIZE = 8
#: of the scorecards, the share still drafts, and the share of submitted ones amended once
DRAFT_SHARE = 0.05
AMENDED_SHARE = 0.03
#: steps of the candidates in process, and the share not selected
STEPS = ["applied"] * 6 + ["screened"] * 3 + ["interview"] * 2 + ["reference_check", "offer"]
NOT_SELECTED_SHARE = 0.2
#: the vacancy every size measures; it gets this share of all candidates
MEASURED_VACANCY = 1
MEASURED_SHARE = 0.01
#: a vacancy of about the average size (20 000 candidates over 500 vacancies, the popular ones aside)
TYPICAL_VACANCY = 2


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
            create_user(
                f"intervjuare{n}@bench.example",
                f"Intervjuare {n}",
                PASSWORD if n == 0 else None,
                {Role.MANAGER},
            ).id
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
    every_vacancy = range(1, vacancies.stop)
    popular = [v for v in every_vacancy if v % 100 == 50]
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
        weighs = (
            MOST_WEIGHTS
            if vacancy_id == MEASURED_VACANCY or vacancy_id in popular
            else rng.randint(*WEIGHTS_PER_VACANCY)
        )
        for position, expectation_id in enumerate(rng.sample(expectations, weighs)):
            weight_rows.append((vacancy_id, expectation_id, rng.randint(1, 3), position))
        for user_id in rng.sample(interviewers, GROUP_SIZE):
            group_rows.append((vacancy_id, user_id))
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


def populate_scorecards(app: Any, count: int, rng: random.Random) -> bool:
    """Bring the scorecards up to `count`: interviews, panels, scores and amendments, through COPY.

    Each candidate past the application (screened or further, or not selected) without interviews is
    interviewed twice, the vacancy's group split between the two, and each of the group scores them;
    candidates who only applied follow when those are too few for `count`. A few scorecards are
    drafts, partly scored; a few submitted ones have an amendment of one score.
    """
    from sqlalchemy import text

    from lifecycle.extensions import db

    now = datetime.now(UTC)
    with app.app_context():
        done = db.session.scalar(text("SELECT count(*) FROM scorecards")) or 0
        ids = {
            table: db.session.scalar(text(f"SELECT coalesce(max(id), 0) FROM {table}")) or 0
            for table in ("interviews", "interview_panelists", "scorecards", "scorecard_amendments")
        }
        groups: dict[int, list[int]] = {}
        for vacancy_id, user_id in db.session.execute(
            text("SELECT vacancy_id, user_id FROM vacancy_interviewers ORDER BY vacancy_id, user_id")
        ):
            groups.setdefault(vacancy_id, []).append(user_id)
        weights: dict[int, list[int]] = {}
        for vacancy_id, expectation_id in db.session.execute(
            text("SELECT vacancy_id, expectation_id FROM vacancy_expectations ORDER BY vacancy_id, position")
        ):
            weights.setdefault(vacancy_id, []).append(expectation_id)
        eligible = list(
            db.session.execute(
                text(
                    "SELECT c.id, c.vacancy_id, c.applied_on FROM candidacies c "
                    "WHERE NOT EXISTS (SELECT 1 FROM interviews i WHERE i.candidacy_id = c.id) "
                    "ORDER BY c.step = 'applied', c.id"
                )
            )
        )
    interview_rows, panel_rows, scorecard_rows, score_rows, amendment_rows = [], [], [], [], []
    remaining = count - done
    for candidacy_id, vacancy_id, applied_on in eligible:
        if remaining <= 0:
            break
        group = rng.sample(groups[vacancy_id], len(groups[vacancy_id]))
        panel = group[: min(len(group), remaining)]
        remaining -= len(panel)
        first = datetime(applied_on.year, applied_on.month, applied_on.day, 8, tzinfo=UTC) + timedelta(
            days=10
        )
        halves = (panel[: (len(panel) + 1) // 2], panel[(len(panel) + 1) // 2 :])
        for round_, members in enumerate(halves):
            if not members:
                continue
            ids["interviews"] += 1
            interview_rows.append(
                (ids["interviews"], candidacy_id, first + timedelta(days=7 * round_), 60, "Rum 2", now)
            )
            for user_id in members:
                ids["interview_panelists"] += 1
                panel_rows.append((ids["interview_panelists"], ids["interviews"], user_id))
        for user_id in panel:
            ids["scorecards"] += 1
            draft = rng.random() < DRAFT_SHARE
            scorecard_rows.append(
                (ids["scorecards"], candidacy_id, user_id, None if draft else now, now, now)
            )
            for expectation_id in weights[vacancy_id]:
                scored = not draft or rng.random() < 0.5
                score = rng.randint(1, 5) if scored else None
                score_rows.append((ids["scorecards"], expectation_id, score, "Berättade om ett exempel."))
            if not draft and rng.random() < AMENDED_SHARE:
                ids["scorecard_amendments"] += 1
                amendment_rows.append(
                    (
                        ids["scorecard_amendments"],
                        ids["scorecards"],
                        rng.choice(weights[vacancy_id]),
                        rng.randint(1, 5),
                        "",
                        "Referenserna visade mer.",
                        user_id,
                        now,
                    )
                )
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            _copy(
                cursor,
                "interviews",
                ["id", "candidacy_id", "starts_at", "duration_minutes", "location", "created_at"],
                interview_rows,
            )
            _copy(cursor, "interview_panelists", ["id", "interview_id", "user_id"], panel_rows)
            _copy(
                cursor,
                "scorecards",
                ["id", "candidacy_id", "author_id", "submitted_at", "created_at", "updated_at"],
                scorecard_rows,
            )
            _copy(
                cursor,
                "scorecard_scores",
                ["scorecard_id", "expectation_id", "score", "evidence"],
                score_rows,
            )
            _copy(
                cursor,
                "scorecard_amendments",
                [
                    "id",
                    "scorecard_id",
                    "expectation_id",
                    "score",
                    "evidence",
                    "reason",
                    "author_id",
                    "created_at",
                ],
                amendment_rows,
            )
            for table, last in ids.items():
                cursor.execute(f"SELECT setval('{table}_id_seq', %s)", (max(last, 1),))
            raw.commit()
        finally:
            raw.close()
        refresh_facts(app)
    return True


def refresh_facts(app: Any) -> None:
    """Keep each candidacy's matrix facts (total, submitted count) as the services would have."""
    from sqlalchemy import select
    from sqlalchemy import text

    from lifecycle.extensions import db
    from lifecycle.models import Candidacy
    from lifecycle.models import Vacancy
    from lifecycle.services.recruitment.matrix import refresh_matrix_facts

    with app.app_context():
        for vacancy in db.session.scalars(select(Vacancy).order_by(Vacancy.id)):
            refresh_matrix_facts(vacancy, select(Candidacy.id).where(Candidacy.vacancy_id == vacancy.id))
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def scorecard_figures(app: Any) -> tuple[int, int, int]:
    """The scorecards, their scores and amendments in the database."""
    from sqlalchemy import text

    from lifecycle.extensions import db

    with app.app_context():
        return tuple(  # type: ignore[return-value]
            db.session.scalar(text(f"SELECT count(*) FROM {table}")) or 0
            for table in ("scorecards", "scorecard_scores", "scorecard_amendments")
        )


def busiest_unit_and_partner(app: Any) -> str:
    """The list's filter by the unit and HR partner with the most open vacancies, as a query string."""
    from sqlalchemy import text

    from lifecycle.extensions import db

    with app.app_context():
        unit, partner = db.session.execute(
            text(
                "SELECT org_unit_id, hr_partner_id FROM vacancies WHERE status = 'open' "
                "AND hr_partner_id IS NOT NULL GROUP BY 1, 2 ORDER BY count(*) DESC, 1, 2 LIMIT 1"
            )
        ).one()
        return f"unit={unit}&hr_partner={partner}"


def largest_vacancy(app: Any) -> tuple[int, int]:
    """The vacancy with the most candidates, and how many."""
    from sqlalchemy import text

    from lifecycle.extensions import db

    with app.app_context():
        row = db.session.execute(
            text(
                "SELECT vacancy_id, count(*) FROM candidacies GROUP BY vacancy_id ORDER BY 2 DESC, 1 LIMIT 1"
            )
        ).one()
        return row[0], row[1]


#: the interviewer the matrix is measured as (in the measured vacancy's group; has submitted there)
INTERVIEWER_EMAIL = "intervjuare0@bench.example"


def matrix_pages(
    app: Any, largest: int
) -> tuple[list[tuple[str, str, dict[str, str]]], list[tuple[str, str, dict[str, str]]]]:
    """The matrix pages to measure: HR's, then the interviewer's (`INTERVIEWER_EMAIL`), of their vacancy."""
    from sqlalchemy import text

    from lifecycle.extensions import db

    with app.app_context():
        theirs = db.session.scalar(
            text(
                "SELECT c.vacancy_id FROM scorecards s JOIN users u ON u.id = s.author_id "
                "JOIN candidacies c ON c.id = s.candidacy_id WHERE u.email = :email "
                "AND s.submitted_at IS NOT NULL GROUP BY c.vacancy_id ORDER BY count(*) DESC, 1 LIMIT 1"
            ),
            {"email": INTERVIEWER_EMAIL},
        )
    hr = [
        ("matrix, largest vacancy", f"/vacancies/{largest}/matrix", {}),
        ("matrix, largest, all candidates", f"/vacancies/{largest}/matrix?show=all", {}),
        ("matrix, largest, by name", f"/vacancies/{largest}/matrix?sort=name", {}),
        ("matrix, measured vacancy", f"/vacancies/{MEASURED_VACANCY}/matrix", {}),
        ("matrix, a typical vacancy", f"/vacancies/{TYPICAL_VACANCY}/matrix", {}),
    ]
    interviewer = [("matrix as an interviewer", f"/vacancies/{theirs}/matrix", {})]
    return hr, interviewer


def main() -> None:
    from lifecycle import create_app

    url = database_url("chefsresan_bench_recruitment")
    recreate_database(url)
    os.environ["DATABASE_URL"] = url
    app = create_app("development", overrides={"SQLALCHEMY_DATABASE_URI": url})
    create_base(app)
    people = create_people(app)
    rng = random.Random(500)
    done_vacancies = done_candidates = 0
    by_size = {}
    labels: list[str] = []
    unit_filter = ""
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
        populate_scorecards(app, SCORECARDS_AT_FULL_SIZE * candidates // SIZES[-1][1], rng)
        largest, largest_count = largest_vacancy(app)
        # Chosen at the tenth, kept at full size: a filter that finds vacancies at both sizes.
        unit_filter = unit_filter or busiest_unit_and_partner(app)
        pages = [
            ("vacancy list (HR)", "/vacancies", {}),
            ("vacancy list, unit and partner", f"/vacancies?{unit_filter}", {}),
            ("vacancy list, open ones", "/vacancies?status=open", {}),
            ("one vacancy, candidates", f"/vacancies/{MEASURED_VACANCY}", {}),
            ("largest vacancy, candidates", f"/vacancies/{largest}", {}),
            ("largest vacancy, next applied", f"/vacancies/{largest}?step=applied&page=2", {}),
            ("API vacancy list", "/api/v1/vacancies?limit=50", {"Accept": "application/json"}),
            ("API one vacancy", f"/api/v1/vacancies/{MEASURED_VACANCY}", {"Accept": "application/json"}),
            (
                "API candidates, a page",
                f"/api/v1/vacancies/{MEASURED_VACANCY}/candidacies?limit=200",
                {"Accept": "application/json"},
            ),
        ]
        hr_matrix, interviewer_matrix = matrix_pages(app, largest)
        scorecards, scores, amendments = scorecard_figures(app)
        print(
            f"\n{vacancies:,} open vacancies, {candidates:,} candidates, {scorecards:,} scorecards "
            f"({scores:,} scores, {amendments:,} amendments; "
            f"generated in {time.perf_counter() - started:.1f} s)"
        )
        print(f"  largest vacancy {largest}: {largest_count:,} candidates")
        results = measure(url, pages + hr_matrix)
        results.update(measure(url, interviewer_matrix, INTERVIEWER_EMAIL))
        by_size[vacancies] = results
        labels = [label for label, *_ in pages + hr_matrix + interviewer_matrix]
        print_figures(results, labels, width=34)
    same = same_query_counts(by_size[SIZES[0][0]], by_size[SIZES[-1][0]], labels)
    print(f"\nquery counts the same at a tenth and at full size: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
