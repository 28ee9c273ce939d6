"""Importing activities from CSV: every row builds a pillar, nothing is written while a row has an error,
the same file again changes nothing, and coverage follows what is imported."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import func
from sqlalchemy import select

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import ActivityKind
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import Manager
from lifecycle.models import ManagerImport
from lifecycle.models import PillarCoverage
from lifecycle.services.activities import cancel_activity
from lifecycle.services.activity_imports import ActivityImportPlan
from lifecycle.services.activity_imports import apply_activity_import
from lifecycle.services.activity_imports import plan_activity_import
from lifecycle.services.activity_imports import read_activity_file
from lifecycle.services.coverage import manager_coverage
from lifecycle.services.imports import ImportFileError
from lifecycle.services.imports import ImportHasErrorsError
from lifecycle.services.platform import get_platform
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import parse_platform
from lifecycle.timeutil import local_today
from tests.conftest import csrf_token_from
from tests.conftest import post_form
from tests.factories import make_manager
from tests.factories import make_user
from tests.factories import orebro_platform_only

# Dates here are computed from today: every test runs at the suite's fixed moment (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("clock")

HEADER = "employee_numbers;kind;title;pillars;expectations;due_on;completed_on;description;reference"
SWEDISH_HEADER = "Anställningsnummer;Typ;Rubrik;Pelare;Förväntningar;Planerat;Genomfört;Beskrivning;Referens"


@pytest.fixture
def platform(app_ctx: Flask) -> None:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))


@pytest.fixture
def english(app_ctx: Flask, platform: None) -> Iterator[Flask]:
    """Messages in English: the Swedish catalogue gets these strings when translations are merged."""
    with force_locale("en_GB"):
        yield app_ctx


@pytest.fixture
def hr_client(app: Flask, login: Any, platform: None, import_worker: list[int]) -> FlaskClient:
    browser = app.test_client()
    login(make_user(Role.HR).email, test_client=browser)
    browser.get("/?lang=en")
    return browser


def done_on(days_ago: int = 10) -> str:
    return (local_today() - timedelta(days=days_ago)).isoformat()


def csv_bytes(*rows: str, header: str = HEADER, bom: bool = False, delimiter: str = ";") -> bytes:
    lines = [header, *rows]
    if delimiter != ";":
        lines = [line.replace(";", delimiter) for line in lines]
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def number(manager: Manager) -> str:
    assert manager.employee_number
    return manager.employee_number


def plan_of(content: bytes) -> ActivityImportPlan:
    return plan_activity_import(read_activity_file(content), local_today())


def import_now(content: bytes) -> ActivityImportPlan:
    plan = plan_of(content)
    assert not plan.has_errors, [(row.line, row.errors) for row in plan.rows if row.errors]
    apply_activity_import(plan, actor=None)
    return plan


def outcomes(plan: ActivityImportPlan) -> dict[str, str]:
    return {row.reference: row.outcome.value for row in plan.rows}


def errors_of(plan: ActivityImportPlan) -> dict[int, list[str]]:
    return {row.line: row.errors for row in plan.rows if row.errors}


def activity_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Activity)) or 0


def imported(reference: str) -> Activity:
    activity = db.session.scalar(select(Activity).where(Activity.import_reference == reference))
    assert activity is not None, reference
    return activity


def pillar_counts(manager: Manager) -> dict[str, int]:
    platform = get_platform()
    assert platform is not None
    return {c.pillar.key: c.count for c in manager_coverage(manager, platform.pillars, local_today())}


def upload(client: FlaskClient, content: bytes, filename: str = "kurser.csv") -> Any:
    return post_form(
        client,
        "/activities/import",
        {"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def confirm(client: FlaskClient, report_url: str) -> Any:
    token = csrf_token_from(client.get(report_url).get_data(as_text=True))
    return client.post(f"{report_url}/confirm", data={"csrf_token": token}, follow_redirects=True)


@pytest.fixture
def people(app_ctx: Flask) -> tuple[Manager, Manager, Manager]:
    return make_manager("Anna Andersson"), make_manager("Bo Berg"), make_manager("Cia Carlsson")


def good_rows(anna: Manager, bo: Manager, cia: Manager) -> list[str]:
    return [
        f"{number(anna)};course;Ledarskap i förändring;secure, leader;leader.feedback;;"
        f"{done_on()};Dag 1;KURS-1",
        # A group activity: one activity, three participants.
        f"{number(anna)}, {number(bo)} {number(cia)};workshop;Ledningsgruppens workshop;developer;;;"
        f"{done_on(20)};;WS-7",
        f"{number(bo)};mentoring;Mentorsträff;;leader.trust;{done_on(-30)};;;MENT-3",
    ]


# -- the checks of the issue -------------------------------------------------------------------------


def test_a_row_without_a_pillar_imports_nothing_and_names_the_row(
    app_ctx: Flask, hr_client: FlaskClient, people: tuple[Manager, Manager, Manager]
) -> None:
    anna = people[0]
    no_pillar = f"{number(anna)};interview;Samtal utan pelare;;;;{done_on()};;INT-9"
    response = upload(hr_client, csv_bytes(*good_rows(*people), no_pillar))
    assert response.status_code == 302
    page = hr_client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"<td>5</td>\s*<td>INT-9</td>", page), "the report names the row's line and reference"
    assert "Choose at least one pillar the activity builds." in page
    assert "/confirm" not in page, "no confirm button while the file has errors"
    assert activity_count() == 0, "the dry run wrote nothing"
    record = db.session.scalars(select(ManagerImport)).one()
    assert record.summary["type"] == "activities"
    assert record.summary["error"] == 1 and record.summary["created"] == 3
    assert record.committed_at is None
    # Even applied directly, a plan with an error is refused.
    with pytest.raises(ImportHasErrorsError):
        apply_activity_import(plan_of(csv_bytes(*good_rows(*people), no_pillar)), actor=None)
    assert activity_count() == 0


def test_the_fixed_file_imports_with_participants_tags_and_coverage(
    app_ctx: Flask, hr_client: FlaskClient, people: tuple[Manager, Manager, Manager]
) -> None:
    anna, bo, cia = people
    fixed = f"{number(anna)};interview;Samtal med pelare;leader;;;{done_on()};;INT-9"
    report_url = upload(hr_client, csv_bytes(*good_rows(*people), fixed)).headers["Location"]
    assert "/confirm" in hr_client.get(report_url).get_data(as_text=True)
    assert activity_count() == 0, "nothing is written before confirming"

    page = confirm(hr_client, report_url).get_data(as_text=True)
    assert "Imported: 4 new, 0 changed, 0 unchanged." in page
    assert activity_count() == 4

    course = imported("KURS-1")
    assert course.kind is ActivityKind.COURSE
    assert [m.id for m in course.participants] == [anna.id]
    assert [p.key for p in course.pillars] == ["secure", "leader"]
    assert [e.key for e in course.expectations] == ["leader.feedback"]
    assert course.description == "Dag 1"
    mentoring = imported("MENT-3")
    assert [p.key for p in mentoring.pillars] == ["leader"], "the expectation brings its pillar"
    assert mentoring.completed_on is None and mentoring.due_on == local_today() + timedelta(days=30)

    assert pillar_counts(anna) == {"secure": 1, "developer": 1, "leader": 2}
    assert pillar_counts(bo) == {"secure": 0, "developer": 1, "leader": 0}, "planned is not covered"
    assert pillar_counts(cia) == {"secure": 0, "developer": 1, "leader": 0}
    assert db.session.scalar(select(func.count()).select_from(PillarCoverage)) == 5
    record = db.session.scalars(select(ManagerImport)).one()
    assert record.committed_at is not None and record.summary["type"] == "activities"


def test_the_same_file_again_is_all_unchanged_and_adds_nothing(
    app_ctx: Flask, hr_client: FlaskClient, people: tuple[Manager, Manager, Manager]
) -> None:
    content = csv_bytes(*good_rows(*people))
    confirm(hr_client, upload(hr_client, content).headers["Location"])
    assert activity_count() == 3

    response = upload(hr_client, content)
    page = hr_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Every row is unchanged; there is nothing to import." in page
    assert "/confirm" not in page
    plan = plan_of(content)
    assert set(outcomes(plan).values()) == {"unchanged"}
    apply_activity_import(plan, actor=None)
    assert activity_count() == 3


def test_a_group_row_makes_one_activity_with_several_participants(
    english: Flask, people: tuple[Manager, Manager, Manager]
) -> None:
    anna, bo, cia = people
    import_now(
        csv_bytes(
            f'"{number(anna)},{number(bo)}, {number(cia)} {number(anna)}";workshop;Grupp;leader;;;;;G-1'
        )
    )
    group = imported("G-1")
    assert sorted(m.id for m in group.participants) == sorted([anna.id, bo.id, cia.id])
    assert group.stage is None, "a group activity spans stages"
    assert activity_count() == 1


def test_swedish_headers_bom_semicolons_and_swedish_names_import(
    english: Flask, people: tuple[Manager, Manager, Manager]
) -> None:
    anna, bo, _cia = people
    content = csv_bytes(
        f"{number(anna)};Kurs eller program;Chefsprogrammet;Säker chef, Klar ledare;;;{done_on()};;K-1",
        f"{number(bo)};Mentorsträff;Mentorskap;initiativrik utvecklare;;;;;M-1",
        header=SWEDISH_HEADER,
        bom=True,
    )
    plan = import_now(content)
    assert outcomes(plan) == {"K-1": "created", "M-1": "created"}
    assert imported("K-1").kind is ActivityKind.COURSE
    assert [p.key for p in imported("K-1").pillars] == ["secure", "leader"]
    assert imported("M-1").kind is ActivityKind.MENTORING
    assert [p.key for p in imported("M-1").pillars] == ["developer"]
    assert pillar_counts(anna) == {"secure": 1, "developer": 0, "leader": 1}


def test_a_comma_separated_file_with_only_the_required_columns_imports(
    english: Flask, people: tuple[Manager, Manager, Manager]
) -> None:
    anna, bo, _cia = people
    content = (
        "reference,title,kind,pillars,employee_numbers\r\n"
        f'R-1,Workshop,workshop,"secure,leader","{number(anna)},{number(bo)}"\r\n'
    ).encode()
    import_now(content)
    activity = imported("R-1")
    assert len(activity.participants) == 2 and [p.key for p in activity.pillars] == ["secure", "leader"]


def test_a_file_missing_a_required_column_is_refused(english: Flask) -> None:
    with pytest.raises(ImportFileError, match="Missing: pillars, reference"):
        read_activity_file(b"employee_numbers;kind;title\r\nE1;course;Kurs\r\n")


# -- rows with errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ("{n};dance;Titel;leader;;;;;X", "Unknown kind “dance”"),
        ("{n};course;Titel;leadr;;;;;X", "Unknown pillar: leadr."),
        ("{n};course;Titel;leader;leader.nope;;;;X", "Unknown expectation: leader.nope."),
        ("NOPE1 {n};course;Titel;leader;;;;;X", "No one has the employee number NOPE1."),
        ("{n};course;Titel;leader;;2025-31-01;;;X", "Planned date “2025-31-01” is not a date"),
        ("{n};course;Titel;leader;;;{future};;X", "a day in the future"),
        ("{n};course;Titel;leader;;;;;", "The reference is missing"),
        ("{n};course;;leader;;;;;X", "Give the activity a title."),
        (";course;Titel;leader;;;;;X", "No participant"),
        ("{n};course;Titel;;;;;;X", "Fill in the pillars column with developer, leader, secure"),
    ],
)
def test_a_bad_row_is_an_error_with_the_reason(
    english: Flask, people: tuple[Manager, Manager, Manager], cells: str, message: str
) -> None:
    future = (local_today() + timedelta(days=1)).isoformat()
    row = cells.format(n=number(people[0]), future=future)
    plan = plan_of(csv_bytes(row))
    assert plan.has_errors
    assert any(message in error for error in errors_of(plan)[2]), errors_of(plan)


def test_every_problem_of_a_row_is_reported_at_once(english: Flask) -> None:
    plan = plan_of(csv_bytes("NOPE1;dance;Titel;leader;;2025-31-01;;;X"))
    errors = " ".join(errors_of(plan)[2])
    for message in ("Unknown kind", "is not a date", "No one has the employee number NOPE1."):
        assert message in errors


def test_a_duplicate_reference_is_an_error_on_the_later_line(
    english: Flask, people: tuple[Manager, Manager, Manager]
) -> None:
    n = number(people[0])
    plan = plan_of(csv_bytes(f"{n};course;A;leader;;;;;SAME", f"{n};course;B;leader;;;;;SAME"))
    assert errors_of(plan) == {3: ["The reference SAME is also on line 2."]}


def test_a_retired_expectation_is_an_error_for_a_new_row_but_kept_on_an_old_one(
    english: Flask, people: tuple[Manager, Manager, Manager]
) -> None:
    n = number(people[0])
    old_row = f"{n};course;Återkoppling;;leader.feedback;;{done_on()};;OLD-1"
    import_now(csv_bytes(old_row))
    original = orebro_platform_only()
    load_platform(
        parse_platform(
            original.replace(
                "      - key: leader.feedback\n        text:\n          sv: ge och få feedback\n"
                "          en: give and receive feedback\n",
                "",
            )
        )
    )
    plan = plan_of(csv_bytes(old_row, f"{n};course;Ny;;leader.feedback;;;;NEW-1"))
    assert outcomes(plan) == {"OLD-1": "unchanged", "NEW-1": "error"}
    assert errors_of(plan) == {3: ["A retired expectation cannot be chosen for something new."]}


# -- a changed row updates its activity ------------------------------------------------------------------


def test_a_changed_row_updates_its_activity_and_coverage(
    english: Flask, people: tuple[Manager, Manager, Manager]
) -> None:
    anna, bo, _cia = people
    import_now(csv_bytes(f"{number(anna)} {number(bo)};course;Kurs;developer;;{done_on(-5)};;;C-1"))
    assert pillar_counts(anna)["developer"] == 0
    before = activity_count()

    plan = import_now(csv_bytes(f"{number(anna)};course;Kursen;developer;;{done_on(-5)};{done_on(1)};;C-1"))
    assert outcomes(plan) == {"C-1": "updated"}
    messages = plan.rows[0].messages()
    assert "Activity title: Kurs → Kursen" in messages
    assert f"Completed on: – → {done_on(1)}" in messages
    assert f"Participants: {', '.join(sorted([number(anna), number(bo)]))} → {number(anna)}" in messages
    assert activity_count() == before
    course = imported("C-1")
    assert course.title == "Kursen" and course.completed_on == local_today() - timedelta(days=1)
    assert [m.id for m in course.participants] == [anna.id]
    assert pillar_counts(anna)["developer"] == 1
    assert pillar_counts(bo)["developer"] == 0


def test_leaving_out_a_date_column_keeps_the_date(english: Flask, people: tuple[Manager, ...]) -> None:
    n = number(people[0])
    import_now(csv_bytes(f"{n};course;Kurs;leader;;;{done_on()};;D-1"))
    plan = import_now(
        csv_bytes(f"{n};course;Kurs;leader;D-1", header="anställningsnummer;typ;rubrik;pelare;referens")
    )
    assert outcomes(plan) == {"D-1": "unchanged"}
    assert imported("D-1").completed_on == local_today() - timedelta(days=10)


def test_a_cancelled_imported_activity_is_not_changed_by_an_import(
    english: Flask, people: tuple[Manager, Manager, Manager]
) -> None:
    n = number(people[0])
    row = f"{n};course;Kurs;leader;;;;;X-1"
    import_now(csv_bytes(row))
    cancel_activity(imported("X-1"))
    assert outcomes(plan_of(csv_bytes(row))) == {"X-1": "unchanged"}
    plan = plan_of(csv_bytes(f"{n};course;Kurs;leader;;;{done_on()};;X-1"))
    assert "was cancelled in Chefsresan" in errors_of(plan)[2][0]


def test_the_dry_run_runs_a_fixed_number_of_queries(english: Flask, count_queries: Any) -> None:
    managers = [make_manager() for _ in range(6)]
    counts = []
    for size in (5, 60):
        rows = [
            f"{number(managers[n % 6])} {number(managers[(n + 1) % 6])};course;Kurs {n};leader;"
            f"leader.trust;;;;Q-{size}-{n}"
            for n in range(size)
        ]
        import_file = read_activity_file(csv_bytes(*rows))
        with count_queries() as counter:
            plan_activity_import(import_file, local_today())
        counts.append(counter.count)
        import_now(csv_bytes(*rows))
    assert counts[0] == counts[1], counts


# -- access ------------------------------------------------------------------------------------------------


def test_only_hr_and_admins_reach_the_activity_import(
    app: Flask, app_ctx: Flask, login: Any, platform: None
) -> None:
    record = ManagerImport(filename="x.csv", content=b"", digest="0" * 64, summary={"type": "activities"})
    managers_file = ManagerImport(filename="y.csv", content=b"", digest="0" * 64, summary={})
    db.session.add_all([record, managers_file])
    db.session.flush()
    manager = make_manager("Anna", with_account=True)
    browser = app.test_client()
    login(manager.user.email, test_client=browser)  # type: ignore[union-attr]
    token = csrf_token_from(browser.get("/account/").get_data(as_text=True))
    for url in ("/activities/import", f"/activities/import/{record.id}"):
        assert browser.get(url).status_code == 404, url
    assert browser.post("/activities/import", data={"csrf_token": token}).status_code == 404
    confirm_url = f"/activities/import/{record.id}/confirm"
    assert browser.post(confirm_url, data={"csrf_token": token}).status_code == 404

    admin = app.test_client()
    login(make_user(Role.ADMIN).email, test_client=admin)
    upload_page = admin.get("/activities/import").get_data(as_text=True)
    assert f"/activities/import/{record.id}" in upload_page and "y.csv" not in upload_page
    assert admin.get(f"/activities/import/{record.id}").status_code == 200
    # Each kind of file is shown only by its own pages.
    assert admin.get(f"/activities/import/{managers_file.id}").status_code == 404
    assert admin.get(f"/managers/import/{record.id}").status_code == 404
    assert "x.csv" not in admin.get("/managers/import").get_data(as_text=True)


def test_the_upload_page_documents_the_columns(hr_client: FlaskClient) -> None:
    page = hr_client.get("/activities/import").get_data(as_text=True)
    assert "<caption>" in page and 'scope="col"' in page
    for column in ("employee_numbers", "anställningsnummer", "pelare", "förväntningar", "referens"):
        assert column in page
    assert 'enctype="multipart/form-data"' in page


# -- the command line -------------------------------------------------------------------------------


def test_cli_dry_run_then_commit(
    app: Flask, app_ctx: Flask, platform: None, people: tuple[Manager, Manager, Manager], tmp_path: Path
) -> None:
    anna = people[0]
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(*good_rows(*people), f"{number(anna)};interview;Utan;;;;;;INT-9"))
    result = runner.invoke(args=["import-activities", str(bad), "--commit"])
    assert result.exit_code == 1
    assert "line 5 INT-9 Utan: error" in result.output
    assert "Choose at least one pillar" in result.output
    assert "nothing was written" in result.output
    assert activity_count() == 0

    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(*good_rows(*people)))
    result = runner.invoke(args=["import-activities", str(good)])
    assert result.exit_code == 0, result.output
    assert "3 rows: 3 created, 0 updated, 0 unchanged, 0 with errors" in result.output
    assert "Dry run: nothing was written" in result.output
    assert activity_count() == 0

    result = runner.invoke(args=["import-activities", str(good), "--commit"])
    assert result.exit_code == 0, result.output
    assert "imported" in result.output
    assert activity_count() == 3
    record = db.session.scalars(select(ManagerImport)).one()
    assert record.committed_at is not None and record.summary["type"] == "activities"
    assert pillar_counts(anna) == {"secure": 1, "developer": 1, "leader": 1}

    result = runner.invoke(args=["import-activities", str(good)])
    assert result.exit_code == 0
    assert "3 rows: 0 created, 0 updated, 3 unchanged, 0 with errors" in result.output


# -- the report in the reader's language --------------------------------------------------------------


def hr_browser(app: Flask, login: Any, language: str) -> FlaskClient:
    browser = app.test_client()
    login(make_user(Role.HR).email, test_client=browser)
    browser.get(f"/?lang={language}")
    return browser


def report_messages(language: str) -> list[str]:
    if language == "en":
        return [
            f"Course or programme, completed on {done_on()}, with 1 participant(s); "
            "builds Clear leader, Secure manager.",
            "Unknown pillar: leadr.",
            "Planned date “2025-31-01” is not a date; write it as YYYY-MM-DD (for example 2025-08-31).",
        ]
    return [
        f"Kurs eller program, genomförd {done_on()}, med 1 deltagare; bygger Klar ledare, Säker chef.",
        "Okänd pelare: leadr.",
        "Planerat datum ”2025-31-01” är inte ett datum; skriv det som ÅÅÅÅ-MM-DD (till exempel 2025-08-31).",
    ]


@pytest.mark.parametrize(("uploader", "reader"), [("sv", "en"), ("en", "sv")])
def test_the_report_shows_its_messages_in_the_readers_language(
    app: Flask,
    login: Any,
    platform: None,
    people: tuple[Manager, Manager, Manager],
    uploader: str,
    reader: str,
) -> None:
    anna = people[0]
    content = csv_bytes(
        f"{number(anna)};course;Kurs;secure, leader;;;{done_on()};;OK-1",
        f"{number(anna)};course;Kurs;leadr;;;;;BAD-1",
        f"{number(anna)};course;Kurs;leader;;2025-31-01;;;BAD-2",
    )
    report_url = upload(hr_browser(app, login, uploader), content).headers["Location"]
    for language, other in ((reader, uploader), (uploader, reader)):
        page = html.unescape(hr_browser(app, login, language).get(report_url).get_data(as_text=True))
        for message in report_messages(language):
            assert message in page, (language, message)
        for message in report_messages(other):
            assert message not in page, (language, message)


def test_a_report_kept_before_messages_were_stored_neutrally_still_shows(
    app_ctx: Flask, hr_client: FlaskClient
) -> None:
    row = {"line": 2, "reference": "X", "title": "Kurs", "participants": "A1", "outcome": "error"}
    summary = {"created": 0, "updated": 0, "unchanged": 0, "error": 1, "total": 1, "ignored_columns": []}
    record = ManagerImport(
        filename="gammal.csv",
        content=b"",
        digest="0" * 64,
        summary={
            "type": "activities",
            **summary,
            "rows": [{**row, "messages": ["Okänd pelare: leadr."]}],
            "rows_not_listed": 0,
        },
    )
    db.session.add(record)
    db.session.commit()
    response = hr_client.get(f"/activities/import/{record.id}")
    assert response.status_code == 200
    assert "<li>Okänd pelare: leadr.</li>" in response.get_data(as_text=True)
