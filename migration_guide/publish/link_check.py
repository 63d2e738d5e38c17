"""The build's check of the pages the app writes itself: every internal link lands on a page and an id.

Links in Markdown pages are checked against the guide when it loads (see `content.validation`).
The app's own pages (search, the planner, print, request help, the 404 page) are made from
templates, so their links are checked here, in the files the freezer wrote, and a missing
target fails the build naming the page and the link.

The search page's A to Z links to every section of every page, so checking it means finding the
ids of every frozen page. Those are kept (`IdCache`) by each file's size and modification time:
Frozen-Flask leaves a page it would write unchanged untouched, so a rebuild reads again only the
pages it wrote.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..content.links import APP_PAGES
from ..content.model import Guide
from ..content.problems import ContentError, Problem

#: An id attribute; `_ids` keeps those after white space. (A pattern starting with text is found
#: about 4 times faster than one starting with \s, and the check reads every frozen page.)
ID = re.compile(r"""id=(?:"([^"]+)"|'([^']+)')""")


def _ids(text: str) -> list[str]:
    return [
        match[1] if match[1] is not None else match[2]
        for match in ID.finditer(text)
        if match.start() and text[match.start() - 1].isspace()
    ]


#: The href of an a, link or area tag. A regular expression, not an HTML parser: the print page holds
#: the whole guide, and parsing it was most of the check (a second at 1,000 pages). Our templates and
#: the Markdown serializer quote every attribute.
LINK = re.compile(r"""<(?:a|link|area)\b[^>]*?\shref=(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def _links(text: str) -> list[tuple[int, str]]:
    """Each link's line and href, as an HTML parser would give them (entities decoded)."""
    found, line, counted = [], 1, 0
    for match in LINK.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        found.append((line, html.unescape(match[1] if match[1] is not None else match[2])))
    return [(number, href) for number, href in found if href]


def _frozen_file(out_dir: Path, path: str) -> Path | None:
    candidate = out_dir / unquote(path).lstrip("/")
    if path.endswith("/"):
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def written_pages(guide: Guide) -> list[str]:
    """The pages the app writes from templates rather than Markdown."""
    return [path for path in APP_PAGES if path not in guide.pages] + ["/404.html"]


class IdCache:
    """The element ids of frozen pages, remembered in `file` by each page's path, size and modification time."""

    def __init__(self, file: Path | None):
        self.file = file
        self.known: dict[str, list] = {}
        if file is not None:
            try:
                self.known = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.known = {}  # none yet, or damaged: read every page
        self.used: dict[str, list] = {}

    def ids(self, page: Path) -> set[str]:
        stat = page.stat()
        stamp = [stat.st_size, stat.st_mtime_ns]
        key = str(page)
        entry = self.known.get(key)
        if not entry or entry[0] != stamp:
            entry = [stamp, sorted(set(_ids(page.read_text(encoding="utf-8"))))]
        self.used[key] = entry
        return set(entry[1])

    def save(self) -> None:
        """Keeps the pages this check looked at, so pages that have gone are forgotten."""
        if self.file is not None and self.used != self.known:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.file.with_name(f".{self.file.name}.{os.getpid()}.tmp")
            temporary.write_text(json.dumps(self.used), encoding="utf-8")
            temporary.replace(self.file)


def check_app_pages(out_dir: Path, guide: Guide, base_path: str = "", cache_file: Path | None = None) -> None:
    """Raises `ContentError` naming each app page and link whose target is missing. With `cache_file`, the ids
    of pages unchanged since the last check are not read again."""
    cache = IdCache(cache_file)
    ids: dict[Path, set[str]] = {}
    targets: dict[str, Path | None] = {}  # the search page alone links to each page many times
    problems = []
    for page in written_pages(guide):
        source = _frozen_file(out_dir, page)
        if source is None:
            continue
        for line, href in _links(source.read_text(encoding="utf-8")):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not (parts.path or parts.fragment):
                continue
            path = parts.path or page
            if parts.path:
                if not path.startswith(base_path + "/"):
                    problems.append(Problem(source, line, f"link to {href} is outside the base path {base_path}"))
                    continue
                path = path[len(base_path) :]
            if path not in targets:
                targets[path] = _frozen_file(out_dir, path)
            target = targets[path]
            if target is None:
                problems.append(Problem(source, line, f"{page} links to {href}, which the build did not write"))
                continue
            if parts.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = cache.ids(target)
                if unquote(parts.fragment) not in ids[target]:
                    problems.append(
                        Problem(source, line, f"{page} links to {href}, but that page has no id '{parts.fragment}'")
                    )
    if problems:
        raise ContentError(problems)
    cache.save()  # only after a check that passed
