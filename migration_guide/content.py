"""The guide's content as plain nouns: a `Page`, a `Step`, the `Navigation`, the whole `Guide`.

`load_guide` reads `content/` once, renders every page once and checks the
result; the app and the freezer are handed the `Guide` and never re-read files.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import frontmatter
import yaml

from .config import Settings
from .navigation import Navigation, NavLink, NavSection
from .rendering import RENDERER_VERSION, MarkdownRenderer, RenderedPage
from .urls import canonical_path

LAYOUTS = {"home": "home", "page": "page", "guide": "guide", "page_with_sidebar": "guide"}
SPECIAL_FOLDERS = ("steps", "data")
#: Below this many pages to render, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 150


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


class ContentError(Exception):
    """Content that cannot be published; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (str(p.path), p.line or 0))
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass
class Page:
    source: Path
    permalink: str
    title: str
    layout: str
    meta: dict
    body: str
    #: Line of the file on which the Markdown body starts, so problems can name a line.
    body_line: int
    version: str
    rendered: RenderedPage | None = None

    @property
    def description(self) -> str:
        return str(self.meta.get("description") or "")

    @property
    def subtitle(self) -> str:
        return str(self.meta.get("subtitle") or "")

    @property
    def last_reviewed(self) -> date | None:
        return _as_date(self.meta.get("last_reviewed"))

    @property
    def review_due(self) -> date | None:
        return _as_date(self.meta.get("review_due"))

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

    def as_view_source(self) -> dict:
        return {"title": self.title, "title_url": self.title_url, "duration": self.duration, "body": self.body,
                "when": self.when}

    @property
    def when(self) -> str:
        """When the step happens, from its week offsets (the planner's source too); "" without them."""
        from .planner import END_KEY, START_KEY, describe_span, is_week_offset

        starts, ends = self.meta.get(START_KEY), self.meta.get(END_KEY)
        return describe_span(starts, ends) if is_week_offset(starts) and is_week_offset(ends) else ""


@dataclass
class Guide:
    content_dir: Path
    pages: dict[str, Page]
    steps: dict[str, list[Step]]
    navigation: Navigation
    data: dict[str, object]
    #: Old address → permalink, from `redirect_from` front matter.
    redirects: dict[str, str]

    def page(self, path: str) -> Page | None:
        return self.pages.get(canonical_path(path))

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

    def pages_in_reading_order(self) -> list[Page]:
        ordered = [self.pages[p] for section in self.navigation.sidebar for p in section.permalinks if p in self.pages]
        listed = {page.permalink for page in ordered}
        return ordered + sorted((p for p in self.pages.values() if p.permalink not in listed), key=lambda p: p.permalink)


def _as_date(value) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _read_front_matter(path: Path, text: str, problems: list[Problem]) -> tuple[dict, str, int] | None:
    """Metadata, body and the body's first line; None (with a problem recorded) if unreadable."""
    handler = frontmatter.YAMLHandler()
    if not handler.detect(text):
        return {}, text, 1
    try:
        front, body = handler.split(text)
        metadata = handler.load(front) or {}
    except yaml.YAMLError as error:
        # The context mark (where the broken construct starts) is nearer the mistake than the problem mark.
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1  # the front matter text starts on the opening "---" line
        problems.append(Problem(path, line, f"front matter is not valid YAML: {getattr(error, 'problem', error)}"))
        return None
    except ValueError as error:
        problems.append(Problem(path, 1, f"front matter cannot be read: {error}"))
        return None
    if not isinstance(metadata, dict):
        problems.append(Problem(path, 2, "front matter must be a set of 'key: value' lines"))
        return None
    body_line = text.count("\n", 0, len(text) - len(body)) + 1
    return metadata, body, body_line


def _load_yaml(path: Path, problems: list[Problem]):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        problems.append(Problem(path, mark.line + 1 if mark else None, f"not valid YAML: {getattr(error, 'problem', error)}"))
        return None


def _load_navigation(raw, path: Path, problems: list[Problem]) -> Navigation:
    if raw is None:
        return Navigation()
    if not isinstance(raw, dict):
        problems.append(Problem(path, None, "navigation must be a mapping with header, sidebar and footer"))
        return Navigation()
    try:
        return Navigation(
            service_name=str(raw.get("service_name") or Navigation.service_name),
            header=[NavLink(str(item["text"]), str(item["href"])) for item in raw.get("header") or []],
            sidebar=[
                NavSection(str(section["heading"]), tuple(canonical_path(str(p)) for p in section.get("pages") or []))
                for section in raw.get("sidebar") or []
            ],
            footer=[NavLink(str(item["text"]), str(item["href"])) for item in raw.get("footer") or []],
            feedback_href=str(raw.get("feedback_href") or ""),
        )
    except (KeyError, TypeError) as error:
        problems.append(Problem(path, None, f"navigation entry is missing {error}"))
        return Navigation()


def _load_steps(steps_dir: Path, problems: list[Problem]) -> dict[str, list[Step]]:
    groups: dict[str, list[Step]] = {}
    if not steps_dir.is_dir():
        return groups
    for group_dir in sorted(p for p in steps_dir.iterdir() if p.is_dir()):
        steps = groups.setdefault(group_dir.name, [])
        for path in sorted(group_dir.glob("*.md")):
            parsed = _read_front_matter(path, path.read_text(encoding="utf-8"), problems)
            if parsed is None:
                continue
            meta, body, _ = parsed
            missing = [key for key in ("title", "title_url") if not meta.get(key)]
            if missing:
                problems.append(Problem(path, None, f"step is missing {' and '.join(missing)} in its front matter"))
                continue
            steps.append(
                Step(path, group_dir.name, str(meta["title"]), float(meta.get("order", 0) or 0), str(meta["title_url"]),
                     str(meta.get("duration") or ""), body.strip(), meta)
            )
        steps.sort(key=lambda step: (step.order, step.source.name))
    return groups


