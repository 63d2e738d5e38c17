"""Facts the guide quotes: each figure stated once, in `content/data/facts.yml`, with its source and check date.

A page writes `{fact:NAME}` instead of the figure, so the page cannot drift from the file, and each page
can end with the sources of the facts it quotes. A fact says when someone last checked it, so a stale
one can be listed for review beside overdue pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

#: `{fact:linkage-key-expiry}`: a figure from the facts file.
FACT = re.compile(r"\{fact:(?P<name>[a-z0-9-]+)\}")
FACTS_FILE = Path("data") / "facts.yml"


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Fact:
    name: str
    value: str
    source: Source
    #: When someone last checked the fact against its source.
    checked: date
    #: The line of the facts file the fact starts on.
    line: int


def as_source(raw: object) -> Source | None:
    """A source from `{title, url}`; None unless it has both, so a page never links to nowhere."""
    if isinstance(raw, dict) and str(raw.get("title") or "").strip() and str(raw.get("url") or "").startswith("http"):
        return Source(str(raw["title"]).strip(), str(raw["url"]).strip())
    return None


def quoted(body: str) -> list[str]:
    """The names of the facts a page's Markdown quotes, in order, each once."""
    return list(dict.fromkeys(match["name"] for match in FACT.finditer(body)))


def named_sources(meta: dict) -> list[Source | None]:
    """The sources a page names in its front matter (`sources:` of title and url); None for a broken one."""
    raw = meta.get("sources") or []
    return [as_source(entry) for entry in raw] if isinstance(raw, list) else [None]


def stale(facts: dict[str, Fact], today: date, max_age_days: int) -> list[Fact]:
    """Facts whose last check is older than `max_age_days`, oldest first."""
    return sorted(
        (fact for fact in facts.values() if (today - fact.checked).days > max_age_days), key=lambda f: f.checked
    )
