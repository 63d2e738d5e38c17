"""The form functions' app: only `POST /api/feedback` and `POST /api/request-help`, for AWS Lambda.

No Markdown, no asset compiling, no guide loading: what the functions know of the site
comes from the manifest the build wrote, and their pages from templates the build compiled.
"""

from __future__ import annotations

import gc
from datetime import UTC, datetime

from flask import Flask

from ..config import Settings
from ..templating import PrecompiledLoader
from ..web.app import base_app
from ..web.assets import Assets
from ..web.manifest import SiteManifest
from . import views
from .store import Database


class ManifestSource:
    """What the functions know of the site: the manifest the build wrote, loaded once."""

    def __init__(self, manifest: SiteManifest):
        self.site = manifest


def utc_now() -> datetime:
    return datetime.now(UTC)


def add_forms(app: Flask, settings: Settings) -> None:
    """The form endpoints and their store, on the functions' app or the whole guide's.

    `CLOCK` is what the request guard asks the time (see `guard.now`); tests set one that stands still.
    """
    app.config.setdefault("CLOCK", utc_now)
    app.extensions["database"] = Database.from_settings(settings)
    app.register_blueprint(views.blueprint)


def create_functions_app(settings: Settings | None = None, manifest: SiteManifest | None = None) -> Flask:
    settings = settings or Settings.from_environment()
    settings.require_forms_ready()
    manifest = manifest or SiteManifest.load(settings.functions_manifest)
    app = base_app(settings)
    if settings.compiled_templates_dir.is_dir():  # compiled by the build: a cold start only imports them
        app.jinja_env.loader = PrecompiledLoader(settings.compiled_templates_dir, app.jinja_loader)
    app.extensions["site_source"] = ManifestSource(manifest)
    app.extensions["assets"] = Assets(None, manifest.assets)
    add_forms(app, settings)
    # Everything loaded so far lives as long as the process: left out of garbage collection, a
    # full collection scans only what requests allocate, not Flask, Jinja and the manifest
    # (about 3 ms off the slowest posts' latency, measured with bench/run.py).
    gc.freeze()
    return app
