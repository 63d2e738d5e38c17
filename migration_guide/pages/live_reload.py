"""Live reload for `guide serve`: a page open in the browser reloads itself after an edit.

A small server-sent-events endpoint, registered only by the dev server (`create_app(watch=True)`),
never in the frozen site or the functions. Each connection is told a stamp of the watched
folders (content, templates, assets) at once and again whenever it changes; the page's script
(assets/js/live-reload.js, loaded from its own address, so the CSP still forbids inline script)
reloads the page when it hears a stamp other than the one the page was rendered with (so an edit
saved before the script connected still counts). When a template or stylesheet
edit restarts the server, the browser reconnects, hears a new stamp and reloads too.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, send_from_directory, stream_with_context

#: How often the watched folders are looked at: well within the second an author waits.
POLL_SECONDS = 0.25
#: A comment line this often keeps proxies and the browser from closing a quiet connection.
KEEPALIVE_SECONDS = 15.0
EVENTS_PATH = "/_live-reload/events"
SCRIPT_PATH = "/_live-reload/live-reload.js"

blueprint = Blueprint("live_reload", __name__)


def stamp(folders: Iterable[Path]) -> str:
    """A short hash of every file's name, size and modification time under `folders`."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_file() and "__pycache__" not in path.parts:
                status = path.stat()
                digest.update(f"{path}\0{status.st_size}\0{status.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def _watched() -> list[Path]:
    settings = current_app.config["SETTINGS"]
    return [settings.content_dir, settings.templates_dir, settings.assets_dir]


def _events(folders: list[Path]) -> Iterator[str]:
    last = stamp(folders)
    yield f"retry: 500\ndata: {last}\n\n"  # reconnect quickly after the server restarts
    quiet_since = time.monotonic()
    while True:
        time.sleep(POLL_SECONDS)
        if (now := stamp(folders)) != last:
            last, quiet_since = now, time.monotonic()
            yield f"data: {now}\n\n"
        elif time.monotonic() - quiet_since > KEEPALIVE_SECONDS:
            quiet_since = time.monotonic()
            yield ": still here\n\n"


@blueprint.get(EVENTS_PATH)
def events():
    response = Response(stream_with_context(_events(_watched())), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get(SCRIPT_PATH)
def script():
    settings = current_app.config["SETTINGS"]
    return send_from_directory(settings.assets_dir / "js", "live-reload.js", max_age=0)


def _script_tag_context():
    base_path = current_app.config["SETTINGS"].base_path  # not page_url: these are files, no trailing slash
    addresses = {"script": base_path + SCRIPT_PATH, "events": base_path + EVENTS_PATH}
    return {"live_reload": {**addresses, "stamp": stamp(_watched())}}


def add_live_reload(app: Flask) -> None:
    """Only for the dev server: the endpoint, its script, and `live_reload` for base.jinja to load it."""
    app.register_blueprint(blueprint)
    app.context_processor(_script_tag_context)
