"""The application factory: one Flask app serves the guide in development and is frozen for production."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from flask import Flask

from . import api
from .assets import Assets
from .config import Settings
from .manifest import SiteManifest
from .security import add_security_headers
from .stamping import Memo, Stamper
from .store import Database
from .templating import JINJA_OPTIONS, PrecompiledLoader, template_loader
from .urls import absolute_url, page_url

if TYPE_CHECKING:
    from .content import Guide


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

    def _content_stamp(self):
        files = [p for p in self.settings.content_dir.rglob("*") if p.is_file()]
        return len(files), max((p.stat().st_mtime_ns for p in files), default=0)

    @property
    def guide(self) -> Guide:
        from .content import load_guide

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
        if getattr(self, "_site_for", None) is not guide:
            self._site, self._site_for = SiteManifest.from_guide(guide, self.settings.base_path), guide
        return self._site


class ManifestSource:
    """What the functions know of the site: the manifest the build wrote, loaded once."""

    def __init__(self, manifest: SiteManifest):
        self.site = manifest


def _base_app(settings: Settings, watch: bool = False) -> Flask:
    """What every app shares: templates, settings, the form store and security headers."""
    app = Flask(
        __name__,
        static_folder=None,
        template_folder=str(settings.templates_dir),
        instance_path=str(settings.instance_dir),
    )
    app.jinja_options = {**app.jinja_options, **JINJA_OPTIONS}
    app.jinja_loader = template_loader(settings.templates_dir)
    app.jinja_env.globals["stamped"] = Stamper()  # repeated components rendered once (see stamping)
    app.jinja_env.globals["memo"] = Memo()
    app.config.update(SETTINGS=settings, TEMPLATES_AUTO_RELOAD=watch)
    app.extensions["database"] = Database(settings.database_url, settings.instance_dir / "guide.sqlite3")
    app.context_processor(_site_context)
    app.after_request(add_security_headers)
    return app


def _site_context():
    from flask import current_app

    settings = current_app.config["SETTINGS"]
    assets = current_app.extensions["assets"]
    return {
        "settings": settings,
        "navigation": current_app.extensions["site_source"].site.navigation,
        "page_url": page_url,
        "absolute_url": absolute_url,
        "asset_url": lambda name: assets.url(name, settings.base_path),
    }


def create_app(settings: Settings | None = None, guide: Guide | None = None, watch: bool = False) -> Flask:
    """The whole guide: pages, features and the form endpoints (for `guide serve` and the build)."""
    # Imported here, not above: the functions' cold start never pays for Markdown or asset builds.
    from . import pages, planner, printing, request_help, search
    from .assets import build_assets

    settings = settings or Settings.from_environment()
    app = _base_app(settings, watch)
    source = GuideSource(settings, guide, watch=watch)
    app.extensions["guide_source"] = app.extensions["site_source"] = source
    app.extensions["assets"] = build_assets(settings)

    app.register_blueprint(pages.blueprint)
    app.register_blueprint(request_help.blueprint)
    for feature in (planner, search, printing):  # find, plan and print
        app.register_blueprint(feature.blueprint)
    app.register_blueprint(api.blueprint)
    return app


def create_functions_app(settings: Settings | None = None, manifest: SiteManifest | None = None) -> Flask:
    """Only the form endpoints, for AWS Lambda: no Markdown, no asset compiling, no guide loading."""
    settings = settings or Settings.from_environment()
    manifest = manifest or SiteManifest.load(settings.functions_manifest)
    app = _base_app(settings)
    if settings.compiled_templates_dir.is_dir():  # compiled by the build: a cold start only imports them
        app.jinja_env.loader = PrecompiledLoader(settings.compiled_templates_dir, app.jinja_loader)
    app.extensions["site_source"] = ManifestSource(manifest)
    app.extensions["assets"] = Assets(None, manifest.assets)
    app.register_blueprint(api.blueprint)
    # Everything loaded so far lives as long as the process: left out of garbage collection, a
    # full collection scans only what requests allocate, not Flask, Jinja and the manifest
    # (about 3 ms off the slowest posts' latency, measured with bench/run.py).
    gc.freeze()
    return app
