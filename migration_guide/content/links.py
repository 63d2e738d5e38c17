"""One rule for what an internal address means, used by rendering, validation and the app.

Pure: the Flask helpers that put the base path in front live in `web.urls`."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import urlsplit

#: The guide's first home. Links written with this prefix mean the same page at the root.
LEGACY_BASE_PATH = "/prm-practice-migration"


@dataclass(frozen=True)
class InternalLink:
    path: str  # canonical path, such as "/guide/kick-off/"
    fragment: str  # heading id, or ""
    query: str = ""

    def href(self, base_path: str = "") -> str:
        href = base_path + self.path
        if self.query:
            href += "?" + self.query
        if self.fragment:
            href += "#" + self.fragment
        return href


def is_internal(href: str) -> bool:
    """Root-relative links are ours; protocol-relative, absolute and relative ones are left alone."""
    return href.startswith("/") and not href.startswith("//")


def canonical_path(path: str) -> str:
    """The address a page is frozen to: legacy prefix removed, one trailing slash.

    Paths whose last segment has a file extension (`/sitemap.xml`) keep their form.
    """
    if path == LEGACY_BASE_PATH or path.startswith(LEGACY_BASE_PATH + "/"):
        path = path[len(LEGACY_BASE_PATH) :] or "/"
    path = posixpath.normpath(path) if path not in ("", "/") else "/"
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    last_segment = path.rsplit("/", 1)[-1]
    if path != "/" and "." not in last_segment:
        path += "/"
    return path


def parse_internal(href: str) -> InternalLink:
    parts = urlsplit(href)
    return InternalLink(canonical_path(parts.path or "/"), parts.fragment, parts.query)


#: Addresses the app serves that are not Markdown pages. Links to them are valid;
#: each feature adds its page here when it lands.
APP_PATHS: frozenset[str] = frozenset({"/sitemap.xml", "/robots.txt"})

#: Pages made by the app rather than from Markdown: search, the date planner and the whole
#: guide to print. They are frozen like guide pages, and content may link to them.
APP_PAGES: tuple[str, ...] = ("/search/", "/plan/", "/guide/print/", "/request-help/", "/privacy/", "/whats-new/")
APP_PATHS = APP_PATHS | frozenset(APP_PAGES)
