"""Page types: one table (content/layouts.py) says what each layout is, and the pages, the functions'
manifest, search, print and the sitemap all read it, so a page shows feedback forms only where the
functions take their posts."""

from urllib.parse import urlencode

import pytest
from conftest import page

from migration_guide.content import layouts
from migration_guide.content.loading import load_guide
from migration_guide.pages.app import create_app
from migration_guide.web.manifest import SiteManifest

ORIGIN = "https://gp-practice-migration-guide.netlify.app"
FEEDBACK_FORM = 'class="app-feedback" method="post"'
BODY = "Some text.\n\n## Check your dates {#check-dates}\n\nText of the section."


def guide_with(settings, write_content, layout: str):
    content = write_content(
        {
            "index.md": page("Home", "/", layout="home"),
            "reference.md": page("Reference", "/reference/", BODY, layout=layout),
            "data/navigation.yml": "service_name: Test guide\nsidebar:\n  - heading: Guide\n    pages: [/reference/]\n",
        }
    )
    return settings.with_overrides(content_dir=content, use_render_cache=False)


def post_feedback(client):
    return client.post(
        "/api/feedback",
        data=urlencode({"page": "/reference/", "section": "check-dates", "answer": "yes", "website": ""}),
        content_type="application/x-www-form-urlencoded",
        headers={"Origin": ORIGIN, "Accept": "text/html"},
    )


@pytest.mark.parametrize("takes_feedback", [False, True], ids=["without-feedback", "with-feedback"])
def test_a_new_layout_reusing_the_guide_template_shows_feedback_forms_only_if_the_functions_take_them(
    settings, write_content, monkeypatch, takes_feedback
):
    monkeypatch.setitem(
        layouts.LAYOUTS, "reference", layouts.Layout("reference", "guide", takes_feedback=takes_feedback)
    )
    client = create_app(guide_with(settings, write_content, "reference")).test_client()
    html = client.get("/reference/").get_data(as_text=True)
    assert "Check your dates" in html
    assert (FEEDBACK_FORM in html) is takes_feedback
    answered = post_feedback(client)
    assert answered.status_code == (200 if takes_feedback else 400)
    if not takes_feedback:
        assert "Thank you" not in answered.get_data(as_text=True)


# A checklist page needs its checklist file as well; tests/test_checklists.py renders those.
@pytest.mark.parametrize("name", sorted(set(layouts.LAYOUTS) - {"checklist"}))
def test_every_layout_shows_feedback_forms_exactly_where_the_manifest_accepts_them(settings, write_content, name):
    built = guide_with(settings, write_content, name)
    manifest = SiteManifest.from_guide(load_guide(built), base_path="")
    html = create_app(built).test_client().get("/reference/").get_data(as_text=True)
    accepted = manifest.section("/reference/", "check-dates") is not None
    assert (FEEDBACK_FORM in html, accepted) == (layouts.LAYOUTS[name].takes_feedback,) * 2


@pytest.mark.parametrize("listed", [True, False], ids=["listed", "left-out"])
def test_a_page_type_left_out_of_search_print_and_the_sitemap_is_in_none_of_them(
    settings, write_content, monkeypatch, listed
):
    monkeypatch.setitem(
        layouts.LAYOUTS,
        "chosen",
        layouts.Layout("chosen", "page", in_search=listed, in_print=listed, in_sitemap=listed),
    )
    client = create_app(guide_with(settings, write_content, "chosen")).test_client()
    assert ("data-pagefind-body" in client.get("/reference/").get_data(as_text=True)) is listed
    assert ("/reference/" in client.get("/sitemap.xml").get_data(as_text=True)) is listed
    assert ("Text of the section." in client.get("/guide/print/").get_data(as_text=True)) is listed


def test_both_guide_navigations_mark_the_current_page_and_show_titles_as_text(settings, write_content):
    """The side navigation (beside the text) and its fold near the top (for phones) list the same pages."""
    import re

    from conftest import page

    from migration_guide.pages.app import create_app

    content = write_content(
        {
            "data/navigation.yml": "sidebar:\n  - heading: Steps & <more>\n    pages: [/guide/, /guide/two/]\n",
            "guide/index.md": page("Start <here>", "/guide/", "## One {#one}\n\nText.", layout="guide"),
            "guide/two.md": page('Two & "more"', "/guide/two/", "## Two {#two}\n\nText.", layout="guide"),
        }
    )
    client = create_app(settings.with_overrides(content_dir=content)).test_client()
    for _ in range(5):  # past the calls that check the stamped fold against a full rendering
        html = client.get("/guide/two/").get_data(as_text=True)
    navs = re.findall(r'<nav class="app-side-nav" aria-label="([^"]+)">(.*?)</nav>', html, re.S)
    assert [label for label, _ in navs] == ["Guide contents", "Guide"]
    for _, nav in navs:
        assert "Steps &amp; &lt;more&gt;" in nav and "<more>" not in nav
        assert '<a href="/guide/">Start &lt;here&gt;</a>' in nav
        assert '<li class="app-side-nav__item app-side-nav__item--current">' in nav
        assert '<a href="/guide/two/" aria-current="page">Two &amp; &#34;more&#34;</a>' in nav
    assert '<h2 class="app-side-nav__heading">' in navs[1][1] and '<p class="app-side-nav__heading">' in navs[0][1]
