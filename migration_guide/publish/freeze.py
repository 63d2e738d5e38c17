"""Freezing the guide to static files with Frozen-Flask, plus what Frozen-Flask leaves to us:
the 404 page, redirect pages and Netlify's `_redirects` file."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from flask import Flask, render_template
from flask_frozen import Freezer, MissingURLGeneratorWarning
from jinja2 import FileSystemBytecodeCache

from ..config import Settings
from ..content.links import APP_PAGES
from ..content.loading import load_guide
from ..content.model import Guide
from ..content.ownership import Review, overdue
from ..forms.views import PAGE_TEMPLATES
from ..pages.app import create_app
from ..pages.checklists import csv_paths
from ..pages.whats_new import FEED
from ..templating import precompile
from ..web.assets import build_assets
from ..web.manifest import SiteManifest
from . import parallel_freeze
from .css_purge import class_sources, expected_cut, purge_site_stylesheet
from .link_check import check_app_pages
from .page_cache import PageCache
from .search_index import SEARCHED_APP_PAGES, SearchIndex, checklist_records

#: Files in the output folder that the freezer did not write but must keep.
WRITTEN_AFTER_FREEZING = ["404.html", "_redirects"]


@dataclass(frozen=True)
class BuildReport:
    pages: int
    files: int
    seconds: float
    out_dir: Path
    #: Pages whose review date has passed, for the build to warn about.
    overdue: tuple[Review, ...] = ()

    def summary(self) -> str:
        return f"Built {self.pages} pages ({self.files} files) to {self.out_dir} in {self.seconds:.2f}s"


def _searched(guide: Guide) -> list[str]:
    """The pages Pagefind indexes: every Markdown page, and the app pages with a body to search."""
    return [*guide.pages, *(path for path in SEARCHED_APP_PAGES if path not in guide.pages)]


def _urls(guide: Guide, asset_files: Iterable[str]) -> Iterable[str]:
    yield from _searched(guide)  # first: Pagefind can start once they are written (see `SiteBuilder.build`)
    yield "/sitemap.xml"
    yield "/robots.txt"
    yield FEED
    yield from (path for path in APP_PAGES if path not in SEARCHED_APP_PAGES)
    yield from csv_paths(guide)
    for name in asset_files:
        yield f"/assets/{name}"


def _redirect_file(old: str) -> str:
    """The meta-refresh page at an old address, relative to the output folder."""
    return f"{old.strip('/')}/index.html"


def _write_if_changed(path: Path, text: str) -> None:
    """As Frozen-Flask does with pages: a file left as it was is neither written nor re-uploaded."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except FileNotFoundError:
        pass
    path.write_text(text, encoding="utf-8")


def _write_the_rest(settings: Settings, app: Flask, guide: Guide, out_dir: Path) -> int:
    """What Frozen-Flask leaves to us: the 404 page, a page at each old address and Netlify's `_redirects`
    (none of them searched). Returns how many files."""
    files = 2
    with app.test_request_context(base_url=f"http://localhost{settings.base_path}/"):
        _write_if_changed(out_dir / "404.html", render_template("404.jinja"))
        redirect_lines = []
        if settings.functions_url:
            # Netlify cannot run Python: the form functions live on AWS Lambda, proxied (status 200) from here.
            # Signed: Netlify adds X-Nf-Sign, made with API_SIGNATURE_TOKEN, which the functions check.
            redirect_lines.append(
                f"{settings.base_path}/api/* {settings.functions_url}/api/:splat 200 Sign=API_SIGNATURE_TOKEN"
            )
        for old, permalink in sorted(guide.redirects.items()):
            target = settings.base_path + permalink
            page_file = out_dir / _redirect_file(old)
            page_file.parent.mkdir(parents=True, exist_ok=True)
            _write_if_changed(page_file, render_template("redirect.jinja", target=target, page=guide.pages[permalink]))
            redirect_lines.append(
                f"{settings.base_path}{old} {target} 301!"
            )  # forced: the meta-refresh page at the old address is for other hosts
            files += 1
        _write_if_changed(out_dir / "_redirects", "\n".join(redirect_lines) + "\n")
    return files


def build_site(settings: Settings, on_progress: Callable[[str], None] | None = None) -> BuildReport:
    """Load, check and freeze the whole guide into `settings.out_dir`. Raises `ContentError` on bad content."""
    return SiteBuilder(settings).build(on_progress)


