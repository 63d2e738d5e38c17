"""What changed on a page, and when: the dated change notes of its front matter (`changes:`).

Each note is a mapping with a `date`, a one-line `note` and, if the change was to one section,
that section's heading id (`section`). The notes drive "Last updated" on the page, /whats-new/,
the Atom feed and the sitemap's `lastmod`; `problems` is what `guide check` says of bad ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

KEY = "changes"


@dataclass(frozen=True)
class Change:
    date: date
    note: str
    #: The heading id of the section that changed, or "" for the page as a whole.
    section: str = ""


def _date(value) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _note(value) -> str:
    return value.strip() if isinstance(value, str) and "\n" not in value.strip() else ""


def read_changes(meta: dict) -> list[Change]:
    """The page's well-formed change notes, newest first (`problems` names the others)."""
    changes = []
    for entry in meta.get(KEY) or []:
        if not isinstance(entry, dict):
            continue
        when, note = _date(entry.get("date")), _note(entry.get("note"))
        if when and note:
            changes.append(Change(when, note, str(entry.get("section") or "").strip()))
    return sorted(changes, key=lambda change: change.date, reverse=True)


def problems(meta: dict, section_ids: set[str], today: date) -> list[str]:
    """What is wrong with each change note, numbered from 1 as they are written."""
    entries = meta.get(KEY)
    if entries is None:
        return []
    if not isinstance(entries, list):
        return [f"{KEY} must be a list of notes, each with a date and a note"]
    found = []
    for number, entry in enumerate(entries, 1):
        where = f"{KEY} note {number}"
        if not isinstance(entry, dict):
            found.append(f"{where} must have a date and a note, like '- date: {today.isoformat()}' and '  note: …'")
            continue
        unknown = sorted(set(entry) - {"date", "note", "section"})
        if unknown:
            found.append(f"{where} has keys a change note does not take: {', '.join(map(str, unknown))}")
        when = _date(entry.get("date"))
        if entry.get("date") is None:
            found.append(f"{where} has no date: add 'date: YYYY-MM-DD'")
        elif when is None:
            found.append(f"{where}'s date {entry.get('date')!r} is not a real date written YYYY-MM-DD")
        elif when > today:
            found.append(f"{where} is dated {when.isoformat()}, in the future: date a change when it is published")
        if not _note(entry.get("note")):
            found.append(f"{where} needs a note: one line saying what changed")
        section = str(entry.get("section") or "").strip()
        if section and section not in section_ids:
            found.append(f"{where} names the section '{section}', which is not a heading id on this page")
    return found
