"""The guide's `Navigation`: header menu, sidebar sections and footer links.

Apart from `content` so the form functions can read it from the build's manifest without
importing the Markdown pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NavLink:
    text: str
    href: str


@dataclass(frozen=True)
class NavSection:
    heading: str
    permalinks: tuple[str, ...]


@dataclass
class Navigation:
    service_name: str = "GP practice migration guide"
    header: list[NavLink] = field(default_factory=list)
    sidebar: list[NavSection] = field(default_factory=list)
    footer: list[NavLink] = field(default_factory=list)
    #: Where the beta banner asks readers to tell us how to improve the guide.
    feedback_href: str = ""

    @property
    def start(self) -> str:
        """Where a reader starts: the sidebar's first page, else the header's first link, else the root."""
        for section in self.sidebar:
            if section.permalinks:
                return section.permalinks[0]
        return self.header[0].href if self.header else "/"

    def section_of(self, permalink: str) -> NavSection | None:
        return next((section for section in self.sidebar if permalink in section.permalinks), None)

    def neighbours(self, permalink: str) -> tuple[str | None, str | None]:
        section = self.section_of(permalink)
        if not section:
            return None, None
        index = section.permalinks.index(permalink)
        previous = section.permalinks[index - 1] if index > 0 else None
        following = section.permalinks[index + 1] if index + 1 < len(section.permalinks) else None
        return previous, following
