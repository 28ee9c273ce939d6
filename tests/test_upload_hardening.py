"""Uploads refuse oversized, wrongly encoded and malicious files with a clear message and write nothing.

Covers the CSV import of managers and of activities through the upload pages, and the leadership
platform's YAML file (loaded with `flask platform load`; there is no upload page for it). Exports
neutralise formulas (tests/test_exports.py); here a formula that came in through an import is
followed out again.
"""

from __future__ import annotations

import codecs
import gc
import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func
from sqlalchemy import select

from lifecycle.cli import DEFAULT_PLATFORM
from lifecycle.enums import Role
from lifecycle.extensions import db
from lifecycle.models import Activity
from lifecycle.models import Manager
from lifecycle.models import ManagerImport
from lifecycle.models import Pillar
from lifecycle.services.imports import MAX_FILE_BYTES
from lifecycle.services.imports import ImportFileError
from lifecycle.services.imports import files as import_files
from lifecycle.services.imports import preview_import
from lifecycle.services.platform import load_platform
from lifecycle.services.platform_file import PlatformFileError
from lifecycle.services.platform_file import parse_platform
from lifecycle.timeutil import local_today
from tests.conftest import csrf_token_from
from tests.conftest import post_form
from tests.factories import make_manager
from tests.factories import make_user

# Dates here are computed from today: every test runs at the suite's fixed moment (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("clock")

MANAGER_HEADER = "employee_number;name;email;title;unit_path;line_manager_employee_number;start_date;stage"
ACTIVITY_HEADER = "employee_numbers;kind;title;pillars;reference"
PAGES = {"managers": "/managers/import", "activities": "/activities/import"}


@pytest.fixture
def hr_client(app: Flask, app_ctx: Flask, login: Any, import_worker: list[int]) -> FlaskClient:
    load_platform(parse_platform(DEFAULT_PLATFORM.read_bytes()))
    make_manager("Anna Andersson")
    browser = app.test_client()
    login(make_user(Role.HR).email, test_client=browser)
    return browser


def counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Manager)) or 0,
        db.session.scalar(select(func.count()).select_from(Activity)) or 0,
        db.session.scalar(select(func.count()).select_from(ManagerImport)) or 0,
    )


def upload(client: FlaskClient, kind: str, content: bytes, filename: str = "fil.csv") -> Any:
    return post_form(
        client, PAGES[kind], {"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data"
    )


def refused(client: FlaskClient, kind: str, content: bytes, message: str, filename: str = "fil.csv") -> None:
    """Upload a file that must be refused: a clear message, no server error, nothing written."""
    before = counts()
    response = upload(client, kind, content, filename)
    page = response.get_data(as_text=True)
    assert response.status_code < 500, page
    assert response.status_code != 302, "the file was taken"
    assert message in page, re.findall(r'class="field-error">([^<]*)', page)
    assert "Traceback" not in page
    db.session.expire_all()
    assert counts() == before


def csv(*lines: str, header: str = MANAGER_HEADER) -> bytes:
    return ("\r\n".join([header, *lines]) + "\r\n").encode()


NOT_UTF8 = "Filen är inte sparad som UTF-8"


@pytest.mark.parametrize("kind", sorted(PAGES))
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (codecs.BOM_UTF16_LE + "employee_number;name\r\nA1;Åsa\r\n".encode("utf-16-le"), NOT_UTF8),
        ("employee_number;name\r\nA1;Åsa\r\n".encode("utf-16-le"), NOT_UTF8),
        ("employee_number;name\r\nA1;Åsa Öberg\r\n".encode("latin-1"), NOT_UTF8),
        (b"employee_number;name\r\nA1;\xff\xfe\xfd\r\n", NOT_UTF8),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), NOT_UTF8),
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200, "Excel"),
        (b"", "Filen är tom"),
        (b"\r\n\r\n   \r\n", "Filen är tom"),
        (b"employee_number\r\nA1\r\n", "bara en kolumn"),
        (b"sep=|\r\nemployee_number|name\r\n", "semikolon"),
    ],
    ids=[
        "utf-16",
        "utf-16 without bom",
        "latin-1",
        "invalid bytes",
        "binary",
        "zip",
        "empty",
        "blank",
        "one column",
        "pipes",
    ],
)
def test_unreadable_files_are_refused_with_a_reason(
    hr_client: FlaskClient, kind: str, content: bytes, message: str
) -> None:
    refused(hr_client, kind, content, message)


