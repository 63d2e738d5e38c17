"""Search: the Pagefind index a build writes, the /search/ page and its A to Z, and the header search box."""

from __future__ import annotations

import json
import re

import pytest
from conftest import REAL_CONTENT
from support.sitecheck import check_site

from migration_guide.config import Settings
from migration_guide.content.loading import load_guide
from migration_guide.content.search_terms import SearchTermsError, load_search_terms
from migration_guide.pages.app import create_app
from migration_guide.pages.search import a_to_z
from migration_guide.publish.search_index import NOT_INDEXED, checklist_records
from migration_guide.web.security import CONTENT_SECURITY_POLICY


@pytest.fixture(scope="module")
def guide(tmp_path_factory):
    return load_guide(Settings.from_environment(content_dir=REAL_CONTENT, instance_dir=tmp_path_factory.mktemp("i")))


@pytest.fixture(scope="module", params=["", "/prm-practice-migration"], ids=["root", "base-path"])
def built(request, built_sites):
    return built_sites(request.param)[0]


def test_the_build_ends_by_writing_the_pagefind_index(built):
    bundle = built.out_dir / "pagefind"
    assert (bundle / "pagefind.js").is_file() and (bundle / "pagefind-worker.js").is_file()
    assert list(bundle.glob("wasm.*.pagefind")) and list(bundle.glob("index/*.pf_index"))
    assert not list(bundle.glob("pagefind-*ui*")) and not (bundle / "pagefind-highlight.js").exists()
    assert check_site(built.out_dir, built.base_path) == []


def test_the_index_holds_every_page_with_a_body_and_every_checklist_item(built, guide):
    """Each checklist item is a record of its own, sent to Pagefind alongside the pages: none may go missing."""
    entry = json.loads((built.out_dir / "pagefind" / "pagefind-entry.json").read_text())
    pages = [
        path
        for path in built.out_dir.rglob("*.html")
        if "pagefind" not in path.parts and "data-pagefind-body" in path.read_text(encoding="utf-8")
    ]
    records = checklist_records(guide)
    assert len(records) > 200  # the guide's three role checklists
    assert entry["languages"]["en"]["page_count"] == len(pages) + len(records)


def test_only_page_text_is_indexed_not_the_chrome(built):
    html = (built.out_dir / "guide" / "kick-off" / "index.html").read_text()
    assert html.count("data-pagefind-body") == 1
    body = html.split("data-pagefind-body", 1)[1]
    before_sidebar = body.split("</main>")[0].split("nhsuk-grid-column-one-third")[0]
    # The guide's contents, folded near the top for phones, is in the body but not indexed (.app-contents).
    folded = before_sidebar.split('class="nhsuk-details app-contents app-contents--guide"')[1].split("</details>")[0]
    assert ".app-contents" in NOT_INDEXED
    assert (
        "<h1>Kick-off</h1>" in body
        and 'class="nhsuk-header' not in body
        and "app-side-nav" not in before_sidebar.replace(folded, "")
    )
    assert 'class="app-heading-link" data-pagefind-ignore="all"' in html
    for page in ("search", "guide/print", "404.html"):
        path = built.out_dir / page if page.endswith(".html") else built.out_dir / page / "index.html"
        assert "data-pagefind-body" not in path.read_text(), page


def test_the_search_page_loads_the_bundle_under_the_base_path(built):
    html = (built.out_dir / "search" / "index.html").read_text()
    assert f'data-bundle="{built.base_path}/pagefind/"' in html
    assert f'data-base-url="{built.base_path}/"' in html
    assert re.search(rf'<script type="module" src="{built.base_path}/assets/build/search\.[0-9a-f]{{10}}\.js">', html)


def test_every_page_has_a_search_box_in_the_header_that_goes_to_the_search_page(built):
    for page in ("index.html", "guide/index.html", "plan/index.html", "glossary/index.html"):
        html = (built.out_dir / page).read_text()
        assert (
            f'<form class="nhsuk-header__search-form" id="search" action="{built.base_path}/search/" method="get"'
            in html
        ), page
        assert 'name="q"' in html and 'type="search"' in html


def test_the_csp_allows_webassembly_for_search_and_nothing_inline():
    assert "script-src 'self' 'wasm-unsafe-eval'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY and "'unsafe-eval'" not in CONTENT_SECURITY_POLICY


