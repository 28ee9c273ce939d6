"""Importing managers from CSV: a dry run first, nothing written while a row has an error, then confirm."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import func
from sqlalchemy import select

from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import ManagerChange
from lifecycle.models import ManagerImport
from lifecycle.models import OrgUnit
from lifecycle.models import StageTransition
from lifecycle.services.imports import ImportFileError
from lifecycle.services.imports import ImportHasErrorsError
from lifecycle.services.imports import ImportPlan
from lifecycle.services.imports import Outcome
from lifecycle.services.imports import apply_import
from lifecycle.services.imports import plan_import
from lifecycle.services.imports import read_import_file
from lifecycle.services.organisation import unit_path_names
from lifecycle.timeutil import local_today
from tests.conftest import csrf_token_from
from tests.conftest import post_form
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user

# Dates here are computed from today: every test runs at the suite's fixed moment (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("clock")

HEADER = "employee_number;name;email;title;unit_path;line_manager_employee_number;start_date;stage"
SWEDISH_HEADER = "Anställningsnummer;Namn;E-post;Befattning;Enhet;Chefens anställningsnummer;Startdatum;Steg"
VOO = "Demo kommun / Vård- och omsorgsförvaltningen"
GOOD_ROWS = [
    f"A100;Anna Andersson;anna@kommun.example;Förvaltningschef;{VOO};;2020-01-01;develop",
    # The line manager A103 is defined further down in the file.
    f"A102;Cecilia Ceder;;Enhetschef;{VOO} / Äldreomsorgen / Hemtjänst öst;A103;2025-02-01;introduce",
    f"A103;David Dahl;david@kommun.example;Avdelningschef;{VOO} / Äldreomsorgen;A100;2019-05-01;develop",
    "A104;Eva Ek;eva@kommun.example;;;A100;;recruit",
]
BAD_ROW = f"A101;Bo Berg;bo@kommun.example;Enhetschef;{VOO};A100;2024-31-01;develop"
FIXED_ROW = f"A101;Bo Berg;bo@kommun.example;Enhetschef;{VOO};A100;2024-01-31;develop"


def csv_bytes(*rows: str, header: str = HEADER, bom: bool = False, delimiter: str = ";") -> bytes:
    lines = [header, *rows]
    if delimiter != ";":
        lines = [line.replace(";", delimiter) for line in lines]
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def plan_of(content: bytes) -> ImportPlan:
    return plan_import(read_import_file(content), local_today())


def import_now(content: bytes) -> ImportPlan:
    plan = plan_of(content)
    assert not plan.has_errors, [(row.line, row.errors) for row in plan.rows if row.errors]
    apply_import(plan, actor=None, today=local_today())
    return plan


def outcomes(plan: ImportPlan) -> dict[str, str]:
    return {row.employee_number: row.outcome.value for row in plan.rows}


def errors_of(plan: ImportPlan) -> dict[int, list[str]]:
    return {row.line: row.errors for row in plan.rows if row.errors}


def table_counts() -> tuple[int, int, int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Manager)) or 0,
        db.session.scalar(select(func.count()).select_from(StageTransition)) or 0,
        db.session.scalar(select(func.count()).select_from(ManagerChange)) or 0,
        db.session.scalar(select(func.count()).select_from(OrgUnit)) or 0,
    )


def by_number(number: str) -> Manager:
    manager = db.session.scalar(select(Manager).where(Manager.employee_number == number))
    assert manager is not None, number
    return manager


def upload(client: FlaskClient, content: bytes, filename: str = "chefer.csv") -> Any:
    return post_form(
        client,
        "/managers/import",
        {"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def confirm(client: FlaskClient, report_url: str) -> Any:
    token = csrf_token_from(client.get(report_url).get_data(as_text=True))
    return client.post(f"{report_url}/confirm", data={"csrf_token": token}, follow_redirects=True)


@pytest.fixture
def english(app_ctx: Flask) -> Iterator[Flask]:
    """Messages in English: the Swedish catalogue gets these strings when translations are merged."""
    with force_locale("en_GB"):
        yield app_ctx


@pytest.fixture
def hr_client(app: Flask, login: Any, import_worker: list[int]) -> FlaskClient:
    browser = app.test_client()
    login(make_user(Role.HR).email, test_client=browser)
    browser.get("/?lang=en")
    return browser


# -- the four checks of the issue --------------------------------------------------------------------


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row(
    app_ctx: Flask, hr_client: FlaskClient
) -> None:
    before = table_counts()
    response = upload(hr_client, csv_bytes(*GOOD_ROWS, BAD_ROW))
    assert response.status_code == 302
    page = hr_client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"<td>6</td>\s*<td>A101</td>", page), "the report names the bad row's line"
    assert "2024-31-01" in page and "YYYY-MM-DD" in page
    assert "/confirm" not in page, "no confirm button while the file has errors"
    assert table_counts() == before, "the dry run wrote nothing"
    record = db.session.scalars(select(ManagerImport)).one()
    assert record.summary["error"] == 1 and record.summary["created"] == 4
    assert record.committed_at is None
    # Even applied directly, a plan with an error is refused.
    with pytest.raises(ImportHasErrorsError):
        apply_import(plan_of(csv_bytes(*GOOD_ROWS, BAD_ROW)), actor=None, today=local_today())
    assert table_counts() == before


def test_the_fixed_file_imports_with_units_line_managers_and_history(
    app_ctx: Flask, hr_client: FlaskClient
) -> None:
    response = upload(hr_client, csv_bytes(*GOOD_ROWS, FIXED_ROW))
    report_url = response.headers["Location"]
    page = hr_client.get(report_url).get_data(as_text=True)
    assert "/confirm" in page
    assert not db.session.scalars(select(Manager)).all(), "nothing is written before confirming"

    page = confirm(hr_client, report_url).get_data(as_text=True)
    assert "Imported: 5 new, 0 changed, 0 unchanged." in page

    anna, cecilia, david, eva, bo = (by_number(n) for n in ("A100", "A102", "A103", "A104", "A101"))
    assert anna.stage is Stage.DEVELOP and anna.start_date == date(2020, 1, 1)
    assert anna.line_manager is None
    assert cecilia.line_manager_id == david.id, "a line manager defined later in the file is linked"
    assert (
        david.line_manager_id == anna.id and eva.line_manager_id == anna.id and bo.line_manager_id == anna.id
    )
    assert cecilia.org_unit is not None
    assert unit_path_names(cecilia.org_unit) == [
        "Demo kommun",
        "Vård- och omsorgsförvaltningen",
        "Äldreomsorgen",
        "Hemtjänst öst",
    ]
    assert eva.org_unit is None and eva.title is None and eva.stage is Stage.RECRUIT
    assert db.session.scalar(select(func.count()).select_from(OrgUnit)) == 4
    for manager in (anna, cecilia, david, eva, bo):
        (entry,) = manager.transitions
        assert entry.from_stage is None and entry.to_stage is manager.stage and entry.reason == "Import"
    assert cecilia.stage_entered_on == date(2025, 2, 1), "entered on the start date"
    assert eva.stage_entered_on == local_today(), "no start date: entered today"
    record = db.session.scalars(select(ManagerImport)).one()
    assert record.committed_at is not None
    assert "/confirm" not in hr_client.get(report_url).get_data(as_text=True)


def test_the_same_file_again_is_all_unchanged_and_writes_nothing(
    app_ctx: Flask, hr_client: FlaskClient
) -> None:
    content = csv_bytes(*GOOD_ROWS, FIXED_ROW)
    import_now(content)
    before = table_counts()

    plan = plan_of(content)
    assert set(outcomes(plan).values()) == {"unchanged"}
    apply_import(plan, actor=None, today=local_today())
    assert table_counts() == before

    response = upload(hr_client, content)
    page = hr_client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count("Unchanged</td>") == 5
    assert "Every row is unchanged" in page and "/confirm" not in page
    assert table_counts() == before


def test_an_excel_file_with_bom_semicolons_and_swedish_headers_imports(english: Flask) -> None:
    content = csv_bytes(
        f"A200;Åsa Öberg;asa@kommun.example;Rektor;{VOO};;2021-08-01;Behålla och utveckla",
        "A201;Örjan Ål;;Biträdande rektor;;A200;2024-08-01 00:00:00;INTRODUCERA",
        ";;;;;;;",  # Excel ends with empty rows of separators
        header=SWEDISH_HEADER,
        bom=True,
    )
    import_now(content)
    asa, orjan = by_number("A200"), by_number("A201")
    assert asa.name == "Åsa Öberg" and asa.stage is Stage.DEVELOP
    assert orjan.stage is Stage.INTRODUCE and orjan.start_date == date(2024, 8, 1)
    assert orjan.line_manager_id == asa.id
    assert set(outcomes(plan_of(content)).values()) == {"unchanged"}


def test_excels_separator_line_is_understood_and_line_numbers_still_match(english: Flask) -> None:
    content = b"sep=,\r\n" + csv_bytes("A1,Anna,,,,,,develop", "A2,Bo,,,,,,semester", delimiter=",")
    plan = plan_of(content)
    assert outcomes(plan) == {"A1": "created", "A2": "error"}
    assert list(errors_of(plan)) == [4]


def test_a_comma_separated_file_imports(english: Flask) -> None:
    content = csv_bytes(
        'A300,"Lind, Lisa",lisa@kommun.example,"Chef, stab",Demo kommun,,2022-01-10,develop',
        delimiter=",",
    )
    import_now(content)
    lisa = by_number("A300")
    assert lisa.name == "Lind, Lisa" and lisa.title == "Chef, stab"


def test_a_cp1252_file_is_refused_with_a_message(app_ctx: Flask, hr_client: FlaskClient) -> None:
    content = (HEADER + "\r\nA400;Åke Sjöström;;;;;;develop\r\n").encode("cp1252")
    with pytest.raises(ImportFileError, match="CSV UTF-8"):
        read_import_file(content)
    response = upload(hr_client, content)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "UTF-8" in page and "CSV UTF-8" in page and 'class="field-error"' in page
    assert db.session.scalar(select(func.count()).select_from(ManagerImport)) == 0


# -- the file ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"employee_number\r\nA1\r\n", "only one column"),
        (b"employee_number;name\r\nA1;Anna\r\n", "Missing: email, title"),
        (HEADER.encode() + b"\r\n", "no rows below"),
        (b"PK\x03\x04rest-of-a-workbook", "Excel workbook"),
        ((HEADER + ";Namn\r\n").encode(), "appears twice"),
        (b"x" * (5 * 1024 * 1024 + 1), "larger than 5 MB"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(english: Flask, content: bytes, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        read_import_file(content)


def test_a_file_over_the_row_limit_is_refused(english: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("lifecycle.services.imports.files.MAX_ROWS", 3)
    with pytest.raises(ImportFileError, match="more than 3 rows"):
        read_import_file(csv_bytes(*GOOD_ROWS))


def test_header_names_are_case_insensitive_and_unknown_columns_are_skipped(english: Flask) -> None:
    header = "EMPLOYEE_NUMBER;Name;E-mail;Title;Unit path;Line manager employee number;START_DATE;Stage;Lön"
    import_file = read_import_file(csv_bytes("A1;Anna;;;;;;attract;42000", header=header))
    assert import_file.ignored_columns == ("Lön",)
    assert import_file.rows[0].cells["employee_number"] == "A1"


# -- rows ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (";Utan Nummer;;;;;;develop", "employee number is missing"),
        ("B1;;;;;;;develop", "name is missing"),
        ("B1;Namn;inte-en-adress;;;;;develop", "not a valid e-mail address"),
        ("B1;Namn;;;;;31/01/2024;develop", "is not a date"),
        ("B1;Namn;;;;;;semester", "Unknown stage"),
        ("B1;Namn;;;;B1;;develop", "cannot be their own line manager"),
        ("B1;Namn;;;;B999;;develop", "B999"),
        ("B1;Namn;;;;;;offboard", "cannot start at"),
        ("B1;Namn;;;;;;", "stage is missing"),
        ("B1;Namn;;;Demo kommun // Stab;;;develop", "empty name"),
        ("B1;Namn;;;;;;develop;extra", "more cells"),
    ],
)
def test_a_bad_row_is_an_error_with_the_reason(english: Flask, row: str, message: str) -> None:
    plan = plan_of(csv_bytes(row))
    (planned,) = plan.rows
    assert planned.outcome is Outcome.ERROR
    assert any(message in error for error in planned.errors), planned.errors


def test_every_problem_of_a_row_is_reported_at_once(english: Flask) -> None:
    (row,) = plan_of(csv_bytes("B1;Namn;bo@;;;B9;2024-13-01;develop")).rows
    assert len(row.errors) == 3, row.errors
    for part in ("is not a date", "B9", "not a valid e-mail"):
        assert any(part in error for error in row.errors), (part, row.errors)


def test_a_duplicate_employee_number_is_an_error_on_the_later_line(english: Flask) -> None:
    plan = plan_of(csv_bytes("B1;Anna;;;;;;develop", "B2;Bo;;;;;;develop", "B1;Annika;;;;;;develop"))
    assert errors_of(plan) == {4: ["The employee number B1 is also on line 2."]}


def test_end_before_start_is_an_error(english: Flask) -> None:
    header = HEADER + ";end_date"
    plan = plan_of(csv_bytes("B1;Anna;;;;;2025-01-01;develop;2024-12-31", header=header))
    assert "The end date cannot be before the start date." in plan.rows[0].errors


def test_line_managers_that_form_a_loop_are_errors(english: Flask) -> None:
    plan = plan_of(csv_bytes("B1;Anna;;;;B2;;develop", "B2;Bo;;;;B3;;develop", "B3;Cia;;;;B1;;develop"))
    assert set(errors_of(plan)) == {2, 3, 4}
    assert plan.rows[0].errors == ["The line managers form a loop: B1 → B2 → B3 → B1."]


def test_a_loop_through_the_database_is_an_error(english: Flask) -> None:
    boss = make_manager("Chefen")
    report = make_manager("Rapporten", line_manager=boss)
    # The file makes the boss report to their own report, who is not in the file.
    row = (
        f"{boss.employee_number};Chefen;{boss.email};Enhetschef;;{report.employee_number};2025-01-15;develop"
    )
    plan = plan_of(csv_bytes(row))
    assert plan.rows[0].outcome is Outcome.ERROR
    loop = f"{boss.employee_number} → {report.employee_number} → {boss.employee_number}"
    assert plan.rows[0].errors == [f"The line managers form a loop: {loop}."]


def test_swapping_a_line_manager_and_their_report_applies_in_order(english: Flask) -> None:
    boss = make_manager("Chefen")
    report = make_manager("Rapporten", line_manager=boss)
    import_now(
        csv_bytes(
            f"{boss.employee_number};Chefen;{boss.email};Enhetschef;;{report.employee_number};2025-01-15;develop",
            f"{report.employee_number};Rapporten;{report.email};Enhetschef;;;2025-01-15;develop",
        )
    )
    assert boss.line_manager_id == report.id and report.line_manager_id is None


# -- changes to people already on the journey ---------------------------------------------------------------


def _row_for(manager: Manager, **overrides: str) -> str:
    values = {
        "employee_number": manager.employee_number or "",
        "name": manager.name,
        "email": manager.email or "",
        "title": manager.title or "",
        "unit_path": " / ".join(unit_path_names(manager.org_unit)) if manager.org_unit else "",
        "line_manager_employee_number": manager.line_manager.employee_number or ""
        if manager.line_manager
        else "",
        "start_date": manager.start_date.isoformat() if manager.start_date else "",
        "stage": manager.stage.value,
    }
    values.update(overrides)
    return ";".join(values.values())


def test_a_stage_change_the_journey_does_not_allow_is_an_error(english: Flask) -> None:
    manager = make_manager("Anna", stage=Stage.DEVELOP)
    plan = plan_of(csv_bytes(_row_for(manager, stage="rekrytera")))
    (row,) = plan.rows
    assert row.outcome is Outcome.ERROR
    assert row.errors == ["Retain and develop cannot move to Recruit. Allowed moves: Offboard, Introduce."]


def test_an_allowed_stage_change_moves_with_history(english: Flask) -> None:
    manager = make_manager("Anna", stage=Stage.INTRODUCE)
    plan = import_now(csv_bytes(_row_for(manager, stage="Behålla och utveckla")))
    assert outcomes(plan) == {manager.employee_number: "updated"}
    assert manager.stage is Stage.DEVELOP and manager.stage_entered_on == local_today()
    last = db.session.scalars(
        select(StageTransition).where(StageTransition.manager_id == manager.id).order_by(StageTransition.id)
    ).all()[-1]
    assert (last.from_stage, last.to_stage, last.reason) == (Stage.INTRODUCE, Stage.DEVELOP, "Import")


def test_moving_to_offboarding_needs_an_end_date(english: Flask) -> None:
    manager = make_manager("Anna", stage=Stage.DEVELOP)
    plan = plan_of(csv_bytes(_row_for(manager, stage="offboard")))
    assert "end date" in plan.rows[0].errors[0]
    header = HEADER + ";slutdatum"
    import_now(csv_bytes(_row_for(manager, stage="avveckla") + ";2026-12-31", header=header))
    assert manager.stage is Stage.OFFBOARD and manager.end_date == date(2026, 12, 31)


def test_a_changed_title_is_logged_with_source_import(english: Flask) -> None:
    manager = make_manager("Anna")
    plan = import_now(csv_bytes(_row_for(manager, title="Verksamhetschef")))
    (row,) = plan.rows
    assert row.outcome is Outcome.UPDATED
    assert row.messages() == ["Title: Enhetschef → Verksamhetschef"]
    change = db.session.scalars(select(ManagerChange).where(ManagerChange.manager_id == manager.id)).one()
    assert (change.field, change.old_value, change.new_value, change.source) == (
        "title",
        "Enhetschef",
        "Verksamhetschef",
        "import",
    )
    assert manager.title == "Verksamhetschef"
    assert len(manager.transitions) == 1, "no stage move"


def test_a_changed_unit_and_line_manager_are_logged(english: Flask) -> None:
    root = make_unit("Demo kommun")
    old_boss, new_boss = make_manager("Gamla chefen"), make_manager("Nya chefen")
    manager = make_manager("Anna", line_manager=old_boss, org_unit=root)
    row = _row_for(
        manager, unit_path="Demo kommun / Kultur", line_manager_employee_number=new_boss.employee_number or ""
    )
    plan = import_now(csv_bytes(row))
    assert "Creates the unit Demo kommun / Kultur." in plan.rows[0].messages()
    assert manager.line_manager_id == new_boss.id
    unit = db.session.get(OrgUnit, manager.org_unit_id)
    assert unit is not None and unit_path_names(unit) == ["Demo kommun", "Kultur"]
    fields = set(
        db.session.scalars(select(ManagerChange.field).where(ManagerChange.manager_id == manager.id))
    )
    assert fields == {"org_unit_id", "line_manager_id"}


def test_confirm_checks_again_against_the_data_as_it_is_then(app_ctx: Flask, hr_client: FlaskClient) -> None:
    first = upload(hr_client, csv_bytes("C1;Cia Carlsson;;;;;2024-01-01;develop"), "develop.csv")
    second = upload(hr_client, csv_bytes("C1;Cia Carlsson;;;;;2024-01-01;attract"), "attract.csv")
    confirm(hr_client, second.headers["Location"])
    cia = by_number("C1")
    assert cia.stage is Stage.ATTRACT

    page = confirm(hr_client, first.headers["Location"]).get_data(as_text=True)
    assert "Nothing was imported" in page
    assert "Attract cannot move to Retain and develop" in page
    assert cia.stage is Stage.ATTRACT and len(cia.transitions) == 1
    record = db.session.get(ManagerImport, int(first.headers["Location"].rsplit("/", 1)[1]))
    assert record is not None and record.committed_at is None and record.summary["error"] == 1


def test_confirming_twice_imports_once(app_ctx: Flask, hr_client: FlaskClient) -> None:
    report_url = upload(hr_client, csv_bytes("C2;Cia;;;;;;develop")).headers["Location"]
    token = csrf_token_from(hr_client.get(report_url).get_data(as_text=True))
    hr_client.post(f"{report_url}/confirm", data={"csrf_token": token})
    page = hr_client.post(f"{report_url}/confirm", data={"csrf_token": token}, follow_redirects=True)
    assert "This file has already been imported." in page.get_data(as_text=True)
    assert len(by_number("C2").transitions) == 1


def test_the_dry_run_runs_a_fixed_number_of_queries(english: Flask, count_queries: Any) -> None:
    def rows(count: int) -> list[str]:
        return [f"Q{n};Person {n};;;Demo kommun / Enhet {n % 3};Q0;;develop" for n in range(1, count)] + [
            "Q0;Chefen;;;Demo kommun;;;develop"
        ]

    counts = []
    for size in (5, 60):
        import_file = read_import_file(csv_bytes(*rows(size)))
        with count_queries() as counter:
            plan_import(import_file, local_today())
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


# -- access -------------------------------------------------------------------------------------------------


def test_only_hr_and_admins_reach_imports_and_exports(app: Flask, app_ctx: Flask, login: Any) -> None:
    record = ManagerImport(filename="x.csv", content=b"", digest="0" * 64, summary={})
    db.session.add(record)
    db.session.flush()
    manager = make_manager("Anna", with_account=True)
    browser = app.test_client()
    login(manager.user.email, test_client=browser)  # type: ignore[union-attr]
    token = csrf_token_from(browser.get("/account/").get_data(as_text=True))
    for url in (
        "/managers/import",
        f"/managers/import/{record.id}",
        "/managers/export.csv",
        "/managers/export.xlsx",
    ):
        assert browser.get(url).status_code == 404, url
    assert browser.post("/managers/import", data={"csrf_token": token}).status_code == 404
    confirm_url = f"/managers/import/{record.id}/confirm"
    assert browser.post(confirm_url, data={"csrf_token": token}).status_code == 404

    admin = app.test_client()
    login(make_user(Role.ADMIN).email, test_client=admin)
    assert admin.get("/managers/import").status_code == 200
    assert admin.get(f"/managers/import/{record.id}").status_code == 200
    assert admin.get("/managers/import/999999").status_code == 404


def test_the_upload_page_documents_the_columns(hr_client: FlaskClient) -> None:
    page = hr_client.get("/managers/import").get_data(as_text=True)
    assert "<caption>" in page and 'scope="col"' in page
    for column in ("employee_number", "chefens anställningsnummer", "unit_path", "startdatum"):
        assert column in page
    assert 'enctype="multipart/form-data"' in page


# -- the command line -------------------------------------------------------------------------------


def test_cli_dry_run_then_commit(app: Flask, app_ctx: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(*GOOD_ROWS, BAD_ROW))
    result = runner.invoke(args=["import-managers", str(bad), "--commit"])
    assert result.exit_code == 1
    assert "line 6 A101 Bo Berg: error" in result.output
    assert "is not a date" in result.output
    assert "nothing was written" in result.output
    assert db.session.scalar(select(func.count()).select_from(Manager)) == 0

    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(*GOOD_ROWS, FIXED_ROW))
    result = runner.invoke(args=["import-managers", str(good)])
    assert result.exit_code == 0, result.output
    assert "5 rows: 5 created, 0 updated, 0 unchanged, 0 with errors" in result.output
    assert "Dry run: nothing was written" in result.output
    assert db.session.scalar(select(func.count()).select_from(Manager)) == 0

    result = runner.invoke(args=["import-managers", str(good), "--commit"])
    assert result.exit_code == 0, result.output
    assert "imported" in result.output
    assert db.session.scalar(select(func.count()).select_from(Manager)) == 5
    assert db.session.scalars(select(ManagerImport)).one().committed_at is not None

    result = runner.invoke(args=["import-managers", str(good)])
    assert result.exit_code == 0
    assert "5 rows: 0 created, 0 updated, 5 unchanged, 0 with errors" in result.output

    cp1252 = tmp_path / "ansi.csv"
    cp1252.write_bytes((HEADER + "\r\nA1;Åke;;;;;;develop\r\n").encode("cp1252"))
    result = runner.invoke(args=["import-managers", str(cp1252)])
    assert result.exit_code == 1 and "CSV UTF-8" in result.output


# -- the report in the reader's language --------------------------------------------------------------


def hr_browser(app: Flask, login: Any, language: str) -> FlaskClient:
    browser = app.test_client()
    login(make_user(Role.HR).email, test_client=browser)
    browser.get(f"/?lang={language}")
    return browser


REPORT_MESSAGES = {
    "en": [
        "Start date “2024-31-01” is not a date; write it as YYYY-MM-DD (for example 2025-08-31).",
        "Enters the journey at Retain and develop on 2020-01-01.",
        "Retain and develop cannot move to Recruit. Allowed moves: Offboard, Introduce.",
        "Title: Enhetschef → Verksamhetschef",
    ],
    "sv": [
        "Startdatum ”2024-31-01” är inte ett datum; skriv det som ÅÅÅÅ-MM-DD (till exempel 2025-08-31).",
        "Börjar chefsresan i Behålla och utveckla den 2020-01-01.",
        "Behålla och utveckla kan inte flyttas till Rekrytera. Tillåtna flyttar: Avveckla, Introducera.",
        "Befattning: Enhetschef → Verksamhetschef",
    ],
}


@pytest.mark.parametrize(("uploader", "reader"), [("sv", "en"), ("en", "sv")])
def test_the_report_shows_its_messages_in_the_readers_language(
    app: Flask, app_ctx: Flask, login: Any, uploader: str, reader: str
) -> None:
    moving = make_manager("Anna", stage=Stage.DEVELOP)
    retitled = make_manager("Bo")
    content = csv_bytes(
        *GOOD_ROWS, BAD_ROW, _row_for(moving, stage="rekrytera"), _row_for(retitled, title="Verksamhetschef")
    )
    response = upload(hr_browser(app, login, uploader), content)
    report_url = response.headers["Location"]
    for language, other in ((reader, uploader), (uploader, reader)):
        page = html.unescape(hr_browser(app, login, language).get(report_url).get_data(as_text=True))
        for message in REPORT_MESSAGES[language]:
            assert message in page, (language, message)
        for message in REPORT_MESSAGES[other]:
            assert message not in page, (language, message)


def test_a_report_kept_before_messages_were_stored_neutrally_still_shows(
    app_ctx: Flask, hr_client: FlaskClient
) -> None:
    row = {"line": 2, "employee_number": "A1", "name": "Anna", "outcome": "error"}
    summary = {"created": 0, "updated": 0, "unchanged": 0, "error": 1, "total": 1, "ignored_columns": []}
    record = ManagerImport(
        filename="gammal.csv",
        content=b"",
        digest="0" * 64,
        summary={**summary, "rows": [{**row, "messages": ["Namnet saknas."]}], "rows_not_listed": 0},
    )
    db.session.add(record)
    db.session.commit()
    response = hr_client.get(f"/managers/import/{record.id}")
    assert response.status_code == 200
    assert "<li>Namnet saknas.</li>" in response.get_data(as_text=True)
