"""Search, the date planner and printing, in Debian's chromium against the frozen guide.

The site is built here, at the root and under the old base path (which the shared preview
server does not serve), and served by a small static server on a free loopback port with the
production security headers, so the tests see what readers see: the real
Content-Security-Policy, no network beyond this machine. The browser is the shared one from
tests/browser/conftest.py, which skips without chromium or playwright, except with CI=true,
where it fails.
"""

from __future__ import annotations

import csv
import functools
import io
import threading
from datetime import date, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote_plus, urlsplit

import pytest

from migration_guide.config import Settings
from migration_guide.content.loading import load_guide
from migration_guide.content.phases import phases, plan
from migration_guide.publish.freeze import build_site
from migration_guide.web.security import SECURITY_HEADERS

BASE_PATH = "/prm-practice-migration"
#: The NHS font host: pages may ask for Frutiger from it (the CSP allows it); here it is blocked.
FONT_HOST = "assets.nhs.uk"
DATA_EXTRACT_SECTION = "/guide/early-prep-and-planning/#request-a-data-extract-from-your-existing-supplier"

#: Runs before any page script: records Content-Security-Policy violations.
CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


class _Handler(SimpleHTTPRequestHandler):
    """Serves a frozen site under a base path, with the headers Netlify sends."""

    base_path = ""
    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
        ".pagefind": "application/octet-stream",
    }

    def translate_path(self, path):
        path = urlsplit(path).path
        if self.base_path:
            if not path.startswith(self.base_path + "/"):
                return str(Path(self.directory) / "__outside_the_base_path__")
            path = path[len(self.base_path) :]
        return super().translate_path(path)

    def end_headers(self):
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module", params=["", BASE_PATH], ids=["root", "base-path"])
def fpp_site(request, tmp_path_factory):
    """(address including the base path, base path, site folder) of the frozen guide being served."""
    base_path = request.param
    out = tmp_path_factory.mktemp("fpp-site")
    build_site(
        Settings.from_environment(
            out_dir=out, base_path=base_path, instance_dir=tmp_path_factory.mktemp("fpp-instance")
        )
    )
    handler = type("Handler", (_Handler,), {"base_path": base_path})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}{base_path}", base_path, out
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def open_page(browser, fpp_site):
    """Pages that may reach only the test server; every other request fails the test."""
    address = fpp_site[0]
    local = urlsplit(address).netloc
    made = []

    def make(javascript: bool = True):
        context = browser.new_context(java_script_enabled=javascript, accept_downloads=True)
        page = context.new_page()
        page.outside = []
        page.requests = []
        page.errors = []

        def route(route):
            url = route.request.url
            page.requests.append(url)
            if urlsplit(url).netloc == local or url.startswith(("blob:", "data:")):
                route.continue_()
            else:
                if urlsplit(url).hostname != FONT_HOST:
                    page.outside.append(url)
                route.abort()

        context.route("**/*", route)
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on(
            "console",
            lambda message: (
                message.type == "error" and "ERR_FAILED" not in message.text and page.errors.append(message.text)
            ),
        )
        if javascript:
            context.add_init_script(CSP_LISTENER)
        made.append((context, page))
        return page

    yield make
    for context, page in made:
        violations = page.evaluate("window.__csp || []") if not page.is_closed() else []
        assert violations == [], violations
        assert page.outside == [], f"requests left the machine: {page.outside}"
        assert page.errors == [], page.errors
        context.close()


# Search


def search_results(page):
    # Playwright's wait_for_function evaluates strings, which the CSP rightly refuses: wait on a locator.
    page.locator("#search-status", has_text="found").wait_for()
    return page.locator("#search-results > li")


def test_searching_data_extract_puts_the_section_on_requesting_one_first_with_its_anchor(open_page, fpp_site):
    address, base_path, _ = fpp_site
    page = open_page()
    page.goto(f"{address}/search/")
    page.fill("#search-query", "data extract")
    page.press("#search-query", "Enter")
    results = search_results(page)
    first = results.first.locator("a").first
    assert first.get_attribute("href") == base_path + DATA_EXTRACT_SECTION
    assert first.inner_text() == "Request a data extract from your existing supplier"  # the heading, nothing more
    assert page.url.endswith("/search/?q=data+extract")

    first.click()
    page.wait_for_url(f"**{DATA_EXTRACT_SECTION}")
    assert page.locator("#request-a-data-extract-from-your-existing-supplier").is_visible()


