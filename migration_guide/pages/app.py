"""The application factory: one Flask app serves the whole guide in development and is frozen for production."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask

from ..config import Settings
from ..content.loading import SPECIAL_FOLDERS, load_guide, read_guide
from ..content.model import Guide, Page
from ..content.problems import Problem
from ..forms.app import add_forms
from ..web.app import base_app
from ..web.assets import build_assets
from ..web.manifest import SiteManifest
from . import checklists, planner, printing, search, views, whats_new
from .live_reload import add_live_reload


class GuideSource:
    """Hands views the current `Guide`.

    A build loads the guide once and refuses any problem. The dev server (`watch=True`) reloads it
    when a file under content/ changes, so authors see edits without restarting, and keeps what
    could be read: each page with a problem answers the list of its problems, every other page
    works. `on_problems` hears each new list once (the CLI prints it).
    """

    def __init__(
        self,
        settings: Settings,
        guide: Guide | None = None,
        watch: bool = False,
        on_problems: Callable[[list[Problem]], None] | None = None,
    ):
        self.settings = settings
        self.watch = watch
        self.on_problems = on_problems
        self.problems: list[Problem] = []
        self._guide = guide
        self._stamp = self._content_stamp() if watch else None
        self._site: SiteManifest | None = None
        self._site_for: Guide | None = None

    def use(self, guide: Guide) -> None:
        """Hand views this guide from now on: the next build's, loaded by the builder that keeps this app."""
        self._guide, self.problems = guide, []

    def _content_stamp(self):
        files = [p for p in self.settings.content_dir.rglob("*") if p.is_file()]
        return len(files), max((p.stat().st_mtime_ns for p in files), default=0)

    @property
    def guide(self) -> Guide:
        if self.watch:
            stamp = self._content_stamp()
            if stamp != self._stamp:
                self._guide, self._stamp = None, stamp
        if self._guide is None:
            if self.watch:
                self._guide, self.problems = read_guide(self.settings)
                if self.on_problems:
                    self.on_problems(self.problems)
            else:
                self._guide = load_guide(self.settings)
        return self._guide

    def problems_of(self, page: Page | None) -> list[Problem]:
        """What stops `page` (None: an address no page has) from being right, worst first.

        A page's own problems, and those of files every page may show (data, steps, checklists). A
        page file that could not be read has no known address: its problems answer addresses no page has.
        """
        guide = self.guide
        if not self.problems:  # a build, or content without problems: nothing to sort out, page after page
            return []
        unread_pages = {problem.path for problem in self.problems if problem.unreadable and self._is_page_file(problem)}
        page_files = {loaded.source for loaded in guide.pages.values()} | unread_pages
        shared = [problem for problem in self.problems if problem.path not in page_files]
        if page is None:
            return [problem for problem in self.problems if problem.path in unread_pages] + shared
        return [problem for problem in self.problems if problem.path == page.source] + shared

    def _is_page_file(self, problem: Problem) -> bool:
        path, content_dir = Path(problem.path), self.settings.content_dir
        return (
            path.suffix == ".md"
            and path.is_relative_to(content_dir)
            and path.relative_to(content_dir).parts[0] not in SPECIAL_FOLDERS
        )

    def shown_path(self, problem: Problem) -> str:
        """A problem's file as the author knows it: relative to the content folder when inside it."""
        path, content_dir = Path(problem.path), self.settings.content_dir
        return str(path.relative_to(content_dir)) if path.is_relative_to(content_dir) else str(path)

    @property
    def site(self) -> SiteManifest:
        guide = self.guide
        if self._site_for is not guide:
            self._site, self._site_for = SiteManifest.from_guide(guide, self.settings.base_path), guide
        return self._site


def create_app(
    settings: Settings | None = None,
    guide: Guide | None = None,
    watch: bool = False,
    on_problems: Callable[[list[Problem]], None] | None = None,
) -> Flask:
    """The whole guide: pages, find, plan and print, and the form endpoints (for `guide serve` and the build)."""
    settings = settings or Settings.from_environment()
    app = base_app(settings, watch)
    source = GuideSource(settings, guide, watch=watch, on_problems=on_problems)
    app.extensions["guide_source"] = app.extensions["site_source"] = source
    app.extensions["assets"] = build_assets(settings)
    for feature in (views, planner, search, printing, checklists, whats_new):
        app.register_blueprint(feature.blueprint)
    add_forms(app, settings)
    if watch:  # the dev server only: the frozen site never has the endpoint or its script
        add_live_reload(app)
    return app