# The test client spools a body this large to a temporary file and, as the request is refused before
# it is read, leaves closing it to the garbage collector; that is the harness, not the app.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("kind", sorted(PAGES))
def test_a_file_over_the_size_limit_is_refused(hr_client: FlaskClient, kind: str) -> None:
    before = counts()
    big = csv(*[f"A{n};Namn {n};;;;;;develop" for n in range(200_000)])
    assert len(big) > MAX_FILE_BYTES
    response = upload(hr_client, kind, big)
    assert response.status_code == 413
    assert "Filen är för stor." in response.get_data(as_text=True)
    assert counts() == before
    del response
    gc.collect()


def test_the_service_refuses_a_file_over_its_own_limit(app_ctx: Flask) -> None:
    # The request limit stops it first on the web; the command line and other callers meet this one.
    with pytest.raises(ImportFileError, match="större än 5 MB"):
        preview_import(b"x" * (MAX_FILE_BYTES + 1), "stor.csv", uploaded_by=None, today=local_today())


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_a_line_longer_than_a_cell_may_be_is_refused(hr_client: FlaskClient, kind: str) -> None:
    header = MANAGER_HEADER if kind == "managers" else ACTIVITY_HEADER
    refused(hr_client, kind, csv("A1;" + "n" * 300_000, header=header), "131072")


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_too_many_rows_are_refused(
    hr_client: FlaskClient, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_files, "MAX_ROWS", 50)
    header = MANAGER_HEADER if kind == "managers" else ACTIVITY_HEADER
    refused(hr_client, kind, csv(*[f"A{n};x;y;z;w" for n in range(51)], header=header), "fler än 50 rader")


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_a_huge_number_of_columns_is_answered_plainly(hr_client: FlaskClient, kind: str) -> None:
    header = (MANAGER_HEADER if kind == "managers" else ACTIVITY_HEADER) + "".join(
        f";extra{n}" for n in range(20_000)
    )
    before = counts()
    response = upload(hr_client, kind, csv("A1;" + ";" * 30_000 + "x", header=header))
    assert response.status_code < 500
    db.session.expire_all()
    # At most the dry run's record: no manager or activity is added by an upload.
    assert counts()[:2] == before[:2]


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("chefer.xlsx", "Välj en CSV-fil"),
        ("chefer.exe", "Välj en CSV-fil"),
        ("chefer", "Välj en CSV-fil"),
    ],
)
def test_only_csv_files_are_taken(hr_client: FlaskClient, filename: str, message: str) -> None:
    refused(hr_client, "managers", csv("A1;Namn;;;;;;develop"), message, filename=filename)


def test_an_odd_file_name_is_only_a_name(hr_client: FlaskClient) -> None:
    for filename in ("../../../etc/passwd.csv", "a<script>b.csv", "x" * 1000 + ".csv", "名前.csv"):
        response = upload(hr_client, "managers", csv("Z1;Zlatan Namn;;;;;;develop"), filename)
        assert response.status_code == 302, response.get_data(as_text=True)
        record = db.session.scalars(select(ManagerImport).order_by(ManagerImport.id.desc())).first()
        assert record is not None and len(record.filename) <= 255
        report = hr_client.get(response.headers["Location"]).get_data(as_text=True)
        assert "<script>" not in report


