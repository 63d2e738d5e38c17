"""`guide serve` for authors: broken content is shown where the author looks, the rest keeps working.

A page with a problem answers an NHS-styled page naming each problem with its file and line,
worst first (a file that cannot be read before a broken link); every other page answers as usual;
`guide check` lists problems in the same order; `guide serve --content` serves another folder.
"""

from __future__ import annotations

import os
import shutil
import time
import urllib.request

import pytest
from conftest import FIXTURE_CONTENT, page
from flask import Flask
from support.dev_server import guide_serve

from migration_guide.content.problems import ContentError, Problem
from migration_guide.pages.app import create_app
from migration_guide.pages.live_reload import EVENTS_PATH, SCRIPT_PATH


def edited(path, text):
    """Writes `text` and moves the file's time on, so a watcher on a coarse clock sees the change."""
    path.write_text(text, encoding="utf-8")
    later = time.time() + 5
    os.utime(path, (later, later))


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, folder)
    return folder


@pytest.fixture
def heard():
    """Every list of problems the dev server reported (what `guide serve` prints)."""
    return []


@pytest.fixture
def client(settings, content, heard):
    app: Flask = create_app(settings.with_overrides(content_dir=content), watch=True, on_problems=heard.append)
    return app.test_client()


def test_a_page_with_a_broken_link_shows_its_problem_and_the_other_pages_still_work(client, content):
    edited(content / "about.md", page("About", "/about/", "Intro.\n\nSee [the missing page](/no-such-page/)."))
    broken = client.get("/about/")
    html = broken.get_data(as_text=True)
    assert broken.status_code == 500
    assert "This page cannot be shown" in html
    assert 'class="nhsuk-error-summary"' in html
    assert "about.md, line 7: link to /no-such-page/" in html
    for address in ("/", "/guide/", "/guide/first-step/"):
        assert client.get(address).status_code == 200, address


def test_unreadable_yaml_is_listed_before_a_broken_link_and_its_address_says_why(client, content, heard):
    (content / "guide" / "third-step.md").write_text("---\ntitle: [unclosed\npermalink: /guide/third-step/\n---\nx\n")
    edited(content / "about.md", page("About", "/about/", "See [the missing page](/no-such-page/)."))
    client.get("/")
    problems = heard[-1]
    assert problems[0].path.name == "third-step.md" and "not valid YAML" in problems[0].message
    assert any("/no-such-page/" in problem.message for problem in problems[1:])
    # The page that cannot be read has no known address: an address no page has names the unreadable file.
    missing = client.get("/guide/third-step/").get_data(as_text=True)
    assert "guide/third-step.md, line 2: front matter is not valid YAML" in missing
    assert "/no-such-page/" not in missing, "the broken link belongs to the about page only"
    for address in ("/", "/guide/", "/guide/first-step/"):
        assert client.get(address).status_code == 200, address


def test_the_problems_are_reported_once_per_change_and_cleared_when_fixed(client, content, heard):
    client.get("/")
    assert heard == [[]]
    edited(content / "about.md", page("About", "/about/", "See [the missing page](/no-such-page/)."))
    for _ in range(3):
        client.get("/")
        client.get("/about/")
    assert len(heard) == 2 and len(heard[1]) == 1 and "/no-such-page/" in heard[1][0].message
    edited(content / "about.md", page("About", "/about/", "Fixed."))
    assert client.get("/about/").status_code == 200
    assert heard[-1] == []


def test_guide_check_lists_unreadable_files_first():
    link = Problem(FIXTURE_CONTENT / "a.md", 3, "link to /x/, which is no page")
    yaml = Problem(FIXTURE_CONTENT / "z.md", 2, "front matter is not valid YAML: found unexpected end", unreadable=True)
    assert ContentError([link, yaml]).problems == [yaml, link]


def test_live_reload_is_only_in_the_dev_server(settings):
    built = create_app(settings).test_client()
    assert built.get(EVENTS_PATH, follow_redirects=True).status_code == 404
    assert SCRIPT_PATH not in built.get("/").get_data(as_text=True)
    served = create_app(settings, watch=True).test_client()
    html = served.get("/").get_data(as_text=True)
    assert f'<script src="{SCRIPT_PATH}" data-events="{EVENTS_PATH}" data-stamp="' in html
    script = served.get(SCRIPT_PATH)
    assert script.status_code == 200 and "EventSource" in script.get_data(as_text=True)
    assert "'unsafe-inline'" not in script.headers["Content-Security-Policy"]


def test_guide_serve_content_serves_another_folder(content, tmp_path):
    edited(content / "about.md", page("About this other guide", "/about/"))
    with guide_serve(content, tmp_path / "instance") as url:
        html = urllib.request.urlopen(f"{url}/about/", timeout=10).read().decode()
    assert "<h1>About this other guide</h1>" in html
