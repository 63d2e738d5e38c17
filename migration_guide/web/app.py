"""What every Flask app of the guide shares: templates, settings, the site context and security headers."""

from __future__ import annotations

from flask import Flask, current_app

from ..config import Settings
from ..templating import JINJA_OPTIONS, template_loader
from .security import add_security_headers
from .side_nav import side_nav
from .stamping import Memo, Stamper
from .urls import absolute_url, page_url


def base_app(settings: Settings, watch: bool = False) -> Flask:
    """A Flask app with the guide's templates, settings and security headers, and no routes yet."""
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
    app.jinja_env.globals["side_nav"] = side_nav
    app.config.update(SETTINGS=settings, TEMPLATES_AUTO_RELOAD=watch)
    app.context_processor(_site_context)
    app.after_request(add_security_headers)
    return app


def _site_context():
    settings = current_app.config["SETTINGS"]
    assets = current_app.extensions["assets"]
    site = current_app.extensions["site_source"].site
    return {
        "settings": settings,
        "navigation": site.navigation,
        # Addresses from the content's own navigation, not fixed ones: the engine builds any content folder.
        "home_path": site.home,
        "start_path": site.start,
        "page_url": page_url,
        "absolute_url": absolute_url,
        "asset_url": lambda name: assets.url(name, settings.base_path),
    }
