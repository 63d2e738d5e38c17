"""`guide build --watch`: one process that builds the site again each time a source file is saved.

An author who edits one page and builds again waits mostly for what every new process pays
first: starting Python, importing Flask and the rest, loading templates. A process that stays
pays that once, so each rebuild costs only what changed (see `page_cache`), as `guide serve`
does for pages shown live. The folders are watched with watchdog (inotify on Linux), so a save
is seen at once, not at the next poll.

A save of Python code cannot be taken in by a running process: the command starts itself again.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from ..config import Settings
from ..fingerprints import PACKAGE_DIR

#: The changes a build cares about. Not a file opened or read: the build itself reads every page, template
#: and module, and hearing each of those reads (some 600 a build) slowed the build it was hearing.
CHANGES = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileClosedEvent,
    FileMovedEvent,
    FileDeletedEvent,
    DirCreatedEvent,
    DirMovedEvent,
    DirDeletedEvent,
]
#: After the first event, how long to wait for the others of the same save (an editor writes a
#: temporary file, then renames it; `git checkout` writes many), so they make one rebuild.
SETTLE_SECONDS = 0.01


def _is_scratch(path: str) -> bool:
    """Editors' temporary and backup files, which no build reads."""
    name = os.path.basename(path)
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp"))


class _Changes(FileSystemEventHandler):
    def __init__(self, ignored: list[Path]):
        self.ignored = tuple(str(path) + os.sep for path in ignored)
        self.pending = threading.Event()
        self.code_changed = False

    def on_any_event(self, event: FileSystemEvent) -> None:
        if not isinstance(event, tuple(CHANGES)):
            return  # a read, or a folder's listing changing: a file's own event says what changed
        paths = [os.fsdecode(event.src_path), os.fsdecode(getattr(event, "dest_path", "") or "")]
        changed = [path for path in paths if path and not _is_scratch(path) and not path.startswith(self.ignored)]
        package = str(PACKAGE_DIR) + os.sep
        # In the package only the code counts: Python writes its __pycache__ there as it imports.
        changed = [path for path in changed if not path.startswith(package) or path.endswith(".py")]
        if not changed:
            return
        if any(path.startswith(package) for path in changed):
            self.code_changed = True
        self.pending.set()


def watched_folders(settings: Settings) -> list[Path]:
    """What a build reads that an author edits: the content, the templates, the styles and scripts, the code."""
    return [
        folder
        for folder in (settings.content_dir, settings.templates_dir, settings.assets_dir, PACKAGE_DIR)
        if folder.is_dir()
    ]


def watch(settings: Settings, build: Callable[[], None], stop: threading.Event | None = None) -> None:
    """Call `build` now and after every change to a watched folder, until `stop` is set (or for ever).

    `build` reports its own outcome and problems; it must not raise for bad content (the author
    fixes the file and saves again)."""
    stop = stop or threading.Event()
    # The output and caches may sit inside a watched folder (an --out under content/, say): their writes are not edits.
    changes = _Changes([settings.out_dir.resolve(), settings.instance_dir.resolve()])
    observer = Observer()
    for folder in watched_folders(settings):
        # Absolute, as the ignored folders are: events name paths the way the folder was given.
        observer.schedule(changes, str(folder.resolve()), recursive=True, event_filter=CHANGES)
    observer.start()
    try:
        build()
        while not stop.is_set():
            if not changes.pending.wait(timeout=0.2):
                continue
            stop.wait(SETTLE_SECONDS)
            changes.pending.clear()
            if changes.code_changed:
                _restart()
            build()
    finally:
        observer.stop()
        observer.join()


def _restart() -> None:
    """The code changed: start the same command afresh, in this process's place."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "migration_guide.cli", *sys.argv[1:]])
