"""What the form functions need to know about the built site, without the guide's Markdown.

The build writes it as JSON; the Lambda bundle ships it. The dev server builds
the same object from the loaded guide, so both validate feedback the same way.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..content.facts import quoted
from ..content.model import Guide
from ..content.navigation import Navigation, NavLink, NavSection
from ..content.ownership import Review
from ..content.phases import GROUP as KEY_PHASES


@dataclass(frozen=True)
class PageSections:
    title: str
    version: str
    #: h2 id → heading text, in page order.
    sections: dict[str, str]
    #: Whether the page shows "Was this section helpful?" forms.
    takes_feedback: bool
    #: Who looks after the page and when it is due for review (front matter), for the owners' digest.
    owner: str = ""
    last_reviewed: str = ""
    review_due: str = ""
    #: The names of the facts the page quotes (`{fact:NAME}`), so the digest can tell its owner of stale ones.
    quoted_facts: list[str] = field(default_factory=list)


@dataclass
class SiteManifest:
    base_path: str
    navigation: Navigation
    pages: dict[str, PageSections] = field(default_factory=dict)
    #: Key phases of a migration, for the help request form: (title, guide URL).
    phases: list[tuple[str, str]] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    #: Logical asset name → hashed path, so function pages use the site's CSS and JS.
    assets: dict[str, str] = field(default_factory=dict)
    #: Fact name → {"checked": ISO date, "title", "url"}: content/data/facts.yml, for the owners' digest.
    facts: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def home(self) -> str:
        """The home page, or where the guide starts when the content has none (any content folder builds)."""
        return "/" if "/" in self.pages else self.start

    @property
    def start(self) -> str:
        """Where a reader starts: where the navigation starts, or the first page when it names none of ours."""
        start = self.navigation.start
        if start in self.pages or not self.pages:
            return start
        return "/" if "/" in self.pages else min(self.pages)

    @classmethod
    def from_guide(cls, guide: Guide, base_path: str, assets: dict[str, str] | None = None) -> SiteManifest:
        pages = {
            permalink: PageSections(
                page.title,
                page.version,
                {heading.id: heading.text for heading in page.contents},
                page.page_type.takes_feedback,
                str(page.meta.get("owner") or ""),
                page.last_reviewed.isoformat() if page.last_reviewed else "",
                page.review_due.isoformat() if page.review_due else "",
                [name for name in quoted(page.body) if name in guide.facts],
            )
            for permalink, page in guide.pages.items()
        }
        phases = [(step.title, step.title_url) for step in guide.steps.get(KEY_PHASES, [])]
        data = {name: value for name, value in guide.data.items() if name != "navigation"}
        facts = {
            name: {"checked": fact.checked.isoformat(), "title": fact.source.title, "url": fact.source.url}
            for name, fact in guide.facts.items()
        }
        return cls(base_path, guide.navigation, pages, phases, data, dict(assets or {}), facts)

    def section(self, permalink: str, section_id: str) -> tuple[PageSections, str] | None:
        page = self.pages.get(permalink)
        if page is None or not page.takes_feedback or section_id not in page.sections:
            return None
        return page, page.sections[section_id]

    def reviews(self) -> list[Review]:
        return [
            Review.from_text(permalink, page.title, page.owner, page.last_reviewed, page.review_due)
            for permalink, page in self.pages.items()
        ]

    def dump(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, sort_keys=True), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> SiteManifest:
        raw = json.loads(path.read_text(encoding="utf-8"))
        nav = raw["navigation"]
        navigation = Navigation(
            service_name=nav["service_name"],
            header=[NavLink(**link) for link in nav["header"]],
            sidebar=[NavSection(section["heading"], tuple(section["permalinks"])) for section in nav["sidebar"]],
            footer=[NavLink(**link) for link in nav["footer"]],
            feedback_href=nav["feedback_href"],
        )
        pages = {permalink: PageSections(**page) for permalink, page in raw["pages"].items()}
        phases = [tuple(phase) for phase in raw["phases"]]
        return cls(raw["base_path"], navigation, pages, phases, raw["data"], raw["assets"], raw.get("facts", {}))
