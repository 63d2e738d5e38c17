"""CSV that is safe to open in a spreadsheet: exports of feedback and help requests."""

from __future__ import annotations

import csv
import io

#: A cell starting with one of these is read as a formula by spreadsheets (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


#: Control characters a terminal or spreadsheet would act on; line breaks and tabs are text in a quoted cell.
_CONTROL = {code: "\ufffd" for code in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if chr(code) not in "\t\n\r"}


def spreadsheet_safe(value) -> str:
    """Stops a spreadsheet treating a cell as a formula, and a terminal obeying escape sequences in it."""
    text = str(value).translate(_CONTROL)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def write_csv(rows: list[list], out: io.TextIOBase) -> None:
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