def test_the_a_to_z_lists_every_page_and_every_h2_and_h3_section(guide):
    groups = a_to_z(guide)
    entries = [entry for _, group in groups for entry in group]
    hrefs = {entry.href for entry in entries}
    for page in guide.pages.values():
        assert page.permalink in hrefs
        for heading in page.rendered.headings:
            if heading.level in (2, 3):
                assert f"{page.permalink}#{heading.id}" in hrefs, (page.permalink, heading.id)
    assert {"/plan/", "/guide/print/"} <= hrefs
    letters = [letter for letter, _ in groups]
    assert letters == sorted(letters, key=lambda letter: (letter != "0–9", letter))
    for letter, group in groups:
        assert all(entry.letter == letter for entry in group)
        keys = [entry.sort_key for entry in group]
        assert keys == sorted(keys)


def test_the_a_to_z_names_the_page_each_section_is_on(guide):
    entries = {entry.href: entry for _, group in a_to_z(guide) for entry in group}
    section = entries["/guide/early-prep-and-planning/#request-a-data-extract-from-your-existing-supplier"]
    assert (section.text, section.page_title, section.letter) == (
        "Request a data extract from your existing supplier",
        "Early preparation and planning",
        "R",
    )


def test_without_javascript_the_search_page_explains_itself_and_shows_the_a_to_z(settings):
    html = create_app(settings).test_client().get("/search/?q=anything").get_data(as_text=True)
    # Shown or hidden by the stylesheet's `scripting` media feature before the first paint.
    assert '<p id="search-no-js" class="app-no-js-only">' in html
    assert '<form class="app-search__form app-js-only" id="search-form"' in html
    assert '<h2 id="a-to-z">A to Z of pages and sections</h2>' in html
    assert '<a href="#a-to-z-f">F</a>' in html  # "First step" in the fixture guide
    assert '<span class="app-a-z-nav__empty">Q</span>' in html
    assert "<script>" not in html and "style=" not in html


def test_the_dev_server_serves_the_index_from_the_last_build(built):
    client = create_app(built).test_client()
    response = client.get("/pagefind/pagefind.js")
    assert response.status_code == 200 and b"pagefind" in response.data
    assert response.headers["Content-Security-Policy"]


def test_without_a_build_the_dev_server_has_no_index(settings):
    assert create_app(settings).test_client().get("/pagefind/pagefind.js").status_code == 404


def test_glossary_terms_carry_ids_and_are_in_the_a_to_z(guide):
    glossary = guide.pages["/glossary/"]
    terms = {term.text: term.id for term in glossary.rendered.terms}
    assert terms["DPIA"] == "term-dpia" and terms["Buying Catalogue"] == "term-buying-catalogue"
    assert len(set(terms.values())) == len(terms) >= 30
    assert '<dt id="term-dpia">DPIA</dt>' in glossary.rendered.html
    entries = [entry for _, group in a_to_z(guide) for entry in group]
    dpia = next(entry for entry in entries if entry.text == "DPIA")
    assert (dpia.href, dpia.page_title, dpia.kind) == ("/glossary/#term-dpia", "Glossary", "term")


def test_the_search_pages_two_search_landmarks_have_names(settings):
    html = create_app(settings).test_client().get("/search/").get_data(as_text=True)
    assert '<search class="nhsuk-header__search" aria-label="Site search">' in html
    form = re.search(r'<form class="app-search__form[^"]*" id="search-form"[^>]*>', html)[0]
    assert 'role="search" aria-label="Search the guide"' in form


# What readers type: content/data/search_terms.yml

#: The pages that show a role's checklist.
ROLE_PAGES = ("/practice-staff/", "/project-managers/", "/integrated-care-boards/")


def _words(text: str) -> str:
    return " ".join(re.findall(r"[\w-]+", text.lower()))


def _guide_words(guide) -> str:
    text = " ".join(
        [page.title + " " + re.sub(r"<[^>]+>", " ", page.rendered.html) for page in guide.pages.values()]
        + [item.text for checklist in guide.checklists.values() for item in checklist.items]
    )
    return f" {_words(text)} "