def test_a_nul_in_the_file_name_is_a_400(hr_client: FlaskClient) -> None:
    before = counts()
    token = csrf_token_from(hr_client.get(PAGES["managers"]).get_data(as_text=True))
    response = hr_client.post(
        PAGES["managers"],
        data={"csrf_token": token, "file": (io.BytesIO(csv("Z1;N;;;;;;develop")), "a\x00.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert counts() == before


def test_formula_cells_are_kept_as_text_and_neutralised_on_the_way_out(hr_client: FlaskClient) -> None:
    dangerous = "=cmd|' /C calc'!A0"
    response = upload(
        hr_client, "managers", csv(f"F1;{dangerous};;+SUM(1;2);;;;develop".replace("+SUM(1;2)", "@SUM(A1)"))
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    report = response.headers["Location"]
    token = csrf_token_from(hr_client.get(report).get_data(as_text=True))
    assert hr_client.post(f"{report}/confirm", data={"csrf_token": token}).status_code == 302
    person = db.session.scalar(select(Manager).where(Manager.employee_number == "F1"))
    assert person is not None and person.name == dangerous and person.title == "@SUM(A1)"

    exported = hr_client.get("/managers/export.csv", buffered=True).get_data().decode("utf-8-sig")
    assert f"'{dangerous}" in exported and "'@SUM(A1)" in exported
    workbook = load_workbook(io.BytesIO(hr_client.get("/managers/export.xlsx", buffered=True).get_data()))
    sheet = workbook.active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    # A text cell holds the text as it is: no apostrophe in front of it, as the CSV file has.
    (cell,) = [cell for cell in cells if cell.value == dangerous]
    assert cell.data_type == "s" and cell.quotePrefix


def test_an_unbalanced_quotation_mark_is_an_error_row_and_imports_nothing(hr_client: FlaskClient) -> None:
    before = counts()
    response = upload(hr_client, "managers", csv('Z1;"Obalanserat;;;;;;develop', "Z2;Namn;;;;;;develop"))
    assert response.status_code == 302
    report = response.headers["Location"]
    page = hr_client.get(report).get_data(as_text=True)
    assert "Fel" in page
    token = csrf_token_from(page)
    hr_client.post(f"{report}/confirm", data={"csrf_token": token})
    db.session.expire_all()
    assert counts()[:2] == before[:2]


def test_formula_cells_in_an_activity_file_are_only_titles(hr_client: FlaskClient) -> None:
    number = db.session.scalar(select(Manager.employee_number).where(Manager.name == "Anna Andersson"))
    content = csv(f'{number};course;=HYPERLINK("http://evil.example");leader;F-1', header=ACTIVITY_HEADER)
    response = upload(hr_client, "activities", content)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = hr_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "=HYPERLINK(&#34;http://evil.example&#34;)" in page or "=HYPERLINK(&quot;" in page


# -- the platform's YAML file --------------------------------------------------------------------------

ORIGINAL = DEFAULT_PLATFORM.read_text(encoding="utf-8")
BILLION_LAUGHS = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *[
            f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]"
            for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
        ],
    ]
)
#: a valid-looking platform whose pillars and expectations are aliases: small file, huge document
ALIAS_AMPLIFIED = ORIGINAL.replace("pillars:\n  - key: secure", "pillars:\n  - &p\n    key: secure", 1)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (BILLION_LAUGHS, "anchors and aliases"),
        (ALIAS_AMPLIFIED + "\n", "anchors and aliases"),
        (
            ORIGINAL.replace("key: orebro", "key: !!python/object/apply:os.system ['echo pwned']"),
            "key must be",
        ),
        (ORIGINAL.replace("key: orebro", "key: !!python/name:os.system"), "key must be"),
        ("[" * 100_000 + "]" * 100_000, "nested deeper"),
        ("a:\n" + "".join(" " * n + "b:\n" for n in range(1, 200)), "nested deeper"),
        ("key: 'unterminated\n", "not valid YAML"),
        ("\x00\x01\x02", "not valid YAML"),
        ("key: " + "x" * 100 + "\t\x07\n", "not valid YAML"),
    ],
    ids=[
        "billion laughs",
        "aliased pillars",
        "python object",
        "python name",
        "deep lists",
        "deep maps",
        "broken",
        "control characters",
        "bell",
    ],
)
def test_a_malicious_platform_file_is_refused_with_a_line(content: str, message: str) -> None:
    with pytest.raises(PlatformFileError) as caught:
        parse_platform(content.encode())
    assert any(message in problem for problem in caught.value.problems), caught.value.problems


def test_platform_files_that_are_not_text_are_refused() -> None:
    for content in (ORIGINAL.encode("utf-16"), b"PK\x03\x04" + bytes(range(256)), ORIGINAL.encode("cp1252")):
        with pytest.raises(PlatformFileError, match=r"UTF-8|not valid YAML"):
            parse_platform(content)
    with pytest.raises(PlatformFileError, match="larger than"):
        parse_platform(ORIGINAL.encode() + b"#" * (1024 * 1024))


def test_the_command_line_refuses_a_bomb_and_changes_nothing(
    app: Flask, app_ctx: Flask, tmp_path: Path
) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BILLION_LAUGHS, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["platform", "load", str(bomb)])
    assert result.exit_code == 1
    assert "anchors and aliases" in result.output and "Traceback" not in result.output
    assert db.session.scalar(select(func.count()).select_from(Pillar)) == 0
