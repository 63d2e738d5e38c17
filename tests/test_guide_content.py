"""The guide itself: the seed page's heading, questions, ids and links kept on the practice checklist with every
link landing, each role's checklist, and the standards every page meets."""

import html
import itertools
import re
from html.parser import HTMLParser

import pytest
from conftest import IN_CI, SEED_PAGE

from migration_guide.config import Settings
from migration_guide.content.links import parse_internal
from migration_guide.content.loading import load_guide
from migration_guide.content.rendering import MarkdownRenderer

SEED_LINK = re.compile(r"\]\((/prm-practice-migration/[^)]+)\)")


@pytest.fixture(scope="module")
def guide(tmp_path_factory):
    return load_guide(Settings.from_environment(instance_dir=tmp_path_factory.mktemp("instance")))


@pytest.fixture(scope="module")
def site(built_sites):
    return built_sites()[0].out_dir


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


#: The seed's spelling slips, corrected on the page. Ids keep the seed's spelling, so old links still land.
SPELLING = {"disrcuption": "disruption", "reconcilitation": "reconciliation", "peoples time": "people's time"}
#: Slips of the seed's opening text that must not come back.
SLIPS = ["reconcilitation", "Commisioning", "disrcuption", "peoples time", "by differ regionally", "aims break down"]


def corrected(text: str) -> str:
    for slip, right in SPELLING.items():
        text = text.replace(slip, right)
    return text


@pytest.fixture(scope="module")
def seed():
    """The page the project started from: its h2, and each h3 question with its id and the links under it."""
    if not SEED_PAGE.exists():
        if IN_CI:
            pytest.fail(f"{SEED_PAGE} is needed in CI")
        pytest.skip("the shared seed page is not beside this checkout")
    body = SEED_PAGE.read_text(encoding="utf-8").split("---", 2)[2]
    rendered = MarkdownRenderer(Settings.from_environment().templates_dir).render(body)
    [heading] = [h for h in rendered.headings if h.level == 2]
    questions = [h for h in rendered.headings if h.level == 3]
    links: dict[str, list[str]] = {}
    current = None
    for line in body.splitlines():
        if line.startswith("### "):
            current = next(q.id for q in questions if q.text == line[4:].strip())
        links.setdefault(current, []).extend(SEED_LINK.findall(line))
    return heading, questions, links


class _Page(HTMLParser):
    """Each id's text, every link, and which links sit in which fieldset (by its heading's id)."""

    def __init__(self):
        super().__init__()
        self.text_of: dict[str, str] = {}
        self.links: list[str] = []
        self.in_group: dict[str, list[str]] = {}
        self._open: list[tuple[str, str]] = []  # (tag, id) of elements whose text is being read
        self._group = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "fieldset":
            self._group = ""
        if attrs.get("id") and tag not in ("input", "img", "br", "meta", "link"):  # elements that hold text
            self.text_of[attrs["id"]] = ""
            self._open.append((tag, attrs["id"]))
            if self._group == "" and tag.startswith("h"):
                self._group = attrs["id"]
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
            if self._group:
                self.in_group.setdefault(self._group, []).append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "fieldset":
            self._group = None
        if self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_data(self, data):
        for _, ident in self._open:
            self.text_of[ident] += data


@pytest.fixture(scope="module")
def practice_page(site):
    parser = _Page()
    parser.feed((site / "practice-staff" / "index.html").read_text(encoding="utf-8"))
    return parser


def words_of(text: str) -> str:
    return " ".join(text.split())


def test_the_practice_checklist_keeps_the_seed_heading_with_its_id(seed, practice_page):
    heading, _, _ = seed
    assert heading.id == "key-questions-and-things-to-read"
    assert words_of(practice_page.text_of[heading.id]) == heading.text == "Key questions and things to read"


def test_each_seed_question_keeps_its_wording_its_id_and_its_links(seed, practice_page):
    _, questions, links = seed
    assert len(questions) == 5
    assert "have-you-notified-patients-of-any-disrcuption-or-changes" in [q.id for q in questions]
    for question in questions:
        assert words_of(practice_page.text_of.get(question.id, "")) == corrected(question.text), question.id
        expected = [parse_internal(href).href() for href in links[question.id]]
        assert set(expected) <= set(practice_page.in_group[question.id]), question.id