def test_every_synonym_line_has_a_way_of_saying_it_that_the_guide_uses(guide):
    words = _guide_words(guide)
    terms = load_search_terms(REAL_CONTENT)
    assert len(terms.synonyms) >= 8
    for group in terms.synonyms:
        assert any(f" {_words(term)} " in words for term in group), group
    assert any("pcrm" in group and "pds reconciliation" in group for group in terms.synonyms)
    assert {"cut-over", "cutover", "cut over"} <= next(set(g) for g in terms.synonyms if "cutover" in g)


def test_every_misspelling_corrects_to_a_word_the_guide_uses_and_is_not_itself_a_word_of_the_guide(guide):
    words = _guide_words(guide)
    terms = load_search_terms(REAL_CONTENT)
    assert {"extrct": "extract", "rolback": "rollback"}.items() <= terms.misspellings.items()
    for wrong, right in terms.misspellings.items():
        assert f" {right} " in words, right
        assert f" {wrong} " not in words, wrong


def test_the_search_page_carries_the_terms_and_offers_as_data_not_script(built):
    import json

    html = (built.out_dir / "search" / "index.html").read_text()
    data = json.loads(html.split('<script type="application/json" id="search-terms">')[1].split("</script>")[0])
    assert data["misspellings"]["extrct"] == "extract"
    planner, checklists = data["offers"]
    assert "date" in planner["words"] and planner["links"][0]["href"] == f"{built.base_path}/plan/"
    assert {link["href"] for link in checklists["links"]} == {
        f"{built.base_path}{role}#checklist" for role in ROLE_PAGES
    }


def test_every_checklist_item_is_indexed_as_a_record_leading_to_its_checkbox(guide):
    records = checklist_records(guide)
    items = [item for checklist in guide.checklists.values() for item in checklist.items]
    assert len(records) == len(items) > 100
    book = next(r for r in records if r.url == "/project-managers/#item-book-trainers-and-rooms")
    assert book.title.startswith("Book trainers, rooms and dates") and "Project managers" in book.page_title


def test_a_search_terms_file_of_the_wrong_shape_is_refused_with_its_name(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "search_terms.yml").write_text("synonyms:\n  - [only one]\n")
    with pytest.raises(SearchTermsError, match=r"search_terms.yml: each synonyms line needs at least 2"):
        load_search_terms(tmp_path)


@pytest.mark.slow  # builds a site of its own
def test_a_rebuild_that_changed_no_page_keeps_the_index_and_a_changed_page_is_indexed_again(
    tmp_path, write_content, monkeypatch
):
    from migration_guide.publish import search_index
    from migration_guide.publish.freeze import build_site

    content = write_content(
        {
            "data/navigation.yml": "sidebar:\n  - heading: Guide\n    pages: [/guide/]\n",
            "index.md": "---\ntitle: Home\npermalink: /\nlayout: home\n---\nWelcome.\n",
            "guide/index.md": "---\ntitle: Guide\npermalink: /guide/\n---\n## Plan the move {#plan}\n\nBook rooms.\n",
        }
    )
    settings = Settings.from_environment(
        content_dir=content,
        out_dir=tmp_path / "site",
        instance_dir=tmp_path / "instance",
        functions_manifest=tmp_path / "manifest.json",
    )
    build_site(settings)
    bundle = settings.out_dir / "pagefind"
    indexed = sorted(path.name for path in bundle.rglob("*"))

    calls = []
    original = search_index.SearchIndex._write
    monkeypatch.setattr(search_index.SearchIndex, "_write", lambda self: calls.append(self) or original(self))
    build_site(settings)
    assert calls == [], "Pagefind ran although no page changed"
    assert sorted(path.name for path in bundle.rglob("*")) == indexed

    page = content / "guide" / "index.md"
    page.write_text(page.read_text().replace("Book rooms.", "Book rooms and a projector."))
    build_site(settings)
    assert len(calls) == 1, "a changed page must be indexed again"
    assert sorted(path.name for path in bundle.rglob("*")) != indexed  # the fragments hold the new words


