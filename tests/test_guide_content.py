"""The guide itself: the seed page kept byte for byte with every link landing, and the standards every page meets."""

import itertools
import re
from html.parser import HTMLParser

import pytest
from conftest import IN_CI, REAL_CONTENT, SEED_PAGE

from migration_guide.build.freeze import build_site
from migration_guide.config import Settings
from migration_guide.content.links import parse_internal
from migration_guide.content.loading import load_guide

SEED_LINK = re.compile(r"\]\((/prm-practice-migration/[^)]+)\)")


@pytest.fixture(scope="module")
def guide(tmp_path_factory):
    return load_guide(Settings.from_environment(instance_dir=tmp_path_factory.mktemp("instance")))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    build_site(Settings.from_environment(out_dir=out, instance_dir=tmp_path_factory.mktemp("instance")))
    return out


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        self.ids.update(value for name, value in attrs if name == "id")


def ids_in(path) -> set[str]:
    parser = _Ids()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.ids


@pytest.mark.skipif(not SEED_PAGE.exists() and not IN_CI, reason="the shared seed page is not beside this checkout")
def test_the_seed_page_is_kept_byte_for_byte():
    assert (REAL_CONTENT / "practice-staff.md").read_bytes() == SEED_PAGE.read_bytes()


def test_every_seed_link_reaches_a_frozen_page_and_an_element_with_its_id(site):
    links = SEED_LINK.findall((REAL_CONTENT / "practice-staff.md").read_text())
    assert len(links) == 13
    for href in links:
        link = parse_internal(href)
        frozen = site / link.path.lstrip("/") / "index.html"
        assert frozen.is_file(), href
        if link.fragment:
            assert link.fragment in ids_in(frozen), href


def test_the_seed_page_renders_at_its_own_permalink(site):
    html = (site / "practice-staff" / "index.html").read_text()
    assert "<h1>Practice managers and staff</h1>" in html
    for heading_id in ("key-questions-and-things-to-read", "have-you-notified-patients-of-any-disrcuption-or-changes"):
        assert f'id="{heading_id}"' in html


def test_the_old_ccg_address_redirects_to_the_icb_checklist(guide):
    assert guide.redirects["/clinical-comissioning-groups/"] == "/integrated-care-boards/"


def guide_pages(guide):
    return [page for page in guide.pages.values() if page.permalink.startswith("/guide/")]


def test_every_guide_page_has_an_owner_review_dates_and_a_description(guide):
    for page in guide_pages(guide):
        assert page.meta.get("owner"), page.source
        assert page.last_reviewed and page.review_due and page.review_due > page.last_reviewed, page.source
        assert page.description, page.source


def test_every_guide_page_in_the_sidebar_has_previous_and_next_in_guide_order(guide):
    order = guide.navigation.sidebar[0].permalinks
    for before, after in itertools.pairwise(order):
        assert guide.previous_and_next(guide.pages[before])[1].permalink == after
        assert guide.previous_and_next(guide.pages[after])[0].permalink == before


def words(markdown: str) -> int:
    return len(re.findall(r"[A-Za-z][A-Za-z'’-]*", re.sub(r"\]\([^)]*\)|\{#[^}]*\}|:::\S*", " ", markdown)))


def test_the_guide_has_at_least_10000_words_and_no_near_empty_page(guide):
    counts = {page.permalink: words(page.body) for page in guide_pages(guide)}
    assert sum(counts.values()) >= 10_000
    assert min(counts.values()) >= 300, counts


def test_the_glossary_defines_at_least_30_terms(site):
    html = (site / "glossary" / "index.html").read_text()
    terms = re.findall(r'<dt id="term-[a-z0-9-]+">', html)  # each term with its own id, to link to
    assert len(terms) >= 30 and len(set(terms)) == len(terms)
    assert len(terms) == html.count("<dt") == html.count("<dd>")


def test_the_introduction_shows_the_key_phases_timeline_with_each_phase_linked(guide, site):
    html = (site / "guide" / "index.html").read_text()
    steps = guide.steps["key-phases"]
    assert len(steps) >= 10
    assert html.count('class="app-timeline__step"') == len(steps)


def test_the_guide_speaks_of_2026_bodies(guide):
    # CCGs and NHS Digital may be named only as history: next to the words that say they were replaced.
    for page in guide.pages.values():
        for paragraph in page.body.split("\n\n"):
            if re.search(r"\bCCGs?\b|Clinical Commissioning Group", paragraph) and page.permalink != "/practice-staff/":
                assert re.search(r"replaced|until|used to|older|retired|changed|2019", paragraph), (
                    page.source,
                    paragraph,
                )
            assert "NHS Digital" not in paragraph, page.source


#: The 2026 topics a practice needs answered, each a section of its own.
TOPICS_2026 = {
    "data protection": "/guide/safety-and-data-protection/#data-protection",
    "clinical safety": "/guide/safety-and-data-protection/#clinical-safety",
    "go/no-go and rollback": "/guide/safety-and-data-protection/#go-no-go-and-rollback",
    "business continuity": "/guide/safety-and-data-protection/#business-continuity",
    "patients": "/guide/telling-patients/#telling-patients",
    "NHS App and online access": "/guide/telling-patients/#nhs-app-and-online-access",
    "prescribing": "/guide/linked-systems/#prescribing",
    "records in and out": "/guide/linked-systems/#records-in-and-out",
    "integrations": "/guide/linked-systems/#integrations",
    "working at scale": "/guide/linked-systems/#working-at-scale",
    "organisations that have changed": "/guide/further-guidance/#organisations-that-have-changed",
}


@pytest.mark.parametrize("topic", TOPICS_2026)
def test_each_2026_topic_is_a_section_linked_from_the_guide_contents_or_a_phase_page(guide, topic):
    link = parse_internal(TOPICS_2026[topic])
    target = guide.pages[link.path]
    assert link.fragment in {heading.id for heading in target.rendered.headings}, topic
    linking_pages = [
        page.permalink
        for page in guide.pages.values()
        if page.permalink.startswith("/guide/")
        and page.permalink != link.path
        and any(ref.path == link.path and ref.fragment == link.fragment for ref in page.rendered.links)
    ]
    assert linking_pages, f"nothing in the guide links to {TOPICS_2026[topic]}"


def test_every_phase_fact_a_page_quotes_is_rendered_and_no_page_states_a_timing_itself(guide):
    for page in guide.pages.values():
        assert "{phase:" not in page.html, page.permalink


def test_the_plan_leaves_at_least_5_weeks_between_requesting_the_extract_and_initial_data_production(guide):
    steps = {step.slug: step for step in guide.steps["key-phases"]}
    requested = steps["request-data-extract"].meta["starts_weeks_before_go_live"]
    produced = steps["initial-data-production"].meta["starts_weeks_before_go_live"]
    assert requested - produced >= 5


class _MetaDescription(HTMLParser):
    def __init__(self):
        super().__init__()
        self.descriptions: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "meta" and values.get("name") == "description":
            self.descriptions.append((values.get("content") or "").strip())


def test_every_frozen_page_has_one_meta_description(site):
    from migration_guide.build.preview import iter_pages

    pages = list(iter_pages(site))
    assert len(pages) >= 20 and "/plan/" in pages and "/404.html" in pages
    for url in pages:
        path = site / "404.html" if url == "/404.html" else site / url.strip("/") / "index.html"
        parser = _MetaDescription()
        parser.feed(path.read_text(encoding="utf-8"))
        assert len(parser.descriptions) == 1 and len(parser.descriptions[0]) >= 20, (url, parser.descriptions)
