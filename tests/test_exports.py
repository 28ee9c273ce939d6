"""Exporting the board: exactly the filtered, visible managers, inert in a spreadsheet, importable back."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from openpyxl import load_workbook

from lifecycle.enums import Role
from lifecycle.enums import Stage
from lifecycle.models import Manager
from lifecycle.policy import visible_managers_clause
from lifecycle.services.exports import EXPORT_COLUMNS
from lifecycle.services.exports import csv_chunks
from lifecycle.services.exports import export_rows
from lifecycle.services.imports import plan_import
from lifecycle.services.imports import read_import_file
from lifecycle.services.journey import move_to_stage
from lifecycle.services.managers import ChangeSet
from lifecycle.services.managers import update_manager
from lifecycle.services.pipeline import ManagerFilter
from lifecycle.timeutil import local_today
from tests.factories import make_manager
from tests.factories import make_unit
from tests.factories import make_user

# Dates here are computed from today: every test runs at the suite's fixed moment (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def english(app_ctx: Flask) -> Iterator[Flask]:
    with force_locale("en_GB"):
        yield app_ctx


@pytest.fixture
def hr_client(app: Flask, login: Any) -> FlaskClient:
    browser = app.test_client()
    login(make_user(Role.HR).email, test_client=browser)
    return browser


def download(client: FlaskClient, url: str) -> Any:
    # Buffered: the test client gives each request its own context, which a stream would outlive.
    return client.get(url, buffered=True)


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "a BOM, so Excel reads UTF-8"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def read_xlsx(data: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def xlsx_as_csv(data: bytes) -> bytes:
    """Save the workbook as Swedish Excel's "CSV UTF-8" does: semicolons, BOM, dates as YYYY-MM-DD."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for row in read_xlsx(data):
        writer.writerow(
            [
                value.date().isoformat() if isinstance(value, datetime) else "" if value is None else value
                for value in row
            ]
        )
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


@pytest.fixture
def people(app_ctx: Flask) -> dict[str, Manager]:
    """A small municipality: two administrations, people on several stages, one stuck, one closed."""
    root = make_unit("Demo kommun")
    care = make_unit("Vård och omsorg", parent=root)
    home = make_unit("Hemtjänst öst", parent=care)
    school = make_unit("Förskola och skola", parent=root)
    recent = local_today() - timedelta(days=30)
    boss = make_manager("Anna Andersson", org_unit=care, entered_on=recent)
    team = {
        "boss": boss,
        "bo": make_manager(
            "Bo Berg", line_manager=boss, org_unit=home, stage=Stage.INTRODUCE, entered_on=recent
        ),
        "cia": make_manager("Cia Carlsson", org_unit=school, stage=Stage.RECRUIT, entered_on=recent),
        "stuck": make_manager(
            "Dan Dröj", org_unit=school, stage=Stage.INTRODUCE, entered_on=local_today() - timedelta(days=400)
        ),
        "closed": make_manager("Eva Ek", org_unit=school, stage=Stage.ATTRACT, entered_on=recent),
    }
    move_to_stage(team["closed"], Stage.CLOSED, None, "Ej vald", local_today())
    hr = make_user(Role.HR, name="Hilda HR")
    update_manager(boss, ChangeSet({"hr_partner_id": hr.id}), actor=None)
    return team


def names(rows: list[dict[str, str]]) -> list[str]:
    return [row["name"] for row in rows]


