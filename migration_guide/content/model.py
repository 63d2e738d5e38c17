"""The guide's content as plain nouns: a `Page`, a `Step`, the whole `Guide`, and what rendering made of a page.

`loading.load_guide` builds the `Guide` once; the app and the freezer are handed it and never
re-read files. Nothing here imports Flask or Markdown.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .changes import Change, read_changes
from .checklists import Checklist
from .facts import Fact, Source, named_sources, quoted
from .layouts import LAYOUTS, Layout
from .links import canonical_path, parse_internal
from .navigation import Navigation


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str


@dataclass(frozen=True)
class LinkRef:
    """An internal link as written (`raw`) and as understood (`path`, `fragment`)."""

    raw: str
    path: str
    fragment: str


@dataclass(frozen=True)
class Section:
    """A run of the page from one h2 to the next; the first has no heading (id None)."""

    id: str | None
    title: str
    html: str


@dataclass
class RenderedPage:
    html: str
    sections: list[Section]
    headings: list[Heading]
    element_ids: frozenset[str]
    links: list[LinkRef]
    steps_groups: list[str]
    #: (line in the Markdown body, message) for problems found while rendering.
    problems: list[tuple[int, str]] = field(default_factory=list)
    #: Defined terms (`<dt>`, as in the glossary), each with its id; `level` is 0.
    terms: list[Heading] = field(default_factory=list)


@dataclass
class Page:
    source: Path
    permalink: str
    title: str
    #: The layout's name (front matter `layout:`); `page_type` says what it is.
    layout: str
    meta: dict
    body: str
    #: Line of the file on which the Markdown body starts, so problems can name a line.
    body_line: int
    version: str
    #: Front-matter key → the file line it is on.
    meta_lines: dict[str, int] = field(default_factory=dict)
    rendered: RenderedPage | None = None

    @property
    def page_type(self) -> Layout:
        return LAYOUTS[self.layout]

    @property
    def description(self) -> str:
        return str(self.meta.get("description") or "")

    @property
    def subtitle(self) -> str:
        return str(self.meta.get("subtitle") or "")

    @property
    def last_reviewed(self) -> date | None:
        return as_date(self.meta.get("last_reviewed"))

    @property
    def review_due(self) -> date | None:
        return as_date(self.meta.get("review_due"))

    @property
    def changes(self) -> list[Change]:
        """Its change notes, newest first."""
        return read_changes(self.meta)

    @property
    def last_updated(self) -> date | None:
        """The date of its latest change note, if it has one."""
        changes = self.changes
        return changes[0].date if changes else None

    @property
    def html(self) -> str:
        return self.rendered.html if self.rendered else ""

    @property
    def contents(self):
        """The h2 headings, for 'On this page' and for section feedback."""
        return [heading for heading in self.rendered.headings if heading.level == 2] if self.rendered else []

    def line_of(self, text: str) -> int | None:
        """The file line where `text` first appears in the body: how link problems name a line."""
        for number, line in enumerate(self.body.splitlines(), start=self.body_line):
            if f"({text})" in line or f"({text} " in line or text in line:
                return number
        return None


@dataclass
class Step:
    source: Path
    group: str
    title: str
    order: float
    title_url: str
    duration: str
    body: str
    meta: dict
    #: When the step happens, from its week offsets ("16 to 15 weeks before go-live"); "" without them.
    when: str = ""
    #: Front-matter key → the file line it is on.
    meta_lines: dict[str, int] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        """The file name without its order prefix: `06-initial-data-production.md` → `initial-data-production`."""
        stem = self.source.stem
        prefix, _, rest = stem.partition("-")
        return rest if prefix.isdigit() and rest else stem

    @property
    def facts(self) -> dict[str, str]:
        """What pages may quote of this step with `{phase:slug.field}`: its text front matter, `when` and `duration`."""
        quotable = {
            key: str(value)
            for key, value in self.meta.items()
            if isinstance(value, str | int | float) and not isinstance(value, bool)
        }
        return {**quotable, "when": self.when, "duration": self.duration}

    def as_view_source(self) -> dict:
        """What rendering needs of the step: plain data, so worker processes and the cache key can take it."""
        return {
            "title": self.title,
            "title_url": self.title_url,
            "duration": self.duration,
            "body": self.body,
            "when": self.when,
            "slug": self.slug,
            "facts": self.facts,
        }


@dataclass
class Guide:
    content_dir: Path
    pages: dict[str, Page]
    steps: dict[str, list[Step]]
    navigation: Navigation
    data: dict[str, object]
    #: Old address → permalink, from `redirect_from` front matter.
    redirects: dict[str, str]
    #: Each role's checklist by name (`content/checklists/NAME.yml`).
    checklists: dict[str, Checklist] = field(default_factory=dict)
    #: The figures pages quote with `{fact:NAME}`, by name (`content/data/facts.yml`).
    facts: dict[str, Fact] = field(default_factory=dict)

    def page(self, path: str) -> Page | None:
        return self.pages.get(canonical_path(path))

    def changes(self) -> list[tuple[Page, Change]]:
        """Every page's change notes, newest first (then in reading order): /whats-new/ and its feed."""
        order = {permalink: index for index, permalink in enumerate(self.pages)}
        notes = [(page, change) for page in self.pages.values() for change in page.changes]
        return sorted(notes, key=lambda note: (-note[1].date.toordinal(), order[note[0].permalink]))

    def sources_of(self, page: Page) -> list[Source]:
        """Where a page's facts come from: the sources of the facts it quotes, then those its front matter names."""
        found = [self.facts[name].source for name in quoted(page.body) if name in self.facts]
        found += [source for source in named_sources(page.meta) if source]
        return list(dict.fromkeys(found))

    def checklist_of(self, page: Page) -> Checklist | None:
        """The checklist a page shows (front matter `checklist: NAME`), if any."""
        name = page.meta.get("checklist")
        return self.checklists.get(str(name)) if name else None

    def element_ids(self, page: Page) -> frozenset[str]:
        """Every id on the page: its Markdown's and its checklist's."""
        ids = page.rendered.element_ids if page.rendered else frozenset()
        checklist = self.checklist_of(page)
        return ids | frozenset(checklist.element_ids()) if checklist else ids

    def link_title(self, href: str) -> str:
        """What an internal link leads to, in words: the heading it points at, else the page's title."""
        link = parse_internal(href)
        target = self.pages.get(link.path)
        if target is None:
            return ""
        if link.fragment and target.rendered:
            for heading in target.rendered.headings:
                if heading.id == link.fragment:
                    return heading.text
            # Headings deeper than the contents list (h4) are found in the page itself.
            found = re.search(rf'<h[1-6][^>]*\sid="{re.escape(link.fragment)}"[^>]*>(.*?)</h[1-6]>', target.html, re.S)
            if found:
                return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", found[1]).split()))
        return target.title

    def previous_and_next(self, page: Page) -> tuple[Page | None, Page | None]:
        previous, following = self.navigation.neighbours(page.permalink)
        if "previouspage" in page.meta:
            previous = canonical_path(str(page.meta["previouspage"]))
        if "nextpage" in page.meta:
            following = canonical_path(str(page.meta["nextpage"]))
        return self.pages.get(previous) if previous else None, self.pages.get(following) if following else None

    def breadcrumbs(self, page: Page) -> list[Page]:
        """Ancestors from the home page down: `breadcrumbparent` where given, else the permalink's folders."""
        trail: list[Page] = []
        current = page
        seen = {page.permalink}
        while current.permalink != "/":
            parent_path = current.meta.get("breadcrumbparent")
            parent = self.page(str(parent_path)) if parent_path else self._nearest_ancestor(current.permalink)
            if parent is None or parent.permalink in seen:
                break
            trail.insert(0, parent)
            seen.add(parent.permalink)
            current = parent
        if page.permalink != "/" and "/" in self.pages and (not trail or trail[0].permalink != "/"):
            trail.insert(0, self.pages["/"])
        return trail

    def _nearest_ancestor(self, permalink: str) -> Page | None:
        parts = permalink.strip("/").split("/")[:-1]
        while parts:
            candidate = self.pages.get("/" + "/".join(parts) + "/")
            if candidate:
                return candidate
            parts.pop()
        return self.pages.get("/")

    def section_showing(self, steps_group: str) -> str | None:
        """Where a steps group (such as the key-phases timeline) is shown: `/page/#heading-id`.

        App pages link to the timeline through this, so a guide without it fails the build's
        link check instead of shipping a broken link.
        """
        marker = f'data-steps-group="{steps_group}"'
        for page in self.pages.values():
            for section in page.rendered.sections if page.rendered else []:
                if marker in section.html:
                    return f"{page.permalink}#{section.id}" if section.id else page.permalink
        return None


def as_date(value) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None
