"""`guide build --watch`: one process that builds the site again each time a source file is saved.

Each save gives one build and one line saying so; broken content prints its problems (file and
line, no traceback) and leaves the last good site in place; fixing it builds again.
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time

import pytest
from conftest import FIXTURE_CONTENT, page

from migration_guide.config import PROJECT_ROOT

pytestmark = pytest.mark.slow  # each test runs the command and builds a site


class Watcher:
    """`guide build --watch` in a process of its own, with its output read line by line."""

    def __init__(self, content, out, instance):
        env = {**os.environ, "INSTANCE_DIR": str(instance), "FUNCTIONS_MANIFEST": str(instance / "manifest.json")}
        command = [sys.executable, "-m", "migration_guide.cli", "build", "--watch", "--content", content, "--out", out]
        self.process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def until(self, start: str, timeout: float = 60) -> list[str]:
        """The lines printed up to and including the first that starts with (or, for a problem, holds) `start`."""
        seen, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=deadline - time.monotonic())
            except queue.Empty:
                break
            seen.append(line)
            if line.strip().startswith(start) or (":" in start and start in line):
                return seen
        raise AssertionError(f"no line starting {start!r} within {timeout} s; printed: {seen}")

    def quiet_for(self, seconds: float) -> list[str]:
        time.sleep(seconds)
        printed = []
        while not self.lines.empty():
            printed.append(self.lines.get())
        return printed

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def watching(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    watcher = Watcher(content, tmp_path / "site", tmp_path / "instance")
    watcher.until("Built ")
    yield content, tmp_path / "site", watcher
    watcher.stop()


def test_saving_a_page_builds_the_site_again_with_the_new_text(watching):
    content, site, watcher = watching
    (content / "about.md").write_text(page("About", "/about/", "Saved while watching."), encoding="utf-8")
    watcher.until("Built ", timeout=30)
    assert "Saved while watching." in (site / "about" / "index.html").read_text(encoding="utf-8")
    assert watcher.quiet_for(1) == [], "one save, one build: nothing more until the next save"


def test_broken_content_is_listed_with_file_and_line_and_the_last_good_site_stays_until_it_is_fixed(watching):
    content, site, watcher = watching
    before = (site / "about" / "index.html").read_text(encoding="utf-8")
    (content / "about.md").write_text("---\ntitle: [unclosed\npermalink: /about/\n---\nText.\n", encoding="utf-8")
    printed = watcher.until("about.md:2: front matter is not valid YAML")
    assert any("problem(s);" in line and "keeps the last good build" in line for line in printed), printed
    problems = [line for line in watcher.quiet_for(1) + printed if line.startswith("  ")]
    assert len(problems) == len(set(problems)), "each problem once"
    assert not any("Traceback" in line for line in printed)
    assert (site / "about" / "index.html").read_text(encoding="utf-8") == before
    assert watcher.process.poll() is None, "a broken page does not stop the watch"

    (content / "about.md").write_text(page("About", "/about/", "Fixed now."), encoding="utf-8")
    watcher.until("Built ", timeout=30)
    assert "Fixed now." in (site / "about" / "index.html").read_text(encoding="utf-8")


def test_editors_scratch_files_do_not_trigger_a_build(watching):
    content, _site, watcher = watching
    (content / ".about.md.swp").write_text("scratch", encoding="utf-8")
    (content / "about.md~").write_text("backup", encoding="utf-8")
    assert watcher.quiet_for(1) == []


def test_a_change_to_the_code_asks_for_a_restart_and_pythons_own_cache_files_are_not_changes(tmp_path):
    from watchdog.events import DirModifiedEvent, FileCreatedEvent, FileModifiedEvent, FileMovedEvent

    from migration_guide.fingerprints import PACKAGE_DIR
    from migration_guide.publish.watch import _Changes

    out = tmp_path / "site"
    changes = _Changes([out])
    for event in (
        FileCreatedEvent(str(PACKAGE_DIR / "publish" / "__pycache__" / "freeze.cpython-311.pyc")),
        DirModifiedEvent(str(PACKAGE_DIR / "publish")),
        FileModifiedEvent(str(out / "about" / "index.html")),
        FileMovedEvent(str(tmp_path / "content" / ".page.md.swp"), str(tmp_path / "content" / "page.md~")),
    ):
        changes.on_any_event(event)
    assert not changes.pending.is_set()

    changes.on_any_event(
        FileMovedEvent(str(tmp_path / "content" / ".page.md.tmp"), str(tmp_path / "content" / "page.md"))
    )
    assert changes.pending.is_set() and not changes.code_changed, "an editor's save by rename is a change"
    changes.on_any_event(FileModifiedEvent(str(PACKAGE_DIR / "publish" / "freeze.py")))
    assert changes.code_changed
