"""Reading the planner's files back as a reader's programs would: the warnings a spreadsheet shows, and
those a calendar shows. One reader for the Node tests and the browser tests, so both hold the files to
the same layout."""

from __future__ import annotations

import csv
import io

#: The header of the warnings block, after a blank row below the phases.
WARNINGS_HEADER = ["Warning", "What it means and what to do"]


def csv_warnings(text: str) -> list[dict]:
    """The warnings a spreadsheet shows: the rows under the "Warning" header, after the phases."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if WARNINGS_HEADER not in rows:
        return []
    below = rows[rows.index(WARNINGS_HEADER) + 1 :]
    return [{"title": title, "text": text} for title, text in below]


def ics_warnings(text: str) -> tuple[list[dict], list[dict]]:
    """The warnings a calendar shows: in the calendar's description, and on the go-live event."""
    from icalendar import Calendar, vText

    calendar = Calendar.from_ical(text)

    def parse(description: str) -> list[dict]:
        blocks = description.split("Warning: ")[1:]
        return [dict(zip(("title", "text"), block.strip().split("\n", 1), strict=True)) for block in blocks]

    [go_live] = [event for event in calendar.walk("VEVENT") if str(event["SUMMARY"]) == "Go live"]
    # icalendar knows RFC 7986's DESCRIPTION as text; X-WR-CALDESC, for older clients, must say the same.
    description = str(calendar.get("DESCRIPTION", ""))
    assert calendar.get("X-WR-CALDESC", vText("")).to_ical() == vText(description).to_ical()
    return parse(description), parse(str(go_live["DESCRIPTION"]))