def test_csv_export_holds_exactly_the_filtered_managers(
    people: dict[str, Manager], hr_client: FlaskClient
) -> None:
    response = download(hr_client, "/managers/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="chefer-')
    assert response.headers["Cache-Control"] == "no-store"
    rows = read_csv(response.get_data())
    assert names(rows) == ["Anna Andersson", "Bo Berg", "Cia Carlsson", "Dan Dröj"], (
        "closed is not on the board"
    )
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    anna, bo = rows[0], rows[1]
    assert anna["unit_path"] == "Demo kommun / Vård och omsorg" and anna["unit"] == "Vård och omsorg"
    assert anna["hr_partner"] == "Hilda HR" and anna["stage"] == "develop"
    assert anna["start_date"] == (local_today() - timedelta(days=30)).isoformat()
    assert bo["line_manager_employee_number"] == people["boss"].employee_number
    assert bo["line_manager_name"] == "Anna Andersson"
    assert int(rows[3]["days_in_stage"]) == 400

    care_id = people["boss"].org_unit_id
    school_id = people["cia"].org_unit_id

    def export(query: str) -> list[str]:
        return names(read_csv(download(hr_client, f"/managers/export.csv?{query}").get_data()))

    assert export(f"unit={care_id}") == ["Anna Andersson", "Bo Berg"], "a unit includes the units below"
    assert export(f"unit={school_id}&stage=introduce") == ["Dan Dröj"]
    assert export("stage=recruit&stage=introduce") == ["Bo Berg", "Cia Carlsson", "Dan Dröj"]
    assert export("stage=closed") == ["Eva Ek"]
    assert export("q=carl") == ["Cia Carlsson"]
    assert export("stuck=y") == ["Dan Dröj"]
    assert export("stuck=") == names(rows)
    assert export("line_manager=anna") == ["Bo Berg"]
    assert export(f"hr_partner={people['boss'].hr_partner_id}") == ["Anna Andersson"]
    assert export("unit=not-a-number&stage=nonsense") == names(rows), "ignored, as on the board"


def test_xlsx_export_holds_the_same_rows(people: dict[str, Manager], hr_client: FlaskClient) -> None:
    response = download(hr_client, "/managers/export.xlsx?stage=develop&stage=introduce")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_xlsx(response.get_data())
    assert rows[0] == list(EXPORT_COLUMNS)
    assert [row[1] for row in rows[1:]] == ["Anna Andersson", "Bo Berg", "Dan Dröj"]
    assert isinstance(rows[1][6], datetime), "dates are dates in Excel"
    assert rows[1][6].date() == local_today() - timedelta(days=30)
    assert isinstance(rows[3][9], int) and rows[3][9] == 400


def test_export_holds_only_the_managers_the_user_may_see(english: Flask) -> None:
    boss = make_manager("Chefen", with_account=True)
    make_manager("Rapporten", line_manager=boss)
    make_manager("Främlingen")
    assert boss.user is not None
    rows = list(export_rows(visible_managers_clause(boss.user), ManagerFilter(), local_today()))
    assert sorted(row[1] for row in rows) == ["Chefen", "Rapporten"]  # type: ignore[type-var]
    assert list(export_rows(visible_managers_clause(None), ManagerFilter(), local_today())) == []


DANGEROUS = {
    "name": '=HYPERLINK("http://evil.example","Klicka")',
    "title": "+SUM(1;2)",
    "email": "@chef@example.se",
}


def test_formulas_are_neutralised_in_csv_and_xlsx(app_ctx: Flask, hr_client: FlaskClient) -> None:
    manager = make_manager("Vanlig")
    update_manager(manager, ChangeSet({"name": DANGEROUS["name"], "title": DANGEROUS["title"]}), actor=None)
    other = make_manager("Annan")
    update_manager(other, ChangeSet({"title": "-10", "name": "\tTabb"}), actor=None)

    rows = {
        row["employee_number"]: row
        for row in read_csv(download(hr_client, "/managers/export.csv").get_data())
    }
    assert rows[manager.employee_number or ""]["name"] == "'" + DANGEROUS["name"]
    assert rows[manager.employee_number or ""]["title"] == "'+SUM(1;2)"
    assert rows[other.employee_number or ""]["title"] == "'-10"

    workbook = load_workbook(io.BytesIO(download(hr_client, "/managers/export.xlsx").get_data()))
    sheet = workbook.active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"], "no live formulas"
    # Text cells keep the text as it is, without the CSV file's apostrophe in front.
    texts = {cell.value: cell for cell in cells}
    for text in (DANGEROUS["name"], "+SUM(1;2)", "-10"):
        assert text in texts, text
        assert texts[text].data_type == "s" and texts[text].quotePrefix, text
    assert not [cell.value for cell in cells if isinstance(cell.value, str) and cell.value.startswith("'")]


def test_an_exported_file_imports_back_all_unchanged(
    people: dict[str, Manager], hr_client: FlaskClient
) -> None:
    update_manager(people["cia"], ChangeSet({"title": "=Rektor", "email": None}), actor=None)
    for query in (
        "",
        "stage=develop&stage=introduce&stage=recruit&stage=attract&stage=offboard&stage=closed",
    ):
        csv_file = download(hr_client, f"/managers/export.csv?{query}").get_data()
        xlsx_file = xlsx_as_csv(download(hr_client, f"/managers/export.xlsx?{query}").get_data())
        for content in (csv_file, xlsx_file):
            plan = plan_import(read_import_file(content), local_today())
            assert plan.rows
            assert {row.outcome.value for row in plan.rows} == {"unchanged"}, [
                (row.line, row.errors, row.messages()) for row in plan.rows
            ]
            assert plan.ignored_columns == ()


def test_the_export_streams_in_chunks_with_flat_memory(english: Flask) -> None:
    unit = make_unit("Demo kommun")
    for number in range(1200):
        make_manager(f"Person {number:04d}", org_unit=unit, entered_on=date(2024, 1, 1))
    chunks = list(
        csv_chunks(export_rows(visible_managers_clause(make_user(Role.HR)), ManagerFilter(), local_today()))
    )
    assert len(chunks) >= 3, "rows are sent as they are read, not collected first"
    assert sum(chunk.count(b"\r\n") for chunk in chunks) == 1201
