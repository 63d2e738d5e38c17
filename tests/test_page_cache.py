"""A warm rebuild renders only what changed, and writes exactly what a cold build writes."""

import filecmp
import shutil

import pytest
from conftest import FIXTURE_CONTENT

from migration_guide.config import Settings
from migration_guide.publish.freeze import build_site

pytestmark = pytest.mark.slow  # every test here builds sites of its own


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and "pagefind" not in p.parts)


def _same_site(one, two):
    files = _files(one)
    assert files == _files(two)
    _match, mismatch, errors = filecmp.cmpfiles(one, two, files, shallow=False)
    assert mismatch == [] and errors == []


def _warm_and_cold(tmp_path, content):
    """Settings for a warm build (the cache on) and a cold one of the same content, each with its own folders."""
    warm = Settings.from_environment(
        content_dir=content,
        out_dir=tmp_path / "warm",
        instance_dir=tmp_path / "instance",
        functions_manifest=tmp_path / "m1.json",
    )
    cold = warm.with_overrides(
        out_dir=tmp_path / "cold",
        use_render_cache=False,
        instance_dir=tmp_path / "cold-instance",
        functions_manifest=tmp_path / "m2.json",
    )
    return warm, cold


def test_a_warm_rebuild_renders_only_changed_pages_and_matches_a_cold_build(tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    warm, cold = _warm_and_cold(tmp_path, content)
    build_site(warm)

    rendered = []
    from flask.testing import FlaskClient

    original_get = FlaskClient.get
    monkeypatch.setattr(
        FlaskClient, "get", lambda self, url, *a, **k: rendered.append(url) or original_get(self, url, *a, **k)
    )

    page = content / "guide" / "first-step.md"
    page.write_text(page.read_text() + "\nA new sentence.\n")
    build_site(warm)
    pages = [url for url in rendered if not url.startswith("/assets/")]
    assert "/guide/first-step/" in pages and "/guide/second-step/" not in pages and "/" not in pages
    build_site(cold)
    _same_site(tmp_path / "warm", tmp_path / "cold")
    assert "A new sentence." in (tmp_path / "warm" / "guide" / "first-step" / "index.html").read_text()

    # A new title shows in every page's sidebar, so every page is rendered again.
    rendered.clear()
    page.write_text(page.read_text().replace("title: First step", "title: The very first step"))
    build_site(warm)
    assert {"/", "/guide/", "/guide/second-step/"} <= set(rendered)
    build_site(cold)
    _same_site(tmp_path / "warm", tmp_path / "cold")
    assert "The very first step" in (tmp_path / "warm" / "guide" / "second-step" / "index.html").read_text()


def test_compiled_templates_are_kept_across_builds_and_an_edited_template_is_compiled_again(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(Settings.templates_dir, templates)
    settings = Settings.from_environment(
        content_dir=FIXTURE_CONTENT,
        templates_dir=templates,
        out_dir=tmp_path / "site",
        instance_dir=tmp_path / "instance",
        functions_manifest=tmp_path / "manifest.json",
        use_render_cache=False,
    ).with_overrides(template_bytecode_dir=tmp_path / "bytecode")
    build_site(settings)
    compiled = sorted((tmp_path / "bytecode").iterdir())
    assert compiled, "the build keeps its compiled templates"
    not_found = templates / "404.jinja"
    not_found.write_text(not_found.read_text().replace("Page not found</h1>", "No page here</h1>"))
    build_site(settings)  # --no-cache, with the compiled templates of the first build in place
    assert "<h1>No page here</h1>" in (tmp_path / "site" / "404.html").read_text()


def _warm_site(tmp_path, monkeypatch):
    """A built copy of the fixture guide with its own templates, and the list of URLs the next build renders."""
    content, templates = tmp_path / "content", tmp_path / "templates"
    shutil.copytree(FIXTURE_CONTENT, content)
    shutil.copytree(Settings.templates_dir, templates)
    settings = Settings.from_environment(
        content_dir=content,
        templates_dir=templates,
        out_dir=tmp_path / "site",
        instance_dir=tmp_path / "instance",
        functions_manifest=tmp_path / "manifest.json",
    )
    build_site(settings)
    rendered: list[str] = []
    from flask.testing import FlaskClient

    original_get = FlaskClient.get
    monkeypatch.setattr(
        FlaskClient, "get", lambda self, url, *a, **k: rendered.append(url) or original_get(self, url, *a, **k)
    )
    return settings, rendered


GUIDE_PAGES = {"/", "/about/", "/guide/", "/guide/first-step/", "/guide/second-step/"}


def test_an_unchanged_rebuild_renders_no_guide_page(tmp_path, monkeypatch):
    settings, rendered = _warm_site(tmp_path, monkeypatch)
    build_site(settings)
    assert not GUIDE_PAGES & set(rendered)


def test_editing_a_layout_template_renders_every_guide_page_again(tmp_path, monkeypatch):
    settings, rendered = _warm_site(tmp_path, monkeypatch)
    base = settings.templates_dir / "base.jinja"
    base.write_text(base.read_text().replace("</body>", "<!-- a template edit -->\n</body>"))
    build_site(settings)
    assert set(rendered) >= GUIDE_PAGES
    assert "a template edit" in (settings.out_dir / "guide" / "second-step" / "index.html").read_text()


def test_editing_the_navigation_renders_every_guide_page_again(tmp_path, monkeypatch):
    settings, rendered = _warm_site(tmp_path, monkeypatch)
    navigation = settings.content_dir / "data" / "navigation.yml"
    navigation.write_text(navigation.read_text().replace("heading: Guide contents", "heading: The steps"))
    build_site(settings)
    assert set(rendered) >= GUIDE_PAGES
    assert "The steps" in (settings.out_dir / "guide" / "second-step" / "index.html").read_text()


def test_a_change_note_on_one_page_renders_that_page_and_whats_new_and_no_other_guide_page(tmp_path, monkeypatch):
    settings, rendered = _warm_site(tmp_path, monkeypatch)
    page = settings.content_dir / "guide" / "second-step.md"
    page.write_text(
        page.read_text().replace(
            "---\n", '---\nchanges:\n  - date: 2026-11-30\n    note: "Said when to book the rooms."\n', 1
        )
    )
    build_site(settings)
    assert "/guide/second-step/" in rendered and "/whats-new/" in rendered and "/whats-new/feed.xml" in rendered
    assert not (GUIDE_PAGES - {"/guide/second-step/"}) & set(rendered)
    assert "Said when to book the rooms." in (settings.out_dir / "whats-new" / "index.html").read_text()
    cold = settings.with_overrides(
        out_dir=tmp_path / "cold", use_render_cache=False, instance_dir=tmp_path / "cold-instance"
    )
    build_site(cold.with_overrides(functions_manifest=tmp_path / "cold-manifest.json"))
    _same_site(settings.out_dir, tmp_path / "cold")  # what was skipped is what a full build writes


@pytest.fixture
def rendered(monkeypatch):
    """The URLs each build asks the app for: the pages it renders rather than keeps."""
    from flask.testing import FlaskClient

    urls: list[str] = []
    original_get = FlaskClient.get
    monkeypatch.setattr(
        FlaskClient, "get", lambda self, url, *a, **k: urls.append(url) or original_get(self, url, *a, **k)
    )
    return urls


def test_renaming_a_heading_a_checklist_item_links_to_renders_the_checklist_page_again(
    tmp_path, write_content, rendered
):
    """The checklist page names each item's target heading, which lives in another page's file."""
    from test_checklists import guide_files

    content = write_content(guide_files())
    warm, cold = _warm_and_cold(tmp_path, content)
    build_site(warm)
    assert "Meeting" in (tmp_path / "warm" / "staff" / "index.html").read_text()

    guide_page = content / "guide.md"
    guide_page.write_text(guide_page.read_text().replace("## Meeting {#meeting}", "## The kick-off meeting {#meeting}"))
    rendered.clear()
    build_site(warm)
    assert "/staff/" in rendered
    build_site(cold)
    _same_site(tmp_path / "warm", tmp_path / "cold")
    assert "The kick-off meeting" in (tmp_path / "warm" / "staff" / "index.html").read_text()


def test_a_checklist_pages_bank_holidays_follow_todays_date(tmp_path, write_content, monkeypatch):
    """Its phases are dated with the bank holidays of the planner's years, which start from today's year."""
    from datetime import date

    from test_checklists import guide_files

    from migration_guide.content.loading import load_guide
    from migration_guide.publish import page_cache

    content = write_content(guide_files())
    warm, _cold = _warm_and_cold(tmp_path, content)
    guide = load_guide(warm)
    checklist_page = guide.pages["/staff/"]
    this_year = page_cache.shown_from_elsewhere(guide, checklist_page)

    class NextYear(date):
        @classmethod
        def today(cls):
            return date(date.today().year + 1, 1, 2)

    monkeypatch.setattr(page_cache, "date", NextYear)
    assert page_cache.shown_from_elsewhere(guide, checklist_page) != this_year
    assert page_cache.shown_from_elsewhere(guide, guide.pages["/guide/"]) == "", "other pages depend on no date"


def test_request_help_privacy_robots_and_the_planner_are_kept_while_page_text_changes_and_made_when_data_changes(
    tmp_path, rendered
):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    warm, cold = _warm_and_cold(tmp_path, content)
    build_site(warm)

    page = content / "guide" / "first-step.md"
    page.write_text(page.read_text() + "\nA new sentence.\n")
    rendered.clear()
    build_site(warm)
    assert "/guide/first-step/" in rendered
    assert not {"/request-help/", "/privacy/", "/robots.txt", "/plan/"} & set(rendered)
    assert {"/search/", "/guide/print/"} <= set(rendered), "pages made from every page's text are made again"

    navigation = content / "data" / "navigation.yml"
    navigation.write_text(navigation.read_text() + "\n# a comment, but the file changed\n")
    rendered.clear()
    build_site(warm)
    assert {"/request-help/", "/privacy/", "/robots.txt", "/plan/"} <= set(rendered)
    build_site(cold)
    _same_site(tmp_path / "warm", tmp_path / "cold")


def test_a_builder_that_builds_again_keeps_its_app_yet_reads_a_template_saved_in_between(tmp_path):
    """`guide build --watch` keeps one builder: its loaded templates are reused, but never a stale one."""
    from migration_guide.publish.freeze import SiteBuilder

    templates = tmp_path / "templates"
    shutil.copytree(Settings.templates_dir, templates)
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    warm, cold = _warm_and_cold(tmp_path, content)
    warm, cold = warm.with_overrides(templates_dir=templates), cold.with_overrides(templates_dir=templates)
    builder = SiteBuilder(warm)
    builder.build()
    app = builder.app
    page = content / "guide" / "first-step.md"
    page.write_text(page.read_text() + "\nA sentence saved while watching.\n")
    builder.build()
    assert builder.app is app, "the app, and its loaded templates, are kept"
    assert "A sentence saved while watching." in (tmp_path / "warm" / "guide" / "first-step" / "index.html").read_text()

    layout = templates / "layouts" / "guide.jinja"
    layout.write_text(layout.read_text().replace("Need help with your migration?", "Stuck with your migration?"))
    builder.build()
    assert "Stuck with your migration?" in (tmp_path / "warm" / "guide" / "first-step" / "index.html").read_text()
    build_site(cold)
    _same_site(tmp_path / "warm", tmp_path / "cold")


def test_the_planner_is_made_again_when_the_timeline_moves_to_another_page(tmp_path, write_content, rendered):
    """The planner links to wherever the content shows the key phases' timeline: a page's text, not shared."""
    from conftest import page

    timeline = "## When things happen {#when}\n\n:::steps key-phases\n:::"
    content = write_content(
        {
            "index.md": page("Home", "/"),
            "guide/index.md": page("Guide", "/guide/", timeline),
            "guide/other.md": page("Other", "/guide/other/", "## Elsewhere {#elsewhere}\n\nText."),
            "steps/key-phases/01-start.md": "---\ntitle: Start\ntitle_url: /guide/\nstarts_weeks_before_go_live: 2\n"
            "ends_weeks_before_go_live: 1\n---\nBegin.\n",
        }
    )
    warm, cold = _warm_and_cold(tmp_path, content)
    build_site(warm)
    (content / "guide" / "index.md").write_text(page("Guide", "/guide/", "Text only."))
    (content / "guide" / "other.md").write_text(page("Other", "/guide/other/", timeline))
    rendered.clear()
    build_site(warm)
    assert "/plan/" in rendered
    assert (
        'href="/guide/other/#when">the overview of key phases</a>'
        in (tmp_path / "warm" / "plan" / "index.html").read_text()
    )
    build_site(cold)
    _same_site(tmp_path / "warm", tmp_path / "cold")