def _page_paths(content_dir: Path) -> list[Path]:
    return sorted(
        path for path in content_dir.rglob("*.md")
        if path.relative_to(content_dir).parts[0] not in SPECIAL_FOLDERS
    )


def _read_pages(content_dir: Path, problems: list[Problem]) -> list[Page]:
    pages: list[Page] = []
    seen: dict[str, Path] = {}
    for path in _page_paths(content_dir):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(Problem(path, None, f"not UTF-8 text: {error}"))
            continue
        parsed = _read_front_matter(path, text, problems)
        if parsed is None:
            continue
        meta, body, body_line = parsed
        missing = [key for key in ("title", "permalink") if not meta.get(key)]
        if missing:
            problems.append(Problem(path, 1, f"front matter is missing {' and '.join(missing)}"))
            continue
        layout_name = str(meta.get("layout") or "page")
        if layout_name not in LAYOUTS:
            problems.append(Problem(path, _meta_line(text, "layout"), f"unknown layout '{layout_name}' (use one of: {', '.join(LAYOUTS)})"))
            continue
        permalink = canonical_path(str(meta["permalink"]))
        if permalink in seen:
            problems.append(Problem(path, _meta_line(text, "permalink"), f"permalink {permalink} is also used by {seen[permalink]}"))
            continue
        seen[permalink] = path
        version = hashlib.sha256(raw).hexdigest()[:12]
        pages.append(Page(path, permalink, str(meta["title"]), LAYOUTS[layout_name], meta, body, body_line, version))
    return pages


def _meta_line(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(f"{key}:"):
            return number
    return None


# Rendering, cached by content and rendered in parallel for large guides.

_worker_renderer: MarkdownRenderer | None = None


def _start_worker(templates_dir: Path, base_path: str, steps_source: dict) -> None:
    global _worker_renderer
    _worker_renderer = MarkdownRenderer(templates_dir, base_path, steps_source)


def _render_in_worker(body: str) -> RenderedPage:
    return _worker_renderer.render(body)


def _render_pages(pages: list[Page], settings: Settings, steps_source: dict) -> None:
    fingerprint = hashlib.sha256(
        pickle.dumps((RENDERER_VERSION, settings.base_path, steps_source,
                      (settings.templates_dir / "components" / "markdown.jinja").read_bytes()))
    ).hexdigest()
    cache_dir = settings.cache_dir / "render"
    keys = {page.permalink: hashlib.sha256((fingerprint + page.body).encode()).hexdigest() for page in pages}
    to_render: list[Page] = []
    for page in pages:
        cached = cache_dir / f"{keys[page.permalink]}.pickle"
        if settings.use_render_cache and cached.exists():
            try:
                page.rendered = pickle.loads(cached.read_bytes())
                continue
            except (pickle.UnpicklingError, EOFError, AttributeError):
                pass  # a damaged cache entry is rendered again
        to_render.append(page)

    workers = min(os.cpu_count() or 1, 8)
    if len(to_render) >= PARALLEL_THRESHOLD and workers > 1:
        with ProcessPoolExecutor(workers, initializer=_start_worker,
                                 initargs=(settings.templates_dir, settings.base_path, steps_source)) as pool:
            results = pool.map(_render_in_worker, [page.body for page in to_render], chunksize=16)
            for page, rendered in zip(to_render, results):
                page.rendered = rendered
    else:
        renderer = MarkdownRenderer(settings.templates_dir, settings.base_path, steps_source)
        for page in to_render:
            page.rendered = renderer.render(page.body)

    if settings.use_render_cache and to_render:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for page in to_render:
            (cache_dir / f"{keys[page.permalink]}.pickle").write_bytes(pickle.dumps(page.rendered))


def load_guide(settings: Settings) -> Guide:
    """Read, render and check everything under `settings.content_dir`.

    Raises `ContentError` listing every problem found.
    """
    from .validation import validate  # validation reads Guide; imported here to keep the module graph one-way

    content_dir = settings.content_dir
    problems: list[Problem] = []
    if not content_dir.is_dir():
        raise ContentError([Problem(content_dir, None, "content folder not found")])

    data: dict[str, object] = {}
    data_dir = content_dir / "data"
    for path in sorted(data_dir.glob("*.y*ml")) if data_dir.is_dir() else []:
        data[path.stem] = _load_yaml(path, problems)
    navigation = _load_navigation(data.get("navigation"), data_dir / "navigation.yml", problems)
    steps = _load_steps(content_dir / "steps", problems)
    pages = _read_pages(content_dir, problems)

    steps_source = {group: [step.as_view_source() for step in group_steps] for group, group_steps in steps.items()}
    _render_pages(pages, settings, steps_source)
    for page in pages:
        for line, message in page.rendered.problems:
            problems.append(Problem(page.source, page.body_line + line - 1, message))

    redirects: dict[str, str] = {}
    for page in pages:
        for old in page.meta.get("redirect_from") or []:
            redirects[canonical_path(str(old))] = page.permalink

    guide = Guide(content_dir, {page.permalink: page for page in pages}, steps, navigation, data, redirects)
    problems.extend(validate(guide, settings.is_production))
    if problems:
        raise ContentError(problems)
    return guide
