"""The application factory: one Flask app serves the guide in development and is frozen for production."""

from __future__ import annotations

from flask import Flask

from . import pages
from .assets import build_assets
from .config import Settings
from .content import Guide, load_guide
from .security import add_security_headers
from .templating import JINJA_OPTIONS, template_loader


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
        if self.watch:
            stamp = self._content_stamp()
            if stamp != self._stamp:
                self._guide, self._stamp = None, stamp
        if self._guide is None:
            self._guide = load_guide(self.settings)
        return self._guide


def create_app(settings: Settings | None = None, guide: Guide | None = None, watch: bool = False) -> Flask:
    settings = settings or Settings.from_environment()
    app = Flask(
        __name__,
        static_folder=None,
        template_folder=str(settings.templates_dir),
        instance_path=str(settings.instance_dir),
    )
    app.jinja_options = {**app.jinja_options, **JINJA_OPTIONS}
    app.jinja_loader = template_loader(settings.templates_dir)
    app.config.update(SETTINGS=settings, TEMPLATES_AUTO_RELOAD=watch)
    app.extensions["guide_source"] = GuideSource(settings, guide, watch=watch)
    app.extensions["assets"] = build_assets(settings)

    app.register_blueprint(pages.blueprint)
    app.after_request(add_security_headers)
    return app
