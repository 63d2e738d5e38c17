"""Freezing: the real guide builds to a static site whose every link, anchor and asset resolves,
at the root and under a base path."""

import re
import shutil
import subprocess
import sys

import pytest
from conftest import page
from support.sitecheck import check_site

from migration_guide.content.problems import ContentError
from migration_guide.publish.freeze import build_site


@pytest.fixture(scope="module", params=["", "/prm-practice-migration"], ids=["root", "base-path"])
def built_guide(request, built_sites):
    return built_sites(request.param)


def test_every_link_anchor_and_asset_in_the_built_guide_resolves(built_guide):
    settings, report = built_guide
    assert report.pages >= 15
    assert check_site(settings.out_dir, settings.base_path) == []


def test_pages_are_frozen_to_their_permalink_index_html(built_guide):
    settings, _ = built_guide
    out = settings.out_dir
    for path in ("index.html", "guide/index.html", "guide/kick-off/index.html", "practice-staff/index.html"):
        assert (out / path).is_file(), path
    assert not (out / "guide" / "kick-off.html").exists()


def test_the_build_writes_404_sitemap_robots_and_redirects(built_guide):
    settings, _ = built_guide
    out = settings.out_dir
    assert "Page not found" in (out / "404.html").read_text()
    assert f"{settings.site_url}{settings.base_path}/guide/kick-off/</loc>" in (out / "sitemap.xml").read_text()
    assert (out / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"
    redirects = (out / "_redirects").read_text()
    assert (
        f"{settings.base_path}/clinical-comissioning-groups/ {settings.base_path}/integrated-care-boards/ 301!"
        in redirects
    )
    moved = (out / "clinical-comissioning-groups" / "index.html").read_text()
    assert f'content="0; url={settings.base_path}/integrated-care-boards/"' in moved


def test_assets_have_content_hashed_names_and_work_under_the_base_path(built_guide):
    settings, _ = built_guide
    html = (settings.out_dir / "guide" / "index.html").read_text()
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', html)[1]
    assert re.fullmatch(rf"{settings.base_path}/assets/build/app\.[0-9a-f]{{10}}\.css", stylesheet)
    css = (settings.out_dir / stylesheet[len(settings.base_path) + 1 :]).read_text()
    assert "url(/assets" not in css  # root-absolute icon URLs would break under a base path


def test_the_build_refuses_bad_content_and_names_the_file(tmp_path, write_content):
    content = write_content({"a.md": page("A", "/a/", "[broken](/nowhere/)")})
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "migration_guide.cli",
            "build",
            "--content",
            str(content),
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert f"{content}/a.md:5: link to /nowhere/: no page has the permalink /nowhere/" in result.stderr
    assert not (tmp_path / "out").exists()


def test_check_passes_on_the_real_guide():
    result = subprocess.run([sys.executable, "-m", "migration_guide.cli", "check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "no problems found" in result.stdout


@pytest.mark.slow  # builds a site of its own
def test_the_build_ends_with_one_summary_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "migration_guide.cli", "build", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"Built \d+ pages \(\d+ files\) to .+ in \d+\.\d\ds", result.stdout.strip().splitlines()[-1])


@pytest.mark.slow  # builds a site of its own
def test_the_build_proxies_api_requests_to_the_lambda_function_url(settings):
    settings = settings.with_overrides(functions_url="https://abc123.lambda-url.eu-west-2.on.aws")
    build_site(settings)
    lines = (settings.out_dir / "_redirects").read_text().splitlines()
    assert lines[0] == "/api/* https://abc123.lambda-url.eu-west-2.on.aws/api/:splat 200 Sign=API_SIGNATURE_TOKEN"


@pytest.mark.slow  # builds a site of its own
def test_the_build_writes_the_manifest_the_functions_ship_with(settings):
    from migration_guide.web.manifest import SiteManifest

    build_site(settings)
    manifest = SiteManifest.load(settings.functions_manifest)
    assert manifest.section("/guide/first-step/", "check-dates")[1] == "Check dates"
    assert manifest.section("/about/", "anything") is None
    assert manifest.assets["app.css"].startswith("build/app.")


@pytest.mark.slow  # builds a site of its own
def test_a_missing_link_target_on_a_page_the_app_writes_fails_the_build_naming_page_and_link(settings, tmp_path):
    """The 404 page and the app's pages come from templates: a template linking to no page must not build."""
    templates = tmp_path / "templates"
    shutil.copytree(settings.templates_dir, templates)
    not_found = templates / "404.jinja"
    not_found.write_text(not_found.read_text().replace("<h1>Page not found</h1>", '<h1><a href="/gone/">x</a></h1>'))
    with pytest.raises(ContentError) as failure:
        build_site(settings.with_overrides(templates_dir=templates, use_render_cache=False))
    messages = [str(problem) for problem in failure.value.problems]
    assert any("404.html" in message and "/404.html links to /gone/" in message for message in messages), messages


@pytest.mark.slow  # builds a site of its own
def test_the_planner_links_to_the_timeline_wherever_the_content_shows_it(settings, write_content):
    content = write_content(
        {
            "index.md": page("Home", "/"),
            "guide/index.md": page("Guide", "/guide/", "## When things happen {#when}\n\n:::steps key-phases\n:::"),
            "steps/key-phases/01-start.md": "---\ntitle: Start\ntitle_url: /guide/\nstarts_weeks_before_go_live: 2\n"
            "ends_weeks_before_go_live: 1\n---\nBegin.\n",
        }
    )
    build_site(settings.with_overrides(content_dir=content))
    assert 'href="/guide/#when">the overview of key phases</a>' in (settings.out_dir / "plan/index.html").read_text()


@pytest.mark.slow  # builds a site of its own
def test_the_app_pages_link_check_reads_again_only_pages_that_changed_and_still_catches_a_lost_id(
    settings, monkeypatch
):
    from pathlib import Path

    from migration_guide.content.loading import load_guide
    from migration_guide.publish.link_check import check_app_pages, written_pages

    build_site(settings)
    cache_file = settings.cache_dir / "page-ids.json"
    assert cache_file.is_file(), "the build keeps the ids it read"
    out, guide = settings.out_dir, load_guide(settings)
    app_pages = {out / "404.html", *(out / path.strip("/") / "index.html" for path in written_pages(guide))}

    read = []
    original_read_text = Path.read_text
    monkeypatch.setattr(Path, "read_text", lambda path, *a, **k: read.append(path) or original_read_text(path, *a, **k))
    check_app_pages(out, guide, "", cache_file)
    assert read and set(read) - {cache_file} <= app_pages, "an unchanged page was read again for its ids"

    # A page that changes is read again: a heading id the search page links to, gone, fails the check.
    search = original_read_text(out / "search" / "index.html")
    target, fragment = re.search(r'href="(/guide/[^"#]+/)#([^"]+)"', search).groups()
    target_file = out / target.strip("/") / "index.html"
    target_file.write_text(original_read_text(target_file).replace(f'id="{fragment}"', 'id="renamed"'))
    with pytest.raises(ContentError) as failure:
        check_app_pages(out, guide, "", cache_file)
    assert any(f"but that page has no id '{fragment}'" in str(problem) for problem in failure.value.problems)


def test_the_app_pages_link_check_reads_links_and_ids_as_an_html_parser_would(tmp_path):
    """The check reads the frozen HTML with regular expressions (the print page holds the whole guide):
    entities in an href are decoded, both quote styles count, each link keeps its line, and `data-id` or
    `grid="..."` is not taken for an id."""
    from migration_guide.publish.link_check import _ids, _links

    html_text = (
        '<p>\n<a class="x" href="/guide/a/?x=1&amp;y=2#top">A</a>\n\n'
        "<link rel='stylesheet' href='/assets/app.css'>\n"
        '<a name="no-href">B</a><abbr href="/not-a-link/">C</abbr>\n'
        '<area shape="rect"\n  href="/guide/b/">\n'
        '<div data-id="nope" grid="nope" id="yes">\n<h2 id=\'also\'>H</h2>'
    )
    assert _links(html_text) == [
        (2, "/guide/a/?x=1&y=2#top"),
        (4, "/assets/app.css"),
        (6, "/guide/b/"),
    ]
    assert _ids(html_text) == ["yes", "also"]
