"""The whole guide on one page (/guide/print/), and the print stylesheet every page uses."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from conftest import REAL_CONTENT, page

from migration_guide.config import PROJECT_ROOT, Settings
from migration_guide.content.loading import load_guide
from migration_guide.pages.app import create_app
from migration_guide.pages.printing import demote_headings, page_anchor, pages_to_print, print_pages


@pytest.fixture(scope="module")
def guide(tmp_path_factory):
    return load_guide(Settings.from_environment(content_dir=REAL_CONTENT, instance_dir=tmp_path_factory.mktemp("i")))


def test_pages_come_in_reading_order_then_the_glossary(guide):
    sidebar = [permalink for section in guide.navigation.sidebar for permalink in section.permalinks]
    assert [p.permalink for p in pages_to_print(guide)] == [*sidebar, "/glossary/"]


def test_headings_move_down_a_level_under_each_page_title():
    assert demote_headings('<h2 id="a">A</h2><h3>B</h3><h6>C</h6>') == '<h3 id="a">A</h3><h4>B</h4><h6>C</h6>'


def test_links_to_printed_pages_point_within_the_page_and_every_id_is_unique(settings, write_content):
    content = write_content(
        {
            "guide/index.md": page(
                "Start",
                "/guide/",
                "## Shared {#shared}\n\nSee [two](/guide/two#shared), [two](/guide/two/) "
                "and [here](#shared) and [away](/away/).",
                layout="guide",
            ),
            "guide/two.md": page(
                "Two", "/guide/two/", "## Shared {#shared}\n\n## Only here {#only-here}\n\n[back](/guide/#shared)"
            ),
            "away.md": page("Away", "/away/"),
            "data/navigation.yml": "sidebar:\n  - heading: Guide\n    pages: [/guide/, /guide/two/]\n",
        }
    )
    guide = load_guide(settings.with_overrides(content_dir=content, base_path="/base"))
    first, second = print_pages(guide, "/base")
    assert (first.anchor, second.anchor) == ("page-guide", "page-guide-two")
    # The id both pages use is prefixed on each; one used once keeps its name.
    assert '<h3 id="page-guide--shared">' in first.html and '<h3 id="page-guide-two--shared">' in second.html
    assert '<h3 id="only-here">' in second.html
    assert 'href="#page-guide-two--shared"' in first.html  # to a section of another printed page
    assert 'href="#page-guide-two"' in first.html  # to another printed page
    assert 'href="#page-guide--shared"' in first.html  # within its own page
    assert 'href="/base/away/"' in first.html  # not printed: stays a link to the page
    assert 'href="#page-guide--shared"' in second.html


def test_the_print_page_has_every_page_with_unique_ids_and_no_links_out_to_printed_pages(guide, tmp_path):
    settings = Settings.from_environment(content_dir=REAL_CONTENT, instance_dir=tmp_path / "i", base_path="/base")
    html = create_app(settings).test_client().get("/guide/print/").get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert [ident for ident, count in Counter(ids).items() if count > 1] == []
    printed = pages_to_print(guide)
    for printed_page in printed:
        assert f'<h2 class="nhsuk-heading-xl app-print-page__title" id="{page_anchor(printed_page.permalink)}">' in html
    main = html.split('id="maincontent"', 1)[1].split("</main>")[0]
    internal = re.findall(r'href="(/base/[^"]*)"', main)
    printed_paths = {f"/base{p.permalink}" for p in printed}
    assert [href for href in internal if href.split("#")[0] in printed_paths] == []
    for href in re.findall(r'href="#([^"]+)"', main):
        assert href in ids, href
    assert main.count("<h1") == 1 and "data-pagefind-body" not in html


def test_every_guide_page_links_to_the_print_page(settings):
    html = create_app(settings).test_client().get("/guide/first-step/").get_data(as_text=True)
    assert '<a href="/guide/print/">Print or save the whole guide</a>' in html


def test_the_print_stylesheet_hides_the_chrome_and_shows_external_link_addresses(settings):
    app = create_app(settings)
    css = (app.extensions["assets"].directory / app.extensions["assets"].manifest["app.css"]).read_text()
    printed = "".join(re.findall(r"@media print\{((?:[^{}]*\{[^{}]*\})*)\}", css))
    hidden = {
        selector
        for rule in re.findall(r"([^{}]*)\{display:none ?!important\}", printed)
        for selector in rule.split(",")
    }
    for selector in (
        ".nhsuk-header",
        ".nhsuk-footer",
        ".app-side-nav",
        ".nhsuk-breadcrumb",
        ".nhsuk-pagination",
        ".app-print-link",
        ".app-planner__form",
        ".app-search",
        ".app-phase-banner",
    ):
        assert selector in hidden, selector
    assert re.search(r'a\[href\^="?http"?\]::after\{content:" \(" attr\(href\) "\)"', printed)
    assert re.search(r'a\[href\^="?/"?\]::after,a\[href\^="?#"?\]::after\{content:none\}', printed)
    assert "details::details-content{content-visibility:visible" in printed
    assert re.search(r"\.app-print-page\{break-before:page", printed)


def test_the_print_page_has_a_print_button_only_where_scripts_run(settings):
    html = create_app(settings).test_client().get("/guide/print/").get_data(as_text=True)
    button = re.search(r'<button[^>]*id="print-guide"[^>]*>\s*Print this page\s*</button>', html)[0]
    # Shown by the stylesheet's `scripting` media feature (.app-js-only); app.js opens the print dialogue.
    assert "app-js-only" in button and button.count("type=") == 1 and 'type="button"' in button
    app_js = (PROJECT_ROOT / "assets" / "js" / "app.mjs").read_text()
    assert 'getElementById("print-guide")' in app_js and "window.print()" in app_js


def test_the_whole_guide_leaves_out_the_section_links_beside_its_headings_and_keeps_their_ids(guide):
    printed = print_pages(guide)
    assert sum(page.html.count("app-heading-link") for page in printed) == 0
    assert sum(len(page.rendered.headings) for page in guide.pages.values()) > 50
    kick_off = next(page for page in printed if page.page.permalink == "/guide/kick-off/")
    assert 'id="what-is-a-kick-off"' in kick_off.html or "--what-is-a-kick-off" in kick_off.html
