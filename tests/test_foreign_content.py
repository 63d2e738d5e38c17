"""The engine builds any content folder, not only the guide's: no fixed addresses, no manifest overwritten.

A folder with neither a home page nor `/guide/` builds, and every link on every page it writes
(the 404 page and the app pages included) reaches a page that exists.
"""

from __future__ import annotations

import re

import pytest
from conftest import page
from support.sitecheck import check_site

from migration_guide.config import Settings
from migration_guide.publish.freeze import build_site

pytestmark = pytest.mark.slow  # every test here builds a site of its own

NAVIGATION = """
service_name: Handbook
header:
  - text: Handbook
    href: /handbook/
sidebar:
  - heading: Handbook
    pages: [/handbook/, /handbook/second/]
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("foreign")
    content = root / "content"
    (content / "data").mkdir(parents=True)
    (content / "data" / "navigation.yml").write_text(NAVIGATION)
    (content / "handbook.md").write_text(page("Handbook", "/handbook/", "Read [the second page](/handbook/second/)."))
    (content / "second.md").write_text(page("Second page", "/handbook/second/", "Back to [the start](/handbook/)."))
    settings = Settings.from_environment(
        content_dir=content, out_dir=root / "site", instance_dir=root / "instance", use_render_cache=False
    )
    return settings, build_site(settings)


def test_a_folder_without_a_home_page_or_guide_builds_with_no_broken_link(built):
    settings, report = built
    assert report.pages == 2
    assert check_site(settings.out_dir) == []


def test_the_404_page_and_the_app_pages_send_readers_to_the_contents_first_page(built):
    settings, _ = built
    not_found = (settings.out_dir / "404.html").read_text(encoding="utf-8")
    assert '<a href="/handbook/">start the guide from the beginning</a>' in not_found
    assert 'href="/guide/"' not in not_found and 'href="/"' not in not_found
    for app_page in ("search", "plan", "request-help"):
        html = (settings.out_dir / app_page / "index.html").read_text(encoding="utf-8")
        assert 'href="/"' not in html, f"{app_page} links to a home page this content does not have"


def test_a_folder_without_a_home_page_has_no_home_breadcrumb(built):
    settings, _ = built
    html = (settings.out_dir / "handbook" / "second" / "index.html").read_text(encoding="utf-8")
    assert ">Home<" not in html
    assert re.search(r'<a class="nhsuk-breadcrumb__link" href="/handbook/">\s*Handbook\s*</a>', html)


def test_building_another_folder_leaves_the_real_guides_functions_manifest_alone(built):
    settings, _ = built
    assert settings.functions_manifest == settings.instance_dir / "functions" / "manifest.json"
    assert settings.functions_manifest.is_file(), "the other folder's functions still get a manifest of their own"
    assert Settings.from_environment().functions_manifest == Settings.functions_manifest, "the real guide's stays"


def test_a_folder_with_no_navigation_and_no_home_page_starts_readers_at_its_first_page(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "notes.md").write_text(page("Notes", "/notes/", "See [more](/notes/more/)."))
    (content / "more.md").write_text(page("More notes", "/notes/more/", "Back to [the notes](/notes/)."))
    settings = Settings.from_environment(
        content_dir=content, out_dir=tmp_path / "site", instance_dir=tmp_path / "instance", use_render_cache=False
    )
    build_site(settings)
    assert check_site(settings.out_dir) == []
    header = re.search(
        r'<a class="nhsuk-header__service-logo" href="([^"]+)"', (settings.out_dir / "404.html").read_text()
    )
    assert header[1] == "/notes/"