def test_a_glossary_term_is_found_as_the_term_not_the_top_of_the_glossary(open_page, fpp_site):
    address, base_path, _ = fpp_site
    page = open_page()
    page.goto(f"{address}/search/?q=DPIA")
    results = search_results(page)
    links = results.locator("a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert base_path + "/glossary/#term-dpia" in hrefs, hrefs
    assert base_path + "/glossary/" not in hrefs  # never the top of the glossary
    term = page.locator(f'#search-results a[href="{base_path}/glossary/#term-dpia"]').first
    assert term.inner_text() == "DPIA"
    term.click()
    page.wait_for_url("**/glossary/#term-dpia")
    assert page.locator("dt#term-dpia").is_visible()


def test_the_header_search_box_searches_from_any_page(open_page, fpp_site):
    address, base_path, _ = fpp_site
    page = open_page()
    page.goto(f"{address}/guide/kick-off/")
    page.fill("#search-field", "run-off period")
    page.press("#search-field", "Enter")
    page.wait_for_url("**/search/?q=run-off+period")
    results = search_results(page)
    assert results.count() >= 1
    hrefs = [results.nth(i).locator("a").first.get_attribute("href") for i in range(results.count())]
    assert all(href.startswith(base_path + "/") for href in hrefs)
    assert any("#" in href for href in hrefs)  # results lead to sections

    # What is on every guide page (the offer of help, feedback forms) is not what anyone searches for.
    page.fill("#search-query", "Need help with your migration")
    page.press("#search-query", "Enter")
    titles = search_results(page).locator("h2 a").all_inner_texts()
    assert "Need help with your migration?" not in titles


def test_search_loads_only_files_from_the_site_itself(open_page, fpp_site):
    address, _, _ = fpp_site
    page = open_page()
    page.goto(f"{address}/search/?q=cut-over")
    assert search_results(page).count() >= 1
    assert any("/pagefind/pagefind.js" in url for url in page.requests)
    assert any(".pagefind" in url for url in page.requests)  # the index and the WebAssembly module


#: The pages that show a role's checklist.
ROLE_PAGES = ("/practice-staff/", "/project-managers/", "/integrated-care-boards/")

#: Real queries and the first result each must give (path and fragment, without the base path). Misspellings,
#: synonyms (content/data/search_terms.yml) and a checklist item's words included, so a regression fails.
FIRST_RESULTS = {
    "data extract": "/guide/early-prep-and-planning/#request-a-data-extract-from-your-existing-supplier",
    "extrct": "/guide/early-prep-and-planning/#request-a-data-extract-from-your-existing-supplier",
    "suplier": "/guide/early-prep-and-planning/#request-a-data-extract-from-your-existing-supplier",
    "rolback": "/guide/safety-and-data-protection/#go-no-go-and-rollback",
    "PDS reconciliation": "/practice-staff/#item-check-pds-reconciliation",
    "go live date": "/guide/#agree-a-provisional-go-live-date",
    "IDP": "/glossary/#term-idp",
    "DPIA": "/glossary/#term-dpia",
    "cutover": "/guide/planning-for-cut-over/",
    "cut over": "/guide/planning-for-cut-over/",
    "smartcard": "/guide/cutover-and-go-live/#activate-smartcards",
    "run-off period": "/guide/end-of-migration/#the-run-off-period",
    "checklist": "/checklists/",
    "migraton training": "/guide/training/#plan-training-around-the-migration",
    "pateints": "/guide/telling-patients/",
    "retrospective": "/guide/end-of-migration/#retrospective-and-feedback",
    "subsidiary suppliers": "/guide/early-prep-and-planning/#subsidiary-suppliers",
    "technical survey": "/guide/technical-survey/",
    "final data production": "/guide/cutover-and-go-live/#final-data-production",
    "dictionary of medicines": "/guide/cutover-and-go-live/#dictionary-of-medication-and-devices-mapping",
    "hardware replacement": "/guide/cutover-and-go-live/#hardware-replacement",
    "book trainers rooms": "/project-managers/#item-book-trainers-and-rooms",
    "rollback plan": "/practice-staff/#item-check-rollback-plan",
}


@pytest.mark.parametrize("query", FIRST_RESULTS)
def test_a_real_query_puts_the_right_section_first(open_page, fpp_site, query):
    address, base_path, _ = fpp_site
    page = open_page()
    page.goto(f"{address}/search/?q={quote_plus(query)}")
    first = search_results(page).first.locator("h2 a")
    assert first.get_attribute("href") == base_path + FIRST_RESULTS[query]


def test_a_checklist_item_is_found_as_the_item_on_its_roles_page(open_page, fpp_site):
    address, base_path, _ = fpp_site
    page = open_page()
    page.goto(f"{address}/search/?q=book+trainers+rooms")
    first = search_results(page).first
    assert first.locator("h2 a").inner_text().startswith("Book trainers, rooms and dates")
    assert "In: " in first.inner_text() and "Project managers" in first.inner_text()
    first.locator("h2 a").click()
    page.wait_for_url(f"**{base_path}/project-managers/#item-book-trainers-and-rooms")
    assert page.locator("#item-book-trainers-and-rooms").is_visible()


def test_a_date_question_offers_the_planner_and_checklist_offers_each_roles_checklist(open_page, fpp_site):
    address, base_path, _ = fpp_site
    page = open_page()
    page.goto(f"{address}/search/?q=go+live+date")
    search_results(page)
    planner = page.locator("#search-offers a")
    assert planner.all_inner_texts() == ["Work out your migration dates with the date planner"]
    assert planner.get_attribute("href") == f"{base_path}/plan/"
    page.goto(f"{address}/search/?q=checklist")
    search_results(page)
    offered = page.locator("#search-offers a")
    hrefs = [offered.nth(i).get_attribute("href") for i in range(offered.count())]
    assert sorted(hrefs) == sorted(f"{base_path}{role}#checklist" for role in ROLE_PAGES)


def test_when_nothing_is_found_the_nearest_headings_are_suggested(open_page, fpp_site):
    address, base_path, _ = fpp_site
    page = open_page()
    page.goto(f"{address}/search/?q=extrcat")
    page.locator("#search-status", has_text="No results found for ‘extrcat’").wait_for()
    suggestions = page.locator("#search-suggestions a")
    assert "Try one of these" in page.locator("#search-suggestions").inner_text()
    assert "Request a data extract early" in suggestions.all_inner_texts()
    assert all(href.startswith(f"{base_path}/") for href in (a.get_attribute("href") for a in suggestions.all()))


def test_without_javascript_the_search_page_has_an_a_to_z_of_every_page_and_section(open_page, fpp_site):
    address, base_path, _ = fpp_site
    page = open_page(javascript=False)
    page.goto(f"{address}/search/?q=data+extract")
    assert page.locator("#search-no-js").is_visible()
    assert not page.locator("#search-form").is_visible()
    page.click("nav.app-a-z-nav >> text=R")
    assert page.url.endswith("#a-to-z-r")
    entry = page.locator(f'a[href="{base_path}{DATA_EXTRACT_SECTION}"]')
    assert entry.count() == 1 and entry.is_visible()


# Planner


def enter_date(page, when: date, role: str | None = "Practice managers and staff"):
    page.fill("#go-live-day", str(when.day))
    page.fill("#go-live-month", str(when.month))
    page.fill("#go-live-year", str(when.year))
    if role:
        page.get_by_label(role).check()
    page.click("#plan-submit")


@pytest.fixture(scope="module")
def guide_phases(fpp_site):
    return phases(load_guide(Settings.from_environment()), fpp_site[1])


def test_the_planner_shows_dates_and_the_calendar_file_holds_one_all_day_event_per_phase(
    open_page, fpp_site, guide_phases
):
    from icalendar import Calendar

    address, base_path, _ = fpp_site
    go_live = date(2027, 4, 26)
    page = open_page()
    page.goto(f"{address}/plan/")
    before = len(page.requests)
    enter_date(page, go_live)

    expected = plan(go_live, guide_phases)
    rows = page.locator("#plan-table tbody tr[data-phase]")
    assert rows.count() == len(expected)
    first_start = expected[0][1]  # 28 December 2026 is a bank holiday: the first phase starts the day after
    assert (
        rows.first.locator("[data-starts]")
        .inner_text()
        .startswith(f"{first_start:%A} {first_start.day} {first_start:%B %Y}")
    )
    assert "Go-live date: Monday 26 April 2027" in page.locator("#plan-summary").inner_text()
    assert page.evaluate("document.activeElement.id") == "your-plan"

    with page.expect_download() as download_info:
        page.click("#download-ics")
    download = download_info.value
    assert download.suggested_filename == "gp-practice-migration-plan.ics"
    calendar = Calendar.from_ical(Path(download.path()).read_bytes())
    # One event per phase, then the cut-over planning meeting (tested in tests/test_planner.py).
    events = calendar.walk("VEVENT")
    assert len(events) == len(expected) + 1 and str(events[-1]["SUMMARY"]) == "Cut-over planning meeting"
    origin = address[: len(address) - len(base_path)] if base_path else address
    for event, (phase, start, end) in zip(events, expected, strict=False):
        assert str(event["SUMMARY"]) == phase.title
        assert event.decoded("DTSTART") == start and not hasattr(event.decoded("DTSTART"), "hour")  # all-day
        assert event.decoded("DTEND") == end + timedelta(days=1)  # the day after the last, as RFC 5545 says
        assert str(event["URL"]) == origin + phase.href
        assert origin + phase.href in str(event["DESCRIPTION"])

    with page.expect_download() as download_info:
        page.click("#download-csv")
    rows = list(csv.reader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["Phase", "Starts", "Finishes"]
    # The phases, down to the blank row before any warnings (their words: tests/test_plan_warnings.py).
    phase_rows = rows[1 : rows.index([])] if [] in rows else rows[1:]
    assert [(row[0], row[1], row[2]) for row in phase_rows if row[0] != "Cut-over planning meeting"] == [
        (phase.title, start.isoformat(), end.isoformat()) for phase, start, end in expected
    ]
    # Nothing was sent anywhere: the form never submits and the files are made in the page.
    # (The browser may still fetch the favicon, which carries nothing of the plan.)
    sent = [url for url in page.requests[before:] if not url.startswith("blob:") and "/assets/" not in url]
    assert sent == [] and not any("?" in url for url in page.requests[before:])
    assert page.url == f"{address}/plan/"


def test_the_calendar_file_keeps_its_uids_when_the_go_live_date_changes_so_a_re_import_updates(
    open_page, fpp_site, guide_phases
):
    from icalendar import Calendar

    address, _, _ = fpp_site
    page = open_page()
    page.goto(f"{address}/plan/")
    files = []
    for go_live in (date(2027, 4, 26), date(2027, 9, 6)):
        enter_date(page, go_live)
        with page.expect_download() as download_info:
            page.click("#download-ics")
        files.append(Calendar.from_ical(Path(download_info.value.path()).read_bytes()).walk("VEVENT"))
    first, moved = (
        [str(event["UID"]) for event in events if event["SUMMARY"] != "Cut-over planning meeting"] for events in files
    )
    assert first == moved
    plan_id = page.evaluate("localStorage.getItem('gp-practice-migration-guide:plan-id')")
    assert plan_id and first == [f"plan-{plan_id}-{phase.slug}@gp-practice-migration-guide" for phase in guide_phases]
    # Each file dates the first phase on its go-live date's working days (a start on a bank holiday moves on).
    assert [events[0].decoded("DTSTART") for events in files] == [
        plan(go_live, guide_phases)[0][1] for go_live in (date(2027, 4, 26), date(2027, 9, 6))
    ]
    # The date is kept on this device for the checklists, and the form is filled in with it next time.
    page.reload()
    assert page.input_value("#go-live-month") == "9" and page.locator("#forget-date").is_visible()
    page.click("#forget-date")
    assert page.evaluate("localStorage.getItem('gp-practice-migration-guide:go-live')") is None


def test_the_planner_explains_what_is_wrong_with_a_date(open_page, fpp_site):
    address, _, _ = fpp_site
    page = open_page()
    page.goto(f"{address}/plan/")
    page.click("#plan-submit")
    summary = page.locator(".nhsuk-error-summary")
    assert summary.is_visible()
    assert summary.locator("a").all_inner_texts() == ["Enter your go-live date", "Select your role"]
    assert page.locator("#go-live-error").is_visible()

    enter_date(page, date(2027, 2, 1), role=None)
    page.fill("#go-live-day", "30")
    page.click("#plan-submit")
    assert page.locator(".nhsuk-error-summary a").all_inner_texts() == [
        "Go-live date must be a real date",
        "Select your role",
    ]
    summary.locator("a").first.click()
    assert page.evaluate("document.activeElement.id") == "go-live-day"
    assert not page.locator("#plan-actions").is_visible()


def test_without_javascript_the_planner_shows_the_plan_in_weeks_before_go_live(open_page, fpp_site, guide_phases):
    address, _, _ = fpp_site
    page = open_page(javascript=False)
    page.goto(f"{address}/plan/")
    assert not page.locator("#plan-form").is_visible()
    rows = page.locator("#plan-table tbody tr[data-phase]")
    assert rows.count() == len(guide_phases)
    first = guide_phases[0]
    assert rows.first.locator("[data-starts]").inner_text() == f"{first.starts_weeks} weeks before go-live"
    assert rows.first.locator("a").get_attribute("href") == first.href


# Printing


def test_the_print_stylesheet_drops_the_chrome_and_shows_where_external_links_go(open_page, fpp_site):
    address, _, _ = fpp_site
    page = open_page()
    # A page with links out (Get started has none since the 2026 content).
    page.goto(f"{address}/guide/further-guidance/")
    page.emulate_media(media="print")
    for selector in (
        ".nhsuk-header",
        ".nhsuk-footer",
        ".app-side-nav",
        ".nhsuk-breadcrumb",
        ".nhsuk-pagination",
        ".app-print-link",
    ):
        assert not page.locator(selector).first.is_visible(), selector
    after = page.evaluate("""() => {
      const external = document.querySelector('.app-prose a[href^="http"]');
      const internal = document.querySelector('.app-prose a[href^="/"]');
      return [getComputedStyle(external, '::after').content, external.href,
              getComputedStyle(internal, '::after').content];
    }""")
    assert after[0] == '" (" attr(href) ")"' or after[1] in after[0]
    assert after[2] in ("none", "normal", "")
    page.emulate_media(media="screen")
    assert page.locator(".nhsuk-header").is_visible()


def test_the_whole_guide_prints_as_one_document_with_working_anchors(open_page, fpp_site, tmp_path):
    address, base_path, _ = fpp_site
    page = open_page()
    page.goto(f"{address}/guide/print/")
    ids = page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids)), "ids must be unique on the print page"
    internal = page.evaluate(
        """base => [...document.querySelectorAll('.app-print-page a[href]')]
        .map(a => a.getAttribute('href')).filter(h => h.startsWith(base + '/guide/'))""",
        base_path,
    )
    assert internal == [], f"links to printed pages should point within the page: {internal[:5]}"
    page.click(".app-print-page a[href='#page-guide-kick-off'] >> nth=0")
    assert page.url.endswith("#page-guide-kick-off")
    page.emulate_media(media="print")
    pdf = tmp_path / "guide.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert pdf.stat().st_size > 50_000
    assert not page.locator(".nhsuk-header").is_visible()


