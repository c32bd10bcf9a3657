"""Writing rows of cells to a file a spreadsheet opens: CSV (RFC 4180) and XLSX (openpyxl), each cell safe to
open. Pure: no Django, no database; the services that export (insights tables, the OneRoster roster) decide
what the rows hold, this module only how they are written.

Formula neutralisation (OWASP, "CSV injection"): a spreadsheet runs a cell that starts with `=`, `+`, `-` or
`@` as a formula, and a leading tab or carriage return can hide such a start from a reader that trims the
cell. Such a text cell is written with a leading apostrophe, so the spreadsheet shows it as text: a school
named `=HYPERLINK("http://x")` reads as `'=HYPERLINK("http://x")`, and no link is made. The one exception is
a plain number (`-0.5`, `+3`, `12`, `1e-3`): a spreadsheet reads it as that number and runs nothing, and an
apostrophe would turn a figure into text nobody can add up. A number with anything after it (`-2+3`,
`-1 555`) is not a plain number and is neutralised. Callers whose values are never figures (a roster's
names and identifiers) can ask for every such start to be neutralised (`numbers=False`)."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# The first characters that make a spreadsheet read a cell as a formula, or hide such a start.
FORMULA_STARTS = frozenset("=+-@\t\r")
# A number a spreadsheet reads as just that number: an optional sign, digits with an optional decimal
# point, an optional exponent, and nothing else (no spaces, no operators, no trailing newline).
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

# Excel's own limits on a sheet's name: at most 31 characters, none of these, not blank.
SHEET_TITLE_LENGTH = 31
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
DEFAULT_SHEET_TITLE = "Sheet"


@dataclass(frozen=True)
class Percent:
    """A share in percent (0–100), shown with `decimals` decimals: in XLSX a number cell formatted as a
    percentage (the spreadsheet stores 12.5 % as 0.125), in CSV its text ("12.5 %")."""

    value: float
    decimals: int = 0

    def __str__(self) -> str:
        return f"{self.value:.{self.decimals}f} %"


Value = str | int | float | Percent | None
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(text: str, *, numbers: bool = True) -> str:
    """The text as a cell a spreadsheet will not run: prefixed with `'` when it starts like a formula.
    A plain number is left alone unless `numbers` is False (see the module's docstring)."""
    if not text or text[0] not in FORMULA_STARTS:
        return text
    if numbers and PLAIN_NUMBER.fullmatch(text):
        return text
    return "'" + text


def _text(value: Value, numbers: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value, numbers=numbers)
    return str(value)


def csv_bytes(rows: Iterable[Sequence[Value]], *, bom: bool = True, numbers: bool = True) -> bytes:
    """The rows as RFC 4180 CSV: fields separated by commas, quoted with double quotes only where a field
    holds a comma, a quote or a line break (a quote doubled inside), every record ended by CRLF, UTF-8.
    Text is neutralised; None is an empty field.

    `bom` starts the file with a UTF-8 byte-order mark. Excel opens a CSV without one in the computer's
    legacy code page, so "≥ 95 %" or "–" or a name like "Peña" would read as mojibake; with it, Excel reads
    UTF-8, and every other reader (Python's `utf-8-sig`, LibreOffice, pandas) skips it. A file meant for
    another program rather than a person (the OneRoster roster) goes without."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([_text(value, numbers) for value in row] for row in rows)
    return ("\ufeff" if bom else "").encode("utf-8") + out.getvalue().encode("utf-8")


def sheet_title(title: str) -> str:
    """A sheet name Excel accepts: the characters it forbids become spaces, apostrophes are trimmed from the
    ends (Excel refuses a name that starts or ends with one), at most 31 characters, never blank."""
    cleaned = SHEET_TITLE_FORBIDDEN.sub(" ", ILLEGAL_CHARACTERS_RE.sub("", title))
    cleaned = " ".join(cleaned.split())[:SHEET_TITLE_LENGTH].strip().strip("'").strip()
    return cleaned or DEFAULT_SHEET_TITLE


def xlsx_bytes(title: str, rows: Iterable[Sequence[Value]]) -> bytes:
    """The rows as one sheet of an XLSX workbook, written streaming (openpyxl's write-only mode): an int or
    a finite float is a number cell, any other value a text cell, neutralised like a CSV field (so the file
    stays safe when someone saves it as CSV, or edits the cell and Excel parses it again); a `Percent` is a
    number cell formatted as a percentage. Characters XML
    cannot hold (control characters other than tab, line feed and carriage return) are dropped."""
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet(sheet_title(title))
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Value) -> Cell:
    if isinstance(value, Percent) and math.isfinite(value.value):
        cell = WriteOnlyCell(sheet, value=round(value.value / 100, value.decimals + 2))
        cell.number_format = "0" + ("." + "0" * value.decimals if value.decimals else "") + "%"
        return cell
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        # Dropped before neutralising, so no dropped character can hide a formula's start.
        text = "" if value is None else neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
        cell = WriteOnlyCell(sheet, value=text or None)
        # A text cell, whatever it starts with: openpyxl would otherwise read a leading "=" as a formula.
        cell.data_type = "s"
        return cell
    return WriteOnlyCell(sheet, value=value)
