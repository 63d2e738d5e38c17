"""CSV that is safe to open in a spreadsheet: exports of feedback and help requests."""

from __future__ import annotations

import csv
import io

#: A cell starting with one of these is read as a formula by spreadsheets (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """Stops a spreadsheet treating a cell as a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def write_csv(rows: list[list], out: io.TextIOBase) -> None:
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