def test_on_a_phone_the_print_page_draws_only_the_pages_near_the_screen_and_paper_gets_them_all(open_page, fpp_site):
    """What keeps the whole guide from costing a phone seconds of style and layout (figures: bench/phone.py)."""
    address, _, _ = fpp_site
    page = open_page()
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{address}/guide/print/")
    sections = page.locator(".app-print-page")
    assert sections.count() > 10
    styles = page.eval_on_selector_all(
        ".app-print-page", "all => all.map((s) => getComputedStyle(s).contentVisibility)"
    )
    assert set(styles) == {"auto"}, "each printed page waits to be drawn until it nears the screen"
    glossary = page.locator("#page-glossary")
    assert glossary.inner_text() == "", "a page far down is not drawn at first (only drawn text has an innerText)"

    # A reader following the contents to a page far down finds it drawn.
    page.locator(".app-print-guide__contents a[href='#page-glossary']").click()
    assert page.url.endswith("#page-glossary")
    page.wait_for_function("document.getElementById('page-glossary').innerText === 'Glossary'")

    page.emulate_media(media="print")
    styles = page.eval_on_selector_all(
        ".app-print-page", "all => all.map((s) => getComputedStyle(s).contentVisibility)"
    )
    assert set(styles) == {"visible"}, "paper gets every page"
    assert all(sections.nth(index).inner_text().strip() for index in range(sections.count()))
