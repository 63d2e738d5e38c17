"""Rendering every page of a build: cached by content and by the code that renders, in parallel for large guides.

A cache entry is a pickled `RenderedPage`. Its key covers the page body and everything the
HTML depends on besides: the Python that renders and defines the pickled classes (so moving
or changing that code never unpickles stale or missing classes), the Markdown library, the
component templates, the base path and the steps. An entry that still cannot be read is
rendered again.
"""

from __future__ import annotations

import hashlib
import pickle
from importlib import metadata
from pathlib import Path

from ..config import PARALLEL_THRESHOLD, Settings, worker_count
from ..fingerprints import PACKAGE_DIR, hash_folder
from .model import Page, RenderedPage
from .rendering import MarkdownRenderer

#: The code whose change makes cached pages stale: the content model and renderer, and the Jinja set-up.
RENDERING_CODE = (PACKAGE_DIR / "content", PACKAGE_DIR / "templating.py")

_worker_renderer: MarkdownRenderer | None = None


def _start_worker(settings: Settings, steps_source: dict, facts: dict[str, str]) -> None:
    global _worker_renderer
    _worker_renderer = _renderer(settings, steps_source, facts)


def _renderer(settings: Settings, steps_source: dict, facts: dict[str, str]) -> MarkdownRenderer:
    # The components' compiled templates are kept with the app's: compiling them was a fixed cost of each process.
    return MarkdownRenderer(
        settings.templates_dir, settings.base_path, steps_source, facts, bytecode_dir=settings.template_bytecode_dir
    )


def _render_in_worker(body: str) -> RenderedPage:
    return _worker_renderer.render(body)


def renderer_fingerprint(settings: Settings, steps_source: dict, facts: dict[str, str] | None = None) -> str:
    digest = hashlib.sha256()
    for code in RENDERING_CODE:
        if code.is_dir():
            hash_folder(digest, code, "*.py")
        else:
            digest.update(code.read_bytes())
    digest.update(metadata.version("markdown").encode())
    hash_folder(digest, settings.templates_dir / "components")
    digest.update(pickle.dumps((settings.base_path, steps_source, sorted((facts or {}).items()))))
    return digest.hexdigest()


def _cached(path: Path) -> RenderedPage | None:
    try:
        rendered = pickle.loads(path.read_bytes())
    except Exception:
        return None
    return rendered if isinstance(rendered, RenderedPage) else None


def render_pages(
    pages: list[Page], settings: Settings, steps_source: dict, facts: dict[str, str] | None = None
) -> None:
    """Sets `page.rendered` on every page, from the cache where it can."""
    facts = facts or {}
    fingerprint = renderer_fingerprint(settings, steps_source, facts) if settings.use_render_cache else ""
    cache_dir = settings.cache_dir / "render"
    keys = {page.permalink: hashlib.sha256((fingerprint + page.body).encode()).hexdigest() for page in pages}
    to_render: list[Page] = []
    for page in pages:
        cached = cache_dir / f"{keys[page.permalink]}.pickle"
        page.rendered = _cached(cached) if settings.use_render_cache and cached.exists() else None
        if page.rendered is None:
            to_render.append(page)

    workers = worker_count()
    if len(to_render) >= PARALLEL_THRESHOLD and workers > 1:
        from concurrent.futures import ProcessPoolExecutor  # large guides only

        with ProcessPoolExecutor(
            workers,
            initializer=_start_worker,
            initargs=(settings, steps_source, facts),
        ) as pool:
            results = pool.map(_render_in_worker, [page.body for page in to_render], chunksize=16)
            for page, rendered in zip(to_render, results, strict=True):
                page.rendered = rendered
    else:
        renderer = _renderer(settings, steps_source, facts)
        for page in to_render:
            page.rendered = renderer.render(page.body)

    if settings.use_render_cache and to_render:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for page in to_render:
            (cache_dir / f"{keys[page.permalink]}.pickle").write_bytes(pickle.dumps(page.rendered))
