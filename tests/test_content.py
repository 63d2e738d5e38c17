"""Loading the guide: pages, layouts, navigation, breadcrumbs and previous/next."""

import pickle
import shutil
import sys

from conftest import page

from migration_guide.content import render_cache
from migration_guide.content.loading import load_guide
from migration_guide.fingerprints import PACKAGE_DIR


def test_every_markdown_file_outside_steps_and_data_is_a_page(settings):
    guide = load_guide(settings)
    assert sorted(guide.pages) == ["/", "/about/", "/guide/", "/guide/first-step/", "/guide/second-step/"]
    assert [step.title for step in guide.steps["phases"]] == ["First step", "Second step"]


def test_jekyll_layouts_are_accepted_as_aliases(settings):
    guide = load_guide(settings)
    assert guide.pages["/guide/first-step/"].layout == "guide"  # written as page_with_sidebar
    assert guide.pages["/about/"].layout == "page"


def test_a_page_is_found_with_or_without_its_trailing_slash(settings):
    guide = load_guide(settings)
    assert guide.page("/about") is guide.page("/about/") is guide.pages["/about/"]


def test_previous_and_next_follow_the_sidebar(settings):
    guide = load_guide(settings)
    previous, following = guide.previous_and_next(guide.pages["/guide/first-step/"])
    assert (previous.permalink, following.permalink) == ("/guide/", "/guide/second-step/")
    assert guide.previous_and_next(guide.pages["/guide/"])[0] is None


def test_front_matter_overrides_previous_and_next(settings, write_content):
    content = write_content(
        {
            "a.md": page("A", "/a/", nextpage="/c/"),
            "b.md": page("B", "/b/"),
            "c.md": page("C", "/c/", previouspage="/a/"),
            "data/navigation.yml": "sidebar:\n  - heading: All\n    pages: [/a/, /b/, /c/]\n",
        }
    )
    guide = load_guide(settings.with_overrides(content_dir=content))
    assert guide.previous_and_next(guide.pages["/a/"])[1].permalink == "/c/"
    assert guide.previous_and_next(guide.pages["/c/"])[0].permalink == "/a/"


def test_breadcrumbs_follow_the_permalink_hierarchy_or_breadcrumbparent(settings, write_content):
    content = write_content(
        {
            "index.md": page("Home", "/"),
            "guide/index.md": page("Guide", "/guide/"),
            "guide/deep/step.md": page("Step", "/guide/deep/step/"),
            "role.md": page("Role", "/role/", breadcrumbparent="/guide/"),
        }
    )
    guide = load_guide(settings.with_overrides(content_dir=content))
    assert [p.title for p in guide.breadcrumbs(guide.pages["/guide/deep/step/"])] == ["Home", "Guide"]
    assert [p.title for p in guide.breadcrumbs(guide.pages["/role/"])] == ["Home", "Guide"]
    assert guide.breadcrumbs(guide.pages["/"]) == []


def test_rendered_pages_are_cached_by_content_and_reused(settings):
    first = load_guide(settings)
    cached_files = list((settings.cache_dir / "render").glob("*.pickle"))
    assert len(cached_files) == len(first.pages)
    second = load_guide(settings)
    assert second.pages["/guide/"].html == first.pages["/guide/"].html
    assert len(list((settings.cache_dir / "render").glob("*.pickle"))) == len(cached_files)


def test_a_changed_base_path_is_not_served_from_the_cache(settings):
    load_guide(settings)
    prefixed = load_guide(settings.with_overrides(base_path="/prm-practice-migration"))
    assert 'href="/prm-practice-migration/guide/first-step/#check-dates"' in prefixed.pages["/about/"].html


def test_each_page_has_a_content_version_that_changes_with_its_file(settings, write_content):
    content = write_content({"a.md": page("A", "/a/")})
    before = load_guide(settings.with_overrides(content_dir=content)).pages["/a/"].version
    (content / "a.md").write_text(page("A", "/a/", "Changed."))
    after = load_guide(settings.with_overrides(content_dir=content)).pages["/a/"].version
    assert before != after and len(before) == 12


def test_a_cache_entry_pickled_by_code_that_has_since_moved_is_rendered_again(settings, tmp_path, monkeypatch):
    """Moving the renderer's classes (as the package's layers did) must not crash a warm build."""
    first = load_guide(settings)
    gone = tmp_path / "gone_module.py"
    gone.write_text("class RenderedPage:\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import gone_module

    stale = pickle.dumps(gone_module.RenderedPage())
    del sys.modules["gone_module"]
    gone.unlink()
    for entry in (settings.cache_dir / "render").glob("*.pickle"):
        entry.write_bytes(stale)
    second = load_guide(settings)
    assert second.pages["/guide/"].html == first.pages["/guide/"].html


def test_cached_pages_are_keyed_on_the_code_that_renders_them(settings, tmp_path, monkeypatch):
    code = tmp_path / "content"
    shutil.copytree(PACKAGE_DIR / "content", code, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(render_cache, "RENDERING_CODE", (code, PACKAGE_DIR / "templating.py"))
    before = render_cache.renderer_fingerprint(settings, {})
    (code / "rendering.py").write_text((code / "rendering.py").read_text() + "\n# changed\n")
    assert render_cache.renderer_fingerprint(settings, {}) != before
