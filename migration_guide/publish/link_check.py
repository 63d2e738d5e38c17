"""The build's check of the pages the app writes itself: every internal link lands on a page and an id.

Links in Markdown pages are checked against the guide when it loads (see `content.validation`).
The app's own pages (search, the planner, print, request help, the 404 page) are made from
templates, so their links are checked here, in the files the freezer wrote, and a missing
target fails the build naming the page and the link.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..content.links import APP_PAGES
from ..content.model import Guide
from ..content.problems import ContentError, Problem

ID = re.compile(r"""\sid=["']([^"']+)["']""")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[int, str]] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag in ("a", "link", "area") else None
        if href:
            self.links.append((self.getpos()[0], href))


def _frozen_file(out_dir: Path, path: str) -> Path | None:
    candidate = out_dir / unquote(path).lstrip("/")
    if path.endswith("/"):
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def written_pages(guide: Guide) -> list[str]:
    """The pages the app writes from templates rather than Markdown."""
    return [path for path in APP_PAGES if path not in guide.pages] + ["/404.html"]


def check_app_pages(out_dir: Path, guide: Guide, base_path: str = "") -> None:
    """Raises `ContentError` naming each app page and link whose target is missing."""
    ids: dict[Path, set[str]] = {}
    problems = []
    for page in written_pages(guide):
        source = _frozen_file(out_dir, page)
        if source is None:
            continue
        parser = _Links()
        parser.feed(source.read_text(encoding="utf-8"))
        for line, href in parser.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not (parts.path or parts.fragment):
                continue
            path = parts.path or page
            if parts.path:
                if not path.startswith(base_path + "/"):
                    problems.append(Problem(source, line, f"link to {href} is outside the base path {base_path}"))
                    continue
                path = path[len(base_path) :]
            target = _frozen_file(out_dir, path)
            if target is None:
                problems.append(Problem(source, line, f"{page} links to {href}, which the build did not write"))
                continue
            if parts.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = set(ID.findall(target.read_text(encoding="utf-8")))
                if unquote(parts.fragment) not in ids[target]:
                    problems.append(
                        Problem(source, line, f"{page} links to {href}, but that page has no id '{parts.fragment}'")
                    )
    if problems:
        raise ContentError(problems)
