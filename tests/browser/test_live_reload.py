"""Live reload in `guide serve`: a page open in the browser shows an edit without the author reloading it.

Runs `guide serve --content` on a copy of the fixture guide (the frozen site has no live reload,
so the preview server the other browser tests use cannot show it).
"""

from __future__ import annotations

import os
import shutil
import time

import pytest
from conftest import FIXTURE_CONTENT
from conftest import page as markdown_page
from support.dev_server import guide_serve

from .conftest import CSP_LISTENER, _guard, csp_violations

#: The issue asks for within a second of saving; the browser and a loaded machine get some slack.
SECONDS = 5


@pytest.fixture
def served(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    with guide_serve(content, tmp_path / "instance") as url:
        yield content, url


def save(path, text):
    path.write_text(text, encoding="utf-8")
    later = time.time() + 2  # a coarse file clock still sees a change
    os.utime(path, (later, later))


def wait_for_heading(page, text: str) -> float:
    """Seconds until the page's h1 reads `text`, polled from here (the CSP refuses evaluated strings)."""
    started = time.monotonic()
    while time.monotonic() - started < SECONDS:
        if page.locator("h1").first.inner_text() == text:
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"the page still says {page.locator('h1').first.inner_text()!r}, not {text!r}")


def test_an_open_page_shows_an_edit_to_its_markdown_without_a_reload(browser, served):
    content, url = served
    context = browser.new_context()
    context.add_init_script(CSP_LISTENER)
    page, problems = context.new_page(), []
    _guard(context, page, url, problems, javascript=True)
    page.goto(f"{url}/about/")
    assert page.locator("h1").first.inner_text() == "About"
    page.wait_for_timeout(500)  # the script has connected and heard the first stamp

    save(content / "about.md", markdown_page("About, edited", "/about/", "New words."))
    wait_for_heading(page, "About, edited")
    assert "New words." in page.locator("main").inner_text()

    # Broken content reloads too, into the error page, and a fix brings the page back.
    save(content / "about.md", markdown_page("About", "/about/", "See [nothing](/no-such-page/)."))
    wait_for_heading(page, "This page cannot be shown")
    assert "about.md, line 5: link to /no-such-page/" in page.locator(".nhsuk-error-summary").inner_text()
    save(content / "about.md", markdown_page("About, fixed", "/about/"))
    wait_for_heading(page, "About, fixed")

    assert csp_violations(page) == []
    # The one console error expected: the error page answers 500, as a broken page should.
    unexpected = [problem for problem in problems if "status of 500" not in problem]
    assert unexpected == [], unexpected
    context.close()