@pytest.mark.slow  # builds a site of its own
def test_pagefind_starts_once_the_searched_pages_are_written_while_the_rest_are_frozen(tmp_path, monkeypatch):
    from conftest import FIXTURE_CONTENT

    from migration_guide.publish import freeze

    events = []
    original_freeze, original_index = freeze.parallel_freeze.freeze_yield, freeze.SearchIndex.finish

    def freeze_yield(freezer):
        for page in original_freeze(freezer):
            events.append(page.url)
            yield page

    monkeypatch.setattr(freeze.parallel_freeze, "freeze_yield", freeze_yield)
    monkeypatch.setattr(freeze.SearchIndex, "finish", lambda self: events.append("Pagefind") or original_index(self))
    settings = Settings.from_environment(
        content_dir=FIXTURE_CONTENT,
        out_dir=tmp_path / "site",
        instance_dir=tmp_path / "instance",
        functions_manifest=tmp_path / "manifest.json",
    )
    freeze.build_site(settings)
    started = events.index("Pagefind")
    assert {"/", "/guide/", "/plan/"} <= set(events[:started]), "Pagefind started before a searched page was written"
    assert any(url.startswith("/assets/") for url in events[started:]), "Pagefind waited for the whole freeze"


@pytest.mark.slow  # builds a site of its own
def test_a_page_taken_out_of_the_content_is_out_of_the_index_after_the_next_build(tmp_path, write_content):
    import gzip

    from migration_guide.publish.freeze import build_site

    content = write_content(
        {
            "data/navigation.yml": "sidebar:\n  - heading: Guide\n    pages: [/guide/]\n",
            "index.md": "---\ntitle: Home\npermalink: /\nlayout: home\n---\nWelcome.\n",
            "guide/index.md": "---\ntitle: Guide\npermalink: /guide/\n---\n## Plan the move {#plan}\n\nBook rooms.\n",
            "extra.md": "---\ntitle: Extra\npermalink: /extra/\n---\n## Zebras {#zebras}\n\nStriped words.\n",
        }
    )
    settings = Settings.from_environment(
        content_dir=content,
        out_dir=tmp_path / "site",
        instance_dir=tmp_path / "instance",
        functions_manifest=tmp_path / "manifest.json",
    )

    def indexed_text() -> bytes:
        return b"".join(
            gzip.decompress(path.read_bytes()) for path in (settings.out_dir / "pagefind").rglob("*.pf_fragment")
        )

    build_site(settings)
    assert b"Zebras" in indexed_text()
    (content / "extra.md").unlink()
    build_site(settings)
    assert b"Zebras" not in indexed_text() and b"Book rooms" in indexed_text()
    assert not (settings.out_dir / "extra").exists()


def test_every_app_page_with_a_body_to_search_is_indexed_before_the_rest_are_frozen(built):
    """The build starts Pagefind once the Markdown pages and SEARCHED_APP_PAGES are written: an app page that
    gains data-pagefind-body must be listed there, or Pagefind might read it half written."""
    from migration_guide.content.links import APP_PAGES
    from migration_guide.publish.search_index import SEARCHED_APP_PAGES

    settings = built
    with_body = {
        path
        for path in APP_PAGES
        if "data-pagefind-body" in (settings.out_dir / path.strip("/") / "index.html").read_text(encoding="utf-8")
    }
    assert with_body == set(SEARCHED_APP_PAGES)


@pytest.mark.slow  # builds a site of its own
def test_the_checklist_records_reach_pagefind_while_the_pages_are_still_being_frozen(
    settings, write_content, monkeypatch
):
    from test_checklists import guide_files

    from migration_guide.publish import freeze, search_index

    events = []
    original_send, original_freeze = search_index._PromptService.send, freeze.parallel_freeze.freeze_yield

    async def send(self, payload):
        events.append(payload["type"])
        return await original_send(self, payload)

    def freeze_yield(freezer):
        for page in original_freeze(freezer):
            events.append("frozen")
            yield page

    monkeypatch.setattr(search_index._PromptService, "send", send)
    monkeypatch.setattr(freeze.parallel_freeze, "freeze_yield", freeze_yield)
    freeze.build_site(settings.with_overrides(content_dir=write_content(guide_files())))
    last_frozen = len(events) - 1 - events[::-1].index("frozen")
    assert "AddRecord" in events[:last_frozen], "the records waited for the freeze"
    assert events.index("frozen") < events.index("AddDir"), "the pages are added once written"
    assert "WriteFiles" in events and events.count("AddRecord") == 3
