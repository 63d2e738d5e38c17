"""Reading `content/` into a `Guide`: front matter, data files, navigation and steps, then rendering and checks.

`load_guide` reads every file once, renders every page once (see `render_cache`) and
validates the result, raising `ContentError` with every problem found.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import frontmatter
import yaml

from ..config import Settings
from .checklist_files import SAFE_LOADER, read_checklists
from .checklists import FOLDER
from .fact_files import read_facts
from .facts import FACTS_FILE, named_sources
from .layouts import DEFAULT as DEFAULT_LAYOUT
from .layouts import LAYOUTS
from .links import canonical_path
from .model import Guide, Page, Step
from .navigation import Navigation, NavLink, NavSection
from .phases import describe_step
from .problems import ContentError, Problem, yaml_problem
from .render_cache import render_pages
from .validation import validate

#: Folders of content/ that hold data rather than pages.
SPECIAL_FOLDERS = ("steps", "data", FOLDER)


def _key_lines(front: str) -> dict[str, int]:
    """Top-level front-matter key → its line in the file (the front matter text starts on the opening "---" line)."""
    lines = {}
    for number, line in enumerate(front.splitlines(), start=1):
        key, colon, _ = line.partition(":")
        if colon and key and not key[0].isspace() and key not in lines:
            lines[key.strip()] = number
    return lines


def read_front_matter(path: Path, text: str, problems: list[Problem]) -> tuple[dict, str, int, dict] | None:
    """Metadata, body, the body's first line and each key's line; None (with a problem recorded) if unreadable."""
    handler = frontmatter.YAMLHandler()
    if not handler.detect(text):
        return {}, text, 1, {}
    try:
        front, body = handler.split(text)
        metadata = handler.load(front) or {}
    except yaml.YAMLError as error:
        problems.append(yaml_problem(path, error, "front matter is not valid YAML"))
        return None
    except ValueError as error:
        problems.append(Problem(path, 1, f"front matter cannot be read: {error}", unreadable=True))
        return None
    if not isinstance(metadata, dict):
        problems.append(Problem(path, 2, "front matter must be a set of 'key: value' lines"))
        return None
    body_line = text.count("\n", 0, len(text) - len(body)) + 1
    return metadata, body, body_line, _key_lines(front)


def _load_yaml(path: Path, problems: list[Problem]):
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # safe, with libyaml's speed
    except yaml.YAMLError as error:
        problems.append(yaml_problem(path, error, "not valid YAML"))
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
            parsed = read_front_matter(path, path.read_text(encoding="utf-8"), problems)
            if parsed is None:
                continue
            meta, body, _, key_lines = parsed
            missing = [key for key in ("title", "title_url") if not meta.get(key)]
            if missing:
                problems.append(Problem(path, None, f"step is missing {' and '.join(missing)} in its front matter"))
                continue
            steps.append(
                Step(
                    path,
                    group_dir.name,
                    str(meta["title"]),
                    float(meta.get("order", 0) or 0),
                    str(meta["title_url"]),
                    str(meta.get("duration") or ""),
                    body.strip(),
                    meta,
                    describe_step(meta),
                    key_lines,
                )
            )
        steps.sort(key=lambda step: (step.order, step.source.name))
    return groups


def _page_paths(content_dir: Path) -> list[Path]:
    return sorted(
        path for path in content_dir.rglob("*.md") if path.relative_to(content_dir).parts[0] not in SPECIAL_FOLDERS
    )


def _read_pages(content_dir: Path, problems: list[Problem]) -> list[Page]:
    pages: list[Page] = []
    seen: dict[str, Path] = {}
    for path in _page_paths(content_dir):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(Problem(path, None, f"not UTF-8 text: {error}", unreadable=True))
            continue
        parsed = read_front_matter(path, text, problems)
        if parsed is None:
            continue
        meta, body, body_line, key_lines = parsed
        missing = [key for key in ("title", "permalink") if not meta.get(key)]
        if missing:
            problems.append(Problem(path, 1, f"front matter is missing {' and '.join(missing)}"))
            continue
        layout_name = str(meta.get("layout") or DEFAULT_LAYOUT)
        if layout_name not in LAYOUTS:
            problems.append(
                Problem(
                    path, key_lines.get("layout"), f"unknown layout '{layout_name}' (use one of: {', '.join(LAYOUTS)})"
                )
            )
            continue
        permalink = canonical_path(str(meta["permalink"]))
        if permalink in seen:
            problems.append(
                Problem(path, key_lines.get("permalink"), f"permalink {permalink} is also used by {seen[permalink]}")
            )
            continue
        seen[permalink] = path
        version = hashlib.sha256(raw).hexdigest()[:12]
        pages.append(
            Page(
                path,
                permalink,
                str(meta["title"]),
                LAYOUTS[layout_name].name,
                meta,
                body,
                body_line,
                version,
                key_lines,
            )
        )
    return pages


def read_pages(content_dir: Path) -> list[Page]:
    """Every readable page's front matter, unrendered and unchecked: enough for owners and review dates."""
    return _read_pages(content_dir, [])


def load_guide(settings: Settings) -> Guide:
    """Read, render and check everything under `settings.content_dir`.

    Raises `ContentError` listing every problem found.
    """
    guide, problems = read_guide(settings)
    if problems:
        raise ContentError(problems)
    return guide


def read_guide(settings: Settings) -> tuple[Guide, list[Problem]]:
    """Everything under `settings.content_dir` that could be read, and every problem found, worst first.

    `guide serve` keeps serving the pages that are fine; a build uses `load_guide`, which refuses any problem.
    """
    content_dir = settings.content_dir
    problems: list[Problem] = []
    if not content_dir.is_dir():
        raise ContentError([Problem(content_dir, None, "content folder not found")])

    data: dict[str, object] = {}
    data_dir = content_dir / "data"
    for path in sorted(data_dir.glob("*.y*ml")) if data_dir.is_dir() else []:
        if path.name != FACTS_FILE.name:  # facts are read with their lines, by read_facts
            data[path.stem] = _load_yaml(path, problems)
    navigation = _load_navigation(data.get("navigation"), data_dir / "navigation.yml", problems)
    steps = _load_steps(content_dir / "steps", problems)
    pages = _read_pages(content_dir, problems)
    checklists = read_checklists(content_dir, problems)
    facts = read_facts(content_dir, problems)
    for page in pages:
        if None in named_sources(page.meta):
            line = page.meta_lines.get("sources")
            problems.append(Problem(page.source, line, "each of sources: needs a title and an http(s) url"))

    steps_source = {group: [step.as_view_source() for step in group_steps] for group, group_steps in steps.items()}
    render_pages(pages, settings, steps_source, {name: fact.value for name, fact in facts.items()})
    for page in pages:
        for line, message in page.rendered.problems:
            problems.append(Problem(page.source, page.body_line + line - 1, message))

    redirects: dict[str, str] = {}
    for page in pages:
        for old in page.meta.get("redirect_from") or []:
            redirects[canonical_path(str(old))] = page.permalink

    guide = Guide(
        content_dir, {page.permalink: page for page in pages}, steps, navigation, data, redirects, checklists, facts
    )
    problems.extend(validate(guide, settings.is_production, settings.review_grace_days))
    return guide, sorted(problems, key=lambda problem: problem.order)
