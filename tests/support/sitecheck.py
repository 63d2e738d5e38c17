"""Checks a frozen site the way a reader's browser would: every internal link, anchor and asset.

Content validation catches bad links before freezing; this proves the output
itself, including template links, CSS `url()`s and the base path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.references: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "a" and "name" in attributes:
            self.ids.add(attributes["name"])
        for name in ("href", "src", "action"):
            value = attributes.get(name)
            if value and not (tag == "form" and name == "action" and value.startswith("/api/")):
                self.references.append(value)


@dataclass(frozen=True)
class BrokenReference:
    source: str
    reference: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reference} ({self.reason})"


def _file_for(site: Path, path: str) -> Path | None:
    candidate = site / unquote(path).lstrip("/")
    if path.endswith("/"):
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def _url_of(relative: Path) -> str:
    """The address a frozen file is served at: `guide/index.html` → `/guide/`."""
    path = "/" + relative.as_posix()
    return path[: -len("index.html")] if relative.name == "index.html" else path


def check_site(site: Path, base_path: str = "", ignore_prefixes: tuple[str, ...] = ("/api/",)) -> list[BrokenReference]:
    """Every broken internal reference in the frozen site at `site`, served under `base_path`."""
    parsed: dict[Path, _PageParser] = {}

    def parse(file: Path) -> _PageParser:
        if file not in parsed:
            parser = _PageParser()
            parser.feed(file.read_text(encoding="utf-8"))
            parsed[file] = parser
        return parsed[file]

    broken: list[BrokenReference] = []
    for html_file in sorted(site.rglob("*.html")):
        relative = html_file.relative_to(site)
        page_url = base_path + _url_of(relative)
        for reference in parse(html_file).references:
            parts = urlsplit(urljoin(page_url, reference))
            if parts.scheme in ("http", "https", "mailto", "tel") and urlsplit(reference).netloc:
                continue
            if parts.scheme and parts.scheme not in ("http", "https"):
                continue
            path = parts.path
            if any(path.startswith(base_path + prefix) for prefix in ignore_prefixes):
                continue
            if not path.startswith(base_path + "/"):
                broken.append(BrokenReference(str(relative), reference, f"outside the base path {base_path or '/'}"))
                continue
            target = _file_for(site, path[len(base_path) :])
            if target is None:
                broken.append(BrokenReference(str(relative), reference, "no such file"))
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in parse(target).ids:
                broken.append(BrokenReference(str(relative), reference, f"no element with id '{parts.fragment}'"))

    for css_file in sorted(site.rglob("*.css")):
        relative = css_file.relative_to(site)
        css_url = base_path + "/" + str(relative)
        for reference in CSS_URL.findall(css_file.read_text(encoding="utf-8")):
            if reference.startswith(("data:", "http:", "https:", "#")):
                continue
            path = urlsplit(urljoin(css_url, reference)).path
            if not path.startswith(base_path + "/") or _file_for(site, path[len(base_path) :]) is None:
                broken.append(BrokenReference(str(relative), reference, "no such file"))
    return broken
