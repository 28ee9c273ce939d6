"""The CSV reader and writer the imports, the exports and the GDPR sweep share: what one writes, the other
reads back cell for cell, in the file's own layout."""

from __future__ import annotations

import pytest
from flask import Flask

from lifecycle.services.csv_files import EXCEL
from lifecycle.services.csv_files import CsvFileError
from lifecycle.services.csv_files import CsvLayout
from lifecycle.services.csv_files import decode
from lifecycle.services.csv_files import read_records
from lifecycle.services.csv_files import write_text

AWKWARD_ROWS = [
    ["employee_number", "name", "note"],
    ["A1", "Lind; Lisa, chef", 'sa "hej"'],
    ["A2", "två\r\nrader", "en\nrad och en\rtill"],
    [],
    ["", ""],
    [""],
    ["A3", "  mellanslag  ", "=1+1"],
    ["A4", "bara\rretur", "bara\nny rad"],  # quoted whatever the file's own line end
]


@pytest.mark.parametrize(
    "layout",
    [
        EXCEL,
        CsvLayout(delimiter=",", bom=False, sep_line=None, line_end="\n"),
        CsvLayout(delimiter=";", bom=True, sep_line="sep=;", line_end="\n"),
        CsvLayout(delimiter=",", bom=False, sep_line="SEP=,", line_end="\r\n"),
        CsvLayout(delimiter=";", bom=False, sep_line=None, line_end="\r"),
    ],
)
def test_what_the_writer_writes_reads_back_in_its_layout(layout: CsvLayout) -> None:
    text = write_text(AWKWARD_ROWS, layout)

    read_layout, records = read_records(text)
    assert read_layout == layout
    assert [record.cells for record in records] == AWKWARD_ROWS


def test_excel_gets_a_bom_semicolons_and_crlf() -> None:
    assert write_text([["a", "b;c"], ["d", "e"]]) == '\ufeffa;"b;c"\r\nd;e\r\n'


def test_a_file_without_a_last_line_end_is_written_without_one() -> None:
    layout = CsvLayout(delimiter=",", bom=False, line_end="\n")
    assert write_text([["a", "b"], ["c", "d"]], layout, final_line_end=False) == "a,b\nc,d"


def test_records_start_on_their_line_counting_the_sep_line_and_line_breaks_in_cells() -> None:
    text = '\ufeffsep=,\r\nnumber,name\r\n\r\nA1,"två\r\nrader"\r\nA2,Bo\r\n'
    layout, records = read_records(text)
    assert layout == CsvLayout(delimiter=",", bom=True, sep_line="sep=,", line_end="\r\n")
    assert [(record.line, record.cells, record.is_blank) for record in records] == [
        (2, ["number", "name"], False),
        (3, [], True),
        (4, ["A1", "två\r\nrader"], False),
        (6, ["A2", "Bo"], False),
    ]


def test_the_more_common_of_semicolon_and_comma_on_the_first_line_is_the_delimiter() -> None:
    assert read_records("a;b,c;d\n")[0].delimiter == ";"
    assert read_records("a,b;c,d\n")[0].delimiter == ","


def test_decoding_keeps_the_bom_for_the_layout(app_ctx: Flask) -> None:
    text = decode("\ufeffa;b\r\n".encode())
    assert text == "\ufeffa;b\r\n"
    assert read_records(text)[0].bom is True
    with pytest.raises(CsvFileError):
        decode("\ufeff \r\n".encode())


@pytest.mark.parametrize("text", ["just one column\n", "sep=|\na|b\n"])
def test_a_layout_the_imports_refuse_is_refused_at_once(app_ctx: Flask, text: str) -> None:
    with pytest.raises(CsvFileError):
        read_records(text)


def test_an_unreadable_line_is_refused_when_it_is_read(app_ctx: Flask) -> None:
    _layout, records = read_records('a;b\nc;"' + "x" * 200_000 + "\n")
    with pytest.raises(CsvFileError, match="2"):
        list(records)
