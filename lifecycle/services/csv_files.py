"""CSV files as people exchange them with Excel: reading an upload, writing a download.

The imports read uploads with it, the exports write with it, and the GDPR sweep reads a kept upload as
the import did and writes it back, so the three agree on the character set, Excel's `sep=` line, the
delimiter, the header names, quoting and line ends.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

BOM = "\ufeff"
EXCEL_DELIMITER = ";"  # what Swedish Excel expects, since the comma is the decimal sign
DELIMITERS = ";,"
#: what a spreadsheet takes for the start of a formula; such cells get a leading apostrophe
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: the csv module quotes a cell holding a character of its line terminator; this one holds both
_QUOTING_LINE_END = "\r\n"
_LINE_END = re.compile(r"\r\n|\n|\r")


class CsvFileError(ValueError):
    """The file as a whole cannot be read; the message is meant for the user."""


@dataclass(frozen=True)
class CsvLayout:
    """How a CSV file is laid out around its cells."""

    delimiter: str = EXCEL_DELIMITER
    #: a byte order mark first, which tells Excel the file is UTF-8
    bom: bool = True
    #: Excel's hint line naming the delimiter ("sep=;"), as the file wrote it
    sep_line: str | None = None
    line_end: str = "\r\n"


#: what the exports write: Swedish Excel opens it as is
EXCEL = CsvLayout()


@dataclass(frozen=True)
class CsvRecord:
    """One record of a file: the line it starts on (counting a `sep=` line) and its cells, as written."""

    line: int
    cells: list[str]

    @property
    def is_blank(self) -> bool:
        return not any(cell.strip() for cell in self.cells)


def normalise_header(text: str) -> str:
    """Return a header name as the imports compare them: case, spaces and _ do not matter."""
    return " ".join(text.replace("_", " ").split()).casefold()


def neutralise_formula(value: str) -> str:
    """Return `value` made inert for a spreadsheet: a leading apostrophe before a formula character."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def restore_formula(value: str) -> str:
    """Undo `neutralise_formula`, so an exported file imports back unchanged."""
    if value.startswith("'") and value[1:2] and value[1:2] in FORMULA_TRIGGERS:
        return value[1:]
    return value


# -- reading ---------------------------------------------------------------------------------------


def _not_utf8_message() -> str:
    return str(
        _l(
            "The file is not saved as UTF-8 (older versions of Excel save “CSV (semikolonavgränsad)” "
            "in another character set). In Excel, choose Save as and the file type “CSV UTF-8”, "
            "then upload that file."
        )
    )


def decode(content: bytes) -> str:
    """Return the text of an uploaded file, a byte order mark and all; CsvFileError if it is no UTF-8 text.

    The mark stays for `read_records`, which reads it into the file's layout.
    """
    if content.startswith(b"PK\x03\x04"):
        raise CsvFileError(
            _l(
                "This is an Excel workbook, not a CSV file. In Excel, choose Save as and the file type "
                "“CSV UTF-8”, then upload that file."
            )
        )
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CsvFileError(_not_utf8_message()) from exc
    if "\x00" in text:  # UTF-16 without a byte order mark decodes, but is full of NULs
        raise CsvFileError(_not_utf8_message())
    if not text.removeprefix(BOM).strip():
        raise CsvFileError(_l("The file is empty."))
    return text


def _layout(text: str) -> tuple[CsvLayout, str, int]:
    """Return the file's layout, the text below a `sep=` line and how many lines that skipped."""
    bom = text.startswith(BOM)
    text = text.removeprefix(BOM)
    found = _LINE_END.search(text)
    line_end = found.group() if found else "\r\n"
    first_line, _newline, rest = text.partition("\n")
    first_line = first_line.rstrip("\r")
    # Excel's own hint line, "sep=;", names the delimiter.
    if first_line.casefold().startswith("sep=") and len(first_line.strip()) == 5:
        delimiter = first_line.strip()[4]
        if delimiter not in DELIMITERS:
            raise CsvFileError(_l("Separate the columns with semicolons (;) or commas (,)."))
        return CsvLayout(delimiter, bom, first_line, line_end), rest, 1
    semicolons, commas = first_line.count(";"), first_line.count(",")
    if semicolons == 0 and commas == 0:
        raise CsvFileError(
            _l(
                "The first line must name the columns, separated by semicolons (;) or commas (,); "
                "it has only one column."
            )
        )
    return CsvLayout(";" if semicolons >= commas else ",", bom, None, line_end), text, 0


def _records(body: str, delimiter: str, skipped: int) -> Iterator[CsvRecord]:
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter)
    last_line = 0
    try:
        for cells in reader:
            line = last_line + 1 + skipped
            last_line = reader.line_num
            yield CsvRecord(line, cells)
    except csv.Error as exc:
        line = last_line + 1 + skipped
        if "field larger than field limit" in str(exc):
            # The csv module's own bound on one cell; say so, the quotation marks are not to blame.
            raise CsvFileError(
                _l(
                    "Line %(line)d has a cell longer than %(count)d characters.",
                    line=line,
                    count=csv.field_size_limit(),
                )
            ) from exc
        raise CsvFileError(_l("Line %(line)d cannot be read; check its quotation marks.", line=line)) from exc


def read_records(text: str) -> tuple[CsvLayout, Iterator[CsvRecord]]:
    """Return how a file's text is laid out and its records, blank ones too.

    The delimiter is the one a `sep=` line names, or whichever of ; and , the first line has more of.
    CsvFileError, with a message for the user, when the layout is wrong at once, or from the records
    when a line cannot be read.
    """
    layout, body, skipped = _layout(text)
    return layout, _records(body, layout.delimiter, skipped)


# -- writing ---------------------------------------------------------------------------------------


class CsvWriter:
    """Writes rows of text cells in a layout; `take()` hands over what is written so far."""

    def __init__(self, layout: CsvLayout = EXCEL) -> None:
        self._layout = layout
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, delimiter=layout.delimiter, lineterminator=_QUOTING_LINE_END)
        if layout.bom:
            self._buffer.write(BOM)
        if layout.sep_line is not None:
            self._buffer.write(layout.sep_line + layout.line_end)

    def write(self, cells: Sequence[str]) -> None:
        """Write one row, quoting a cell that holds the delimiter, a quotation mark or a line break."""
        if self._layout.line_end == _QUOTING_LINE_END:
            self._writer.writerow(cells)
            return
        # Written with "\r\n" so that a cell holding a lone "\r" or "\n" is quoted too, then given
        # the file's own line end: unquoted, such a cell would split the row when it is read again.
        row = io.StringIO()
        csv.writer(row, delimiter=self._layout.delimiter, lineterminator=_QUOTING_LINE_END).writerow(cells)
        self._buffer.write(row.getvalue().removesuffix(_QUOTING_LINE_END) + self._layout.line_end)

    def take(self) -> str:
        """Return what is written since the last call, and forget it."""
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text


def write_text(rows: Iterable[Sequence[str]], layout: CsvLayout = EXCEL, final_line_end: bool = True) -> str:
    """Return the rows as a whole file's text; without `final_line_end` the last row has no line end."""
    writer = CsvWriter(layout)
    for cells in rows:
        writer.write(cells)
    text = writer.take()
    return text if final_line_end else text.removesuffix(layout.line_end)
