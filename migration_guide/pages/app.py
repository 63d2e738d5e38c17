"""The application factory: one Flask app serves the whole guide in development and is frozen for production."""

from __future__ import annotations

from flask import Flask

from ..config import Settings
from ..content.loading import load_guide
from ..content.model import Guide
from ..forms.app import add_forms
from ..web.app import base_app
from ..web.assets import build_assets
from ..web.manifest import SiteManifest
from . import checklists, planner, printing, search, views, whats_new


class GuideSource:
    """Hands views the current `Guide`.

    A build loads the guide once. The dev server (`watch=True`) reloads it when a
    file under content/ changes, so authors see edits without restarting.
    """

    def __init__(self, settings: Settings, guide: Guide | None = None, watch: bool = False):
        self.settings = settings
        self.watch = watch
        self._guide = guide
        self._stamp = self._content_stamp() if watch else None
        self._site: SiteManifest | None = None
        self._site_for: Guide | None = None

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
            self._guide = load_guide(self.settings)
        return self._guide

    @property
    def site(self) -> SiteManifest:
        guide = self.guide
        if self._site_for is not guide:
            self._site, self._site_for = SiteManifest.from_guide(guide, self.settings.base_path), guide
        return self._site


def create_app(settings: Settings | None = None, guide: Guide | None = None, watch: bool = False) -> Flask:
    """The whole guide: pages, find, plan and print, and the form endpoints (for `guide serve` and the build)."""
    settings = settings or Settings.from_environment()
    app = base_app(settings, watch)
    source = GuideSource(settings, guide, watch=watch)
    app.extensions["guide_source"] = app.extensions["site_source"] = source
    app.extensions["assets"] = build_assets(settings)
    for feature in (views, planner, search, printing, checklists, whats_new):
        app.register_blueprint(feature.blueprint)
    add_forms(app, settings)
    return app