class SiteBuilder:
    """Builds the site, as often as asked (`guide build --watch`), keeping the app between builds: its templates
    stay loaded (Jinja reloads one whose file changed), which was a sixth of a small guide's rebuild."""

    def __init__(self, settings: Settings):
        self.settings = settings
        #: The app of the last build: kept for the next.
        self.app: Flask | None = None

    def app_for(self, guide: Guide) -> Flask:
        settings = self.settings
        if self.app is None:
            self.app = create_app(settings, guide)
            # Compiled templates, reused by the next build and by each worker: compiling them was most of a small
            # guide's build. Code, not output, so `--no-cache` (which renders every page again) keeps them too.
            settings.template_bytecode_dir.mkdir(parents=True, exist_ok=True)
            self.app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(settings.template_bytecode_dir))
        else:
            self.app.extensions["guide_source"].use(guide)
            self.app.extensions["assets"] = build_assets(settings)  # compiled again only if a source changed
            self.app.jinja_env.auto_reload = True  # a template saved since the last build is read again
        return self.app

    def build(self, on_progress: Callable[[str], None] | None = None) -> BuildReport:
        """Load, check and freeze the whole guide. Raises `ContentError` on bad content."""
        settings = self.settings
        started = time.perf_counter()
        guide = load_guide(settings)
        app = self.app_for(guide)
        out_dir = settings.out_dir.resolve()
        app.config.update(
            FREEZER_DESTINATION=str(out_dir),
            FREEZER_BASE_URL=f"http://localhost{settings.base_path}/",
            FREEZER_REMOVE_EXTRA_FILES=True,
            # Files this build writes after freezing are not extra: removed, they would only be written again.
            # (A redirect dropped from the content is no longer listed, so the freezer removes its page.)
            FREEZER_DESTINATION_IGNORE=[
                *WRITTEN_AFTER_FREEZING,
                *map(_redirect_file, guide.redirects),
                "pagefind/*",
                "api/*",
            ],
            FREEZER_REDIRECT_POLICY="error",
        )
        assets = app.extensions["assets"]
        page_cache = PageCache(settings, guide, assets.manifest)  # a warm rebuild skips unchanged pages
        page_cache.forget()
        if cut := expected_cut(settings.purged_css_dir, settings.content_dir, assets.manifest):
            # Pages name the cut stylesheet the last build ended with: usually no page is written twice (see css_purge).
            app.extensions["assets"] = replace(assets, manifest={**assets.manifest, "app.css": cut})
        app.config["FREEZER_SKIP_EXISTING"] = page_cache.skip
        freezer = Freezer(app, with_static_files=False, with_no_argument_rules=False, log_url_for=False)
        asset_files = assets.files()
        freezer.register_generator(lambda: _urls(guide, asset_files))

        records = checklist_records(guide)
        index_record = settings.cache_dir / "search-index.json" if settings.use_render_cache else None
        with SearchIndex(out_dir, records, index_record) as search, ThreadPoolExecutor(2) as background:
            # Pagefind runs as a process of its own. It starts once the last page it searches is written (those
            # come first), and reads them while the rest are frozen; then PurgeCSS cuts the stylesheet beside it
            # (pages are rewritten atomically, and only their <head> changes).
            searched = set(_searched(guide))
            indexing: Future | None = None
            files = 0
            with warnings.catch_warnings():
                # Our generator yields plain URLs, so Frozen-Flask cannot tell which endpoints it covered.
                warnings.simplefilter("ignore", MissingURLGeneratorWarning)
                for frozen in parallel_freeze.freeze_yield(freezer):  # across cores for large guides
                    files += 1
                    searched.discard(frozen.url)
                    if not searched and indexing is None:
                        indexing = background.submit(search.finish)
                    if on_progress:
                        on_progress(frozen.url)
            files += _write_the_rest(settings, app, guide, out_dir)
            if indexing is None:  # a searched page the freezer did not give back: index what there is
                indexing = background.submit(search.finish)
            compiling = background.submit(
                precompile, settings.templates_dir, settings.compiled_templates_dir, PAGE_TEMPLATES
            )
            # Only the CSS rules some page or function can use (see css_purge); the functions get the same file.
            # The Markdown's classes are in the frozen pages already; templates and Python make the functions' pages.
            assets_manifest = purge_site_stylesheet(
                out_dir,
                assets.manifest,
                class_sources(settings),
                cache_dir=settings.purged_css_dir,
                content_dir=settings.content_dir,
            )
            # After the cut, which the pages name. Markdown pages' links were checked when loading.
            check_app_pages(
                out_dir,
                guide,
                settings.base_path,
                settings.cache_dir / "page-ids.json" if settings.use_render_cache else None,
            )
            SiteManifest.from_guide(guide, settings.base_path, assets_manifest).dump(settings.functions_manifest)
            compiling.result()
            indexing.result()
        page_cache.save()
        search.record()  # every page written: a rebuild changing none keeps the index
        reviews = [Review.of(page, settings.content_dir) for page in guide.pages.values()]
        return BuildReport(
            len(guide.pages), files, time.perf_counter() - started, out_dir, tuple(overdue(reviews, date.today()))
        )
