"""The one export writer: formula neutralisation, RFC 4180 CSV and XLSX read back with openpyxl."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from waypoint.core.exports import Percent, csv_bytes, neutralise, sheet_title, xlsx_bytes

BOM = "\ufeff".encode()


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 555", "'+1 555"),
        ("-2+3", "'-2+3"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-0.5\n", "'-0.5\n"),
        ("- 5", "'- 5"),
        ("-", "'-"),
    ],
)
def test_a_cell_that_starts_like_a_formula_is_prefixed(text: str, written: str) -> None:
    assert neutralise(text) == written


@pytest.mark.parametrize("number", ["-0.5", "12", "+3", "-12", "0.75", "-.5", "1e-3", "-2E+10"])
def test_a_plain_number_is_left_alone(number: str) -> None:
    assert neutralise(number) == number


@pytest.mark.parametrize("number", ["-0.5", "+3", "-12"])
def test_a_number_is_neutralised_too_when_values_are_never_figures(number: str) -> None:
    assert neutralise(number, numbers=False) == "'" + number


@pytest.mark.parametrize("text", ["", "Ana", "a=b", "O'Brien-Smith", "≥ 95 %", "*", "'=already"])
def test_other_text_is_left_alone(text: str) -> None:
    assert neutralise(text) == text


def test_neutralising_twice_changes_nothing_more() -> None:
    assert neutralise(neutralise("=1+1")) == "'=1+1"


def test_csv_quotes_commas_quotes_and_line_breaks_and_ends_records_with_crlf() -> None:
    content = csv_bytes(
        [["School", "Share"], ["Elm, North", "≥ 95 %"], ['The "Oak"', "*"], ["Two\nlines", 12], ["x", None]]
    )
    assert content.startswith(BOM), "Excel needs the byte-order mark to read UTF-8"
    text = content[len(BOM) :].decode("utf-8")
    assert text == ('School,Share\r\n"Elm, North",≥ 95 %\r\n"The ""Oak""",*\r\n"Two\nlines",12\r\nx,\r\n')
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["School", "Share"],
        ["Elm, North", "≥ 95 %"],
        ['The "Oak"', "*"],
        ["Two\nlines", "12"],
        ["x", ""],
    ]


def test_csv_neutralises_text_and_keeps_numbers() -> None:
    content = csv_bytes([['=HYPERLINK("http://x")', "-0.5", -0.5, "@x", "+1 555"]], bom=False)
    assert content.decode("utf-8") == '"\'=HYPERLINK(""http://x"")",-0.5,-0.5,\'@x,\'+1 555\r\n'


def test_csv_without_bom_and_with_every_number_neutralised() -> None:
    content = csv_bytes([["-2", "Ana"]], bom=False, numbers=False)
    assert content == b"'-2,Ana\r\n"


def test_xlsx_reads_back_with_numbers_as_numbers_and_text_neutralised() -> None:
    content = xlsx_bytes(
        "Growth by school",
        [
            ["School", "Students", "Mean pace"],
            ['=HYPERLINK("http://x")', 25, -0.5],
            ["=1+1", "*", "≥ 95 %"],
            ["Elm\x01 High", None, "-0.5"],
            ["Share", Percent(12.5, 1), Percent(100)],
        ],
    )
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["Growth by school"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows == [
        ["School", "Students", "Mean pace"],
        ['\'=HYPERLINK("http://x")', 25, -0.5],
        ["'=1+1", "*", "≥ 95 %"],
        ["Elm High", None, "-0.5"],
        ["Share", 0.125, 1],
    ]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula"
    assert sheet["B2"].data_type == "n"
    assert sheet["C2"].data_type == "n"
    assert sheet["A3"].data_type == "s"
    assert (sheet["B5"].number_format, sheet["C5"].number_format) == ("0.0%", "0%")


def test_a_percent_in_csv_is_its_text() -> None:
    assert csv_bytes([[Percent(12.5, 1), Percent(95)]], bom=False) == b"12.5 %,95 %\r\n"


def test_xlsx_text_with_a_control_character_before_a_formula_is_still_neutralised() -> None:
    content = xlsx_bytes("x", [["\x01=1+1"]])
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    assert sheet["A1"].value == "'=1+1"


@pytest.mark.parametrize(
    ("title", "safe"),
    [
        ("Growth by school", "Growth by school"),
        ("Pace [bands]: 2024/25?*\\", "Pace bands 2024 25"),
        ("'quoted'", "quoted"),
        ("A very long title of a table that goes on and on", "A very long title of a table th"),
        ("[]:*?/\\", "Sheet"),
        ("", "Sheet"),
    ],
)
def test_sheet_titles_are_safe_for_excel(title: str, safe: str) -> None:
    assert sheet_title(title) == safe
    assert len(safe) <= 31
    content = xlsx_bytes(title, [["x"]])
    assert load_workbook(io.BytesIO(content)).sheetnames == [safe]
