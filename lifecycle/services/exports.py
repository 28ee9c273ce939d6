"""Exporting the filtered board as CSV and XLSX, streamed so memory stays flat at any size."""

from __future__ import annotations

import io
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy import ColumnElement
from sqlalchemy import select
from sqlalchemy.orm import aliased

from lifecycle.extensions import db
from lifecycle.models import Manager
from lifecycle.models import OrgUnit
from lifecycle.models import User
from lifecycle.services.csv_files import EXCEL
from lifecycle.services.csv_files import FORMULA_TRIGGERS
from lifecycle.services.csv_files import CsvWriter
from lifecycle.services.csv_files import neutralise_formula
from lifecycle.services.pipeline import ManagerFilter
from lifecycle.services.pipeline import filter_clauses

#: the columns the import reads, then the ones only an export has (the import ignores them)
IMPORT_COLUMNS = (
    "employee_number",
    "name",
    "email",
    "title",
    "unit_path",
    "line_manager_employee_number",
    "start_date",
    "stage",
    "end_date",
)
EXPORT_ONLY_COLUMNS = ("days_in_stage", "line_manager_name", "hr_partner", "unit")
EXPORT_COLUMNS = IMPORT_COLUMNS + EXPORT_ONLY_COLUMNS

UNIT_PATH_JOINER = " / "
ROWS_PER_QUERY_BATCH = 1000
ROWS_PER_CSV_CHUNK = 500

Cell = str | int | date | None


def export_rows(visible: ColumnElement[bool], filters: ManagerFilter, today: date) -> Iterator[list[Cell]]:
    """Yield one row of `EXPORT_COLUMNS` per manager `visible` admits and `filters` selects, by name."""
    unit_names: dict[int, str] = dict(db.session.execute(select(OrgUnit.id, OrgUnit.name)).all())
    line_manager = aliased(Manager)
    hr_partner = aliased(User)
    statement = (
        select(
            Manager.employee_number,
            Manager.name,
            Manager.email,
            Manager.title,
            OrgUnit.path,
            line_manager.employee_number,
            Manager.start_date,
            Manager.stage,
            Manager.end_date,
            Manager.stage_entered_on,
            line_manager.name,
            hr_partner.name,
            OrgUnit.name,
        )
        .outerjoin(OrgUnit, Manager.org_unit_id == OrgUnit.id)
        .outerjoin(line_manager, Manager.line_manager_id == line_manager.id)
        .outerjoin(hr_partner, Manager.hr_partner_id == hr_partner.id)
        .where(visible, *filter_clauses(filters, today))
        .order_by(Manager.name, Manager.id)
        .execution_options(yield_per=ROWS_PER_QUERY_BATCH)
    )
    for (
        employee_number,
        name,
        email,
        title,
        unit_path,
        line_manager_number,
        start_date,
        stage,
        end_date,
        stage_entered_on,
        line_manager_name,
        hr_partner_name,
        unit_name,
    ) in db.session.execute(statement):
        path_names = [unit_names.get(int(part), "") for part in (unit_path or "").split("/") if part]
        yield [
            employee_number,
            name,
            email,
            title,
            UNIT_PATH_JOINER.join(path_names) or None,
            line_manager_number,
            start_date,
            stage.value,
            end_date,
            max(0, (today - stage_entered_on).days),
            line_manager_name,
            hr_partner_name,
            unit_name,
        ]


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return neutralise_formula(value)


def csv_chunks(rows: Iterable[Sequence[Cell]], header: Sequence[str] = EXPORT_COLUMNS) -> Iterator[bytes]:
    """Yield a CSV file in chunks: UTF-8 with a BOM and semicolons, which Swedish Excel opens as is."""
    writer = CsvWriter(EXCEL)
    writer.write([neutralise_formula(str(name)) for name in header])
    for number, row in enumerate(rows, start=1):
        writer.write([_csv_text(value) for value in row])
        if number % ROWS_PER_CSV_CHUNK == 0:
            yield writer.take().encode("utf-8")
    yield writer.take().encode("utf-8")


def _xlsx_value(sheet: WriteOnlyWorksheet, value: Cell) -> Cell | SheetCell:
    """Return a value for the sheet; text that Excel would run as a formula becomes a text cell.

    The cell keeps the text exactly (no apostrophe in front, as in a CSV file): it is stored as a
    string, not a formula, and styled with Excel's quote prefix so that editing it keeps it text.
    """
    if not isinstance(value, str):
        return value
    # openpyxl refuses control characters.
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not text.startswith(FORMULA_TRIGGERS):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl would store "=..." as a live formula
    cell.quotePrefix = True
    return cell


def xlsx_bytes(
    rows: Iterable[Sequence[Cell]], sheet_title: str, header: Sequence[str] = EXPORT_COLUMNS
) -> bytes:
    """Return an XLSX workbook of the rows, written row by row (openpyxl's write-only mode)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append([_xlsx_value(sheet, str(name)) for name in header])
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