def test_the_seed_item_without_a_link_is_kept(site):
    html = (site / "practice-staff" / "index.html").read_text(encoding="utf-8")
    label = re.search(r'<label[^>]* for="item-book-rooms">(.*?)</label>', html, re.S)
    assert label and words_of(label[1]) == (
        "Have you booked rooms for initial data production meetings, training and data checking activities?"
    )


def test_every_seed_link_is_on_the_practice_page_and_reaches_a_frozen_page_and_an_element_with_its_id(
    seed, practice_page, site
):
    links = SEED_LINK.findall(SEED_PAGE.read_text(encoding="utf-8"))
    assert len(links) == 13
    for href in links:
        link = parse_internal(href)
        assert link.href() in practice_page.links, href
        frozen = site / link.path.lstrip("/") / "index.html"
        assert frozen.is_file(), href
        if link.fragment:
            assert link.fragment in ids_in(frozen), href


def test_the_seed_spelling_slips_are_gone_from_the_practice_page(site):
    html = (site / "practice-staff" / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", html)  # ids and addresses keep the seed's spelling; the words do not
    for slip in SLIPS:
        assert slip not in text, slip


def test_the_practice_checklist_runs_past_initial_data_production_to_the_end(guide):
    checklist = guide.checklists["practice-staff"]
    assert len(checklist.items) >= 25 and len(checklist.phases) >= 8
    slugs = [phase.slug for phase in checklist.phases]
    for later in ("data-checking", "final-data-production", "go-live", "after-go-live", "end-of-migration"):
        assert later in slugs


def test_each_role_page_has_its_checklist_and_next_leads_to_the_guide(guide):
    for name, checklist in guide.checklists.items():
        page = guide.pages[checklist.page]
        assert guide.checklist_of(page) is checklist, name
        assert guide.previous_and_next(page)[1].permalink == "/guide/", name


def test_every_checklist_item_links_to_a_page_and_an_id_on_it(guide):
    for checklist in guide.checklists.values():
        for item in checklist.items:
            if item.id == "book-rooms":
                continue  # the seed's one item without a link
            target = item.target
            assert target is not None, (checklist.name, item.id)
            if target.fragment:
                page = guide.pages[target.path]
                assert target.fragment in guide.element_ids(page), (checklist.name, item.id)


def test_the_practice_page_renders_at_its_own_permalink(site):
    html = (site / "practice-staff" / "index.html").read_text()
    assert "<h1>Practice managers and staff</h1>" in html


def test_the_header_checklists_link_goes_to_the_list_of_every_role(guide, site):
    assert [link.href for link in guide.navigation.header if link.text == "Checklists by role"] == ["/checklists/"]
    assert [link.href for link in guide.navigation.header if link.text == "Plan your dates"] == ["/plan/"]
    html = (site / "checklists" / "index.html").read_text()
    for checklist in guide.checklists.values():
        assert f'href="{checklist.page}"' in html
        assert checklist.summary.replace("'", "&#39;") in html


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
    from migration_guide.preview import iter_pages

    pages = list(iter_pages(site))
    assert len(pages) >= 20 and "/plan/" in pages and "/404.html" in pages
    for url in pages:
        path = site / "404.html" if url == "/404.html" else site / url.strip("/") / "index.html"
        parser = _MetaDescription()
        parser.feed(path.read_text(encoding="utf-8"))
        assert len(parser.descriptions) == 1 and len(parser.descriptions[0]) >= 20, (url, parser.descriptions)


def readable_text(html_page: str) -> str:
    """The words a reader reads in <main>: no scripts or forms, each block a sentence of its own."""
    main = html_page.split("<main", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<(script|template|form)\b.*?</\1>", " ", main, flags=re.S)
    main = re.sub(r"</(li|h[1-6]|label|p|dt|dd|td|th|summary|legend|div)>", ". ", main)
    text = html.unescape(re.sub(r"<[^>]+>", " ", main))
    return re.sub(r"([.?!:])\s*\.", r"\1", re.sub(r"\s+", " ", text))


def test_every_guide_page_reads_at_flesch_reading_ease_60_or_more(site, guide):
    """Every page written in Markdown, and the privacy notice, as a reader sees them (the app's other pages are forms
    and indexes)."""
    import textstat

    scores = {}
    for permalink in [*guide.pages, "/privacy/"]:
        page = (site / permalink.strip("/") / "index.html").read_text()
        scores[permalink] = round(textstat.flesch_reading_ease(readable_text(page)), 1)
    assert len(scores) == len(guide.pages) + 1 > 20
    assert {page: score for page, score in scores.items() if score < 60} == {}
