"""Checklists by role in Debian's chromium, against the frozen guide served as Netlify serves it.

With JavaScript: ticks made with the keyboard survive a reload, progress moves and is announced,
"Clear my ticks" asks first, each phase shows its dates once the planner has a go-live date, and the
spreadsheet and calendar file hold what the page shows. Without it: real checkboxes, a blank
spreadsheet and a printable list. Printing shows every item; nothing about the ticks leaves the device;
axe finds nothing in the states the script creates. Phone screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from migration_guide.config import Settings
from migration_guide.content.loading import load_guide
from migration_guide.content.phases import phases, plan

from .test_every_page import AXE_SCRIPT, describe, run_axe

ROLES = ["practice-staff", "project-managers", "integrated-care-boards"]
GO_LIVE = date(2027, 4, 26)


@pytest.fixture(scope="module")
def guide():
    return load_guide(Settings.from_environment())


def open_checklist(page, name: str = "practice-staff"):
    page.goto(f"/{name}/")
    if page.javascript:
        page.locator("#checklist[data-ready=true]").wait_for(state="attached")


def tick_with_keyboard(page, item_id: str):
    page.locator(f"#item-{item_id}").focus()
    page.keyboard.press("Space")


def stored_ticks(page, name: str = "practice-staff"):
    raw = page.evaluate("key => localStorage.getItem(key)", f"gp-practice-migration-guide:checklist:{name}")
    return json.loads(raw)["ticked"] if raw else []


def announcement(page) -> str:
    return page.locator("#checklist-announcement").text_content()


def set_go_live_in_the_planner(page, when: date):
    page.goto("/plan/")
    page.fill("#go-live-day", str(when.day))
    page.fill("#go-live-month", str(when.month))
    page.fill("#go-live-year", str(when.year))
    page.get_by_label("Practice managers and staff").check()
    page.locator("#plan-submit").press("Enter")
    page.locator("#your-plan:focus").wait_for()


def test_ticks_made_with_the_keyboard_survive_a_reload_and_progress_is_announced(page, guide):
    checklist = guide.checklists["practice-staff"]
    first_phase = checklist.phases[0]
    total = len(checklist.items)
    open_checklist(page)
    assert page.locator("#checklist-progress").inner_text() == f"0 of {total} done"
    assert page.locator("#checklist-announcement").get_attribute("aria-live") == "polite"
    assert announcement(page) == ""

    tick_with_keyboard(page, first_phase.items[0].id)
    tick_with_keyboard(page, checklist.phases[-1].items[-1].id)
    assert page.locator("#checklist-progress").inner_text() == f"2 of {total} done"
    assert (
        announcement(page) == f"End of the migration: 1 of {len(checklist.phases[-1].items)} done. "
        f"Whole checklist: 2 of {total} done."
    )
    phase_status = page.locator(f'[data-phase-status="{first_phase.slug}"]')
    assert phase_status.inner_text() == f"1 of {len(first_phase.items)} done"
    assert sorted(stored_ticks(page)) == sorted([first_phase.items[0].id, checklist.phases[-1].items[-1].id])

    tick_with_keyboard(page, first_phase.items[0].id)  # untick
    assert announcement(page).startswith("Decide to migrate and secure funding: 0 of ")
    assert stored_ticks(page) == [checklist.phases[-1].items[-1].id]

    page.reload()
    page.locator("#checklist[data-ready=true]").wait_for(state="attached")
    assert page.locator(f"#item-{checklist.phases[-1].items[-1].id}").is_checked()
    assert not page.locator(f"#item-{first_phase.items[0].id}").is_checked()
    assert page.locator("#checklist-progress").inner_text() == f"1 of {total} done"
    # Another role's checklist keeps its own ticks.
    open_checklist(page, "project-managers")
    assert page.locator("#checklist-progress").inner_text().startswith("0 of ")


def test_clear_my_ticks_asks_first_and_no_keeps_them(page, guide):
    checklist = guide.checklists["practice-staff"]
    ids = [item.id for item in checklist.items[:3]]
    open_checklist(page)
    for item_id in ids:
        tick_with_keyboard(page, item_id)
    clear = page.locator("#clear-ticks")
    clear.focus()
    page.keyboard.press("Enter")
    confirm = page.locator("#clear-confirm")
    assert confirm.is_visible() and clear.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.id") == "clear-confirm"
    assert "Clear all your ticks?" in confirm.inner_text()
    assert sorted(stored_ticks(page)) == sorted(ids)  # nothing cleared yet

    page.locator("#clear-confirm-no").focus()
    page.keyboard.press("Enter")
    assert not confirm.is_visible()
    assert page.evaluate("document.activeElement.id") == "clear-ticks"
    assert sorted(stored_ticks(page)) == sorted(ids)

    page.keyboard.press("Enter")  # focus is back on "Clear my ticks"
    page.keyboard.press("Escape")
    assert not confirm.is_visible() and page.evaluate("document.activeElement.id") == "clear-ticks"

    page.keyboard.press("Enter")
    page.locator("#clear-confirm-yes").focus()
    page.keyboard.press("Enter")
    assert stored_ticks(page) == []
    assert all(not page.locator(f"#item-{item_id}").is_checked() for item_id in ids)
    assert announcement(page) == f"Your ticks have been cleared. Whole checklist: 0 of {len(checklist.items)} done."
    page.reload()
    assert page.locator("input[data-item]:checked").count() == 0


def test_each_phase_shows_its_dates_once_the_planner_has_a_go_live_date(page, guide):
    from playwright.sync_api import expect  # here: without playwright the suite is skipped, not broken

    checklist = guide.checklists["practice-staff"]
    open_checklist(page)
    planner_link = page.locator("#checklist-dates a")
    assert planner_link.inner_text() == "enter your go-live date in the date planner"
    assert planner_link.get_attribute("href") == "/plan/"
    assert page.locator("[data-phase-dates]").first.inner_text() == ""
    assert not page.locator("#download-checklist-ics").is_visible()

    set_go_live_in_the_planner(page, GO_LIVE)
    open_checklist(page)
    assert (
        "Dates are worked out from your go-live date, Monday 26 April 2027."
        in page.locator("#checklist-dates").inner_text()
    )
    planned = {phase.slug: (start, end) for phase, start, end in plan(GO_LIVE, phases(guide))}
    for phase in checklist.phases:
        start, end = planned[phase.slug]
        dates = page.locator(f'section[data-phase="{phase.slug}"] [data-phase-dates]')
        # As a reader would: a phase off screen is drawn once scrolled to (content-visibility: auto),
        # and only drawn text has an innerText, so the check waits for the frame that draws it.
        dates.scroll_into_view_if_needed()
        if start == end:
            shown = f"Date: {start:%A} {start.day} {start:%B %Y}"
        else:
            shown = f"Dates: {start:%A} {start.day} {start:%B %Y} to {end:%A} {end.day} {end:%B %Y}"
        expect(dates).to_have_text(shown, use_inner_text=True)
    assert page.locator("#download-checklist-ics").is_visible()


def test_the_spreadsheet_and_calendar_file_hold_the_ticks_and_dates_and_keep_their_uids(new_page, guide):
    from icalendar import Calendar

    page = new_page(accept_downloads=True)
    checklist = guide.checklists["practice-staff"]
    set_go_live_in_the_planner(page, GO_LIVE)
    open_checklist(page)
    ticked = [checklist.items[1].id, checklist.items[5].id]
    for item_id in ticked:
        tick_with_keyboard(page, item_id)
    requests = []
    page.on("request", lambda request: requests.append(request.url))

    with page.expect_download() as download:
        page.locator("#download-checklist-csv").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    titles = {phase.slug: phase.title for phase in phases(guide)}
    ends = {phase.slug: end for phase, _, end in plan(GO_LIVE, phases(guide))}
    assert rows[0] == ["Role", "Phase", "Item", "Guide link", "Done", "Due date"]
    assert [tuple(row[:3]) + tuple(row[4:]) for row in rows[1:]] == [
        (
            checklist.role,
            titles[phase.slug],
            item.text,
            "Yes" if item.id in ticked else "No",
            ends[phase.slug].isoformat(),
        )
        for phase in checklist.phases
        for item in phase.items
    ]
    origin = page.url.split("/practice-staff/")[0]
    first_link = checklist.items[1].target
    assert rows[2][3] == origin + first_link.href()

    with page.expect_download() as download:
        page.locator("#download-checklist-ics").click()
    assert download.value.suggested_filename == "practice-staff-checklist.ics"
    events = Calendar.from_ical(Path(download.value.path()).read_bytes()).walk("VEVENT")
    key_phases = phases(guide)
    # The plan's own events (every key phase and the meeting, with the plan's UIDs), then one per item.
    assert len(events) == len(key_phases) + 1 + len(checklist.items)
    plan_id = page.evaluate("localStorage.getItem('gp-practice-migration-guide:plan-id')")
    planned = {phase.slug: (start, end) for phase, start, end in plan(GO_LIVE, key_phases)}
    for event, phase in zip(events, key_phases, strict=False):
        start, end = planned[phase.slug]
        assert event.decoded("DTSTART") == start and event.decoded("DTEND") == end + timedelta(days=1)
        assert str(event["UID"]) == f"plan-{plan_id}-{phase.slug}@gp-practice-migration-guide"
    items = events[len(key_phases) + 1 :]
    assert [str(event["SUMMARY"]) for event in items] == [item.text for item in checklist.items]
    assert [str(event["DESCRIPTION"]).startswith("Done.") for event in items] == [
        item.id in ticked for item in checklist.items
    ]
    first_uids = [str(event["UID"]) for event in events]
    # The files were made in the page: the downloads fetched nothing.
    assert [url for url in requests if not url.startswith("blob:")] == []

    later = GO_LIVE + timedelta(weeks=6)
    set_go_live_in_the_planner(page, later)
    open_checklist(page)
    with page.expect_download() as download:
        page.locator("#download-checklist-ics").click()
    moved = Calendar.from_ical(Path(download.value.path()).read_bytes()).walk("VEVENT")
    assert [str(event["UID"]) for event in moved] == first_uids
    assert moved[0].decoded("DTSTART") == plan(later, phases(guide))[0][1] != events[0].decoded("DTSTART")


def test_nothing_about_the_ticks_leaves_the_device(page, guide):
    checklist = guide.checklists["practice-staff"]
    open_checklist(page)
    page.wait_for_load_state("networkidle")
    sent = []
    page.on("request", lambda request: sent.append((request.method, request.url, request.post_data)))
    for item in checklist.items[:4]:
        tick_with_keyboard(page, item.id)
    page.locator("#clear-ticks").click()
    page.locator("#clear-confirm-yes").click()
    tick_with_keyboard(page, checklist.items[0].id)
    page.wait_for_timeout(300)
    assert sent == []
    page.reload()
    page.wait_for_load_state("networkidle")
    assert all(checklist.items[0].id not in url for _, url, _ in sent)
    assert all(method == "GET" and not data for method, _, data in sent)


def test_printing_shows_every_item_with_its_box_and_the_dates(page, guide):
    checklist = guide.checklists["practice-staff"]
    set_go_live_in_the_planner(page, GO_LIVE)
    open_checklist(page)
    tick_with_keyboard(page, checklist.items[0].id)
    page.emulate_media(media="print")
    items = page.locator(".nhsuk-checkboxes__item")
    assert items.count() == len(checklist.items)
    for index in range(items.count()):
        assert items.nth(index).is_visible()
    box = page.evaluate("""() => {
        const label = document.querySelector('.app-checklist .nhsuk-checkboxes__label');
        const style = getComputedStyle(label, '::before');
        return [style.borderTopStyle, style.borderTopWidth, style.content];
    }""")
    assert box[0] == "solid" and box[1] != "0px" and box[2] != "none"
    assert page.locator("[data-phase-dates]").first.is_visible()
    assert page.locator("[data-phase-dates]").first.inner_text().startswith("Dates: ")
    for hidden in (".app-checklist__actions", ".nhsuk-header", "#clear-ticks", ".nhsuk-pagination"):
        assert not page.locator(hidden).first.is_visible(), hidden
    page.emulate_media(media="screen")


def test_without_javascript_each_item_is_a_checkbox_in_a_printable_list(page_without_js, guide, site_url):
    page = page_without_js
    checklist = guide.checklists["practice-staff"]
    open_checklist(page)
    assert page.locator("input[type=checkbox][data-item]").count() == len(checklist.items)
    box = page.locator(f"#item-{checklist.items[0].id}")
    box.focus()
    page.keyboard.press("Space")
    assert box.is_checked()
    assert page.get_by_text("Print this page to tick items off by hand.").is_visible()
    assert not page.get_by_text("Your ticks are kept in this browser").is_visible()
    assert not page.locator("#clear-ticks").is_visible()
    assert page.locator(".app-checklist__phases").is_visible()
    # Each phase still says when it happens, in weeks from go-live, and how to get dates.
    assert page.locator(".app-checklist__when").first.inner_text().startswith("When: 17 to 16 weeks before go-live")

    link = page.locator("#download-checklist-csv")
    assert link.get_attribute("href") == "/checklists/practice-staff.csv"
    response = page.request.get(site_url + "/checklists/practice-staff.csv")
    rows = list(csv.reader(io.StringIO(response.text().lstrip("\ufeff"))))
    assert len(rows) == len(checklist.items) + 1
    assert {row[4] for row in rows[1:]} == {"No"} and {row[5] for row in rows[1:]} == {""}

    page.emulate_media(media="print")
    items = page.locator(".nhsuk-checkboxes__item")
    assert all(items.nth(index).is_visible() for index in range(items.count()))


@pytest.mark.parametrize("name", ROLES)
def test_no_accessibility_violations_in_the_states_the_script_makes(new_page, guide, name):
    assert AXE_SCRIPT.is_file(), "axe-core is missing: run npm ci"
    page = new_page(bypass_csp=True)
    set_go_live_in_the_planner(page, GO_LIVE)
    open_checklist(page, name)
    checklist = guide.checklists[name]
    for item in checklist.items[:2]:
        tick_with_keyboard(page, item.id)
    page.locator("#clear-ticks").click()  # the confirmation open, dates shown, progress moved
    result = run_axe(page)
    assert len(result["passes"]) >= 10
    assert result["violations"] == [], [describe(violation) for violation in result["violations"]]
    page.goto("/checklists/")
    result = run_axe(page)
    assert result["violations"] == [], [describe(violation) for violation in result["violations"]]


def test_the_checklists_page_lists_every_role_with_what_it_covers(page, guide):
    page.goto("/")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Checklists by role").click()
    page.wait_for_url("**/checklists/")
    for checklist in guide.checklists.values():
        card = page.locator(".nhsuk-card", has=page.get_by_role("link", name=checklist.role))
        assert checklist.summary in card.inner_text()
        assert card.get_by_role("link").get_attribute("href") == checklist.page


@pytest.mark.parametrize("name", ROLES)
def test_screenshot_of_each_checklist_on_a_phone(new_page, screenshots, guide, name):
    page = new_page(viewport={"width": 375, "height": 812})
    set_go_live_in_the_planner(page, GO_LIVE)
    open_checklist(page, name)
    for item in guide.checklists[name].items[:3]:
        tick_with_keyboard(page, item.id)
    page.wait_for_load_state("networkidle")
    path = screenshots / f"checklist-{name}-phone.png"
    page.screenshot(path=path, full_page=True)
    assert path.stat().st_size > 10_000
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the checklist scrolls sideways on a phone ({width}px)"


def test_importing_the_plans_and_the_checklists_calendar_files_adds_no_event_twice(new_page, guide):
    """A calendar client keys an import by UID: the checklist's file updates the plan's phases, adds its items."""
    import recurring_ical_events
    from icalendar import Calendar

    page = new_page(accept_downloads=True)
    set_go_live_in_the_planner(page, GO_LIVE)
    files = []
    with page.expect_download() as download:
        page.click("#download-ics")
    files.append(Path(download.value.path()).read_bytes())
    open_checklist(page)
    with page.expect_download() as download:
        page.locator("#download-checklist-ics").click()
    files.append(Path(download.value.path()).read_bytes())
    imported = {}
    for text in files:
        for event in recurring_ical_events.of(Calendar.from_ical(text)).between(date(2026, 1, 1), date(2028, 1, 1)):
            imported[str(event["UID"])] = str(event["SUMMARY"])
    checklist = guide.checklists["practice-staff"]
    assert len(imported) == len(phases(guide)) + 1 + len(checklist.items)  # phases, the meeting, the items


#: Runs before any page script: notes each call that makes the browser lay the page out now (a
#: "forced layout"), with the script that made it.
LAYOUT_READS = """
window.__layoutReads = [];
const note = (name) => {
  const caller = (new Error().stack || "").split("\\n").slice(2).find((line) => line.includes("/assets/")) || "";
  window.__layoutReads.push(`${name} ${caller.trim()}`);
};
const wrapGetter = (proto, prop) => {
  const own = Object.getOwnPropertyDescriptor(proto, prop);
  Object.defineProperty(proto, prop, { ...own, get() { note(prop); return own.get.call(this); } });
};
for (const prop of ["offsetHeight", "offsetWidth", "offsetTop", "offsetLeft", "offsetParent", "innerText"]) {
  wrapGetter(HTMLElement.prototype, prop);
}
for (const prop of ["clientHeight", "clientWidth", "scrollHeight", "scrollWidth", "scrollTop"]) {
  wrapGetter(Element.prototype, prop);
}
for (const name of ["getBoundingClientRect", "getClientRects", "scrollIntoView"]) {
  const own = Element.prototype[name];
  Element.prototype[name] = function (...args) { note(name); return own.apply(this, args); };
}
const computed = window.getComputedStyle;
window.getComputedStyle = function (...args) { note("getComputedStyle"); return computed.apply(this, args); };
"""


@pytest.mark.parametrize("go_live", [None, GO_LIVE], ids=["without a go-live date", "with a go-live date"])
def test_the_checklist_starts_on_a_phone_with_no_work_per_item_on_the_layout(new_page, guide, go_live):
    """What keeps the 116 items from blocking a phone: timings are in bench/phone.py, not here."""
    page = new_page(viewport={"width": 375, "height": 812})
    if go_live:
        set_go_live_in_the_planner(page, go_live)
    page.context.add_init_script(LAYOUT_READS)
    open_checklist(page)
    reads = page.evaluate("window.__layoutReads")
    assert any("/app." in read for read in reads), "the probe saw nothing (the header's script measures its menu)"
    assert [read for read in reads if "/checklist." in read] == [], "the checklist script forced a layout at start"

    # One delegated listener for every tick, none on the items themselves.
    cdp = page.context.new_cdp_session(page)
    root = cdp.send("Runtime.evaluate", {"expression": "document.getElementById('checklist')"})["result"]
    root_node = cdp.send("DOM.describeNode", {"objectId": root["objectId"]})["node"]["backendNodeId"]
    listeners = cdp.send("DOMDebugger.getEventListeners", {"objectId": root["objectId"], "depth": -1})["listeners"]
    assert [
        (listener["type"], listener["backendNodeId"]) for listener in listeners if listener["type"] == "change"
    ] == [("change", root_node)]
    listened = set()
    for listener in listeners:
        node = cdp.send("DOM.describeNode", {"backendNodeId": listener["backendNodeId"]})["node"]
        attributes = node.get("attributes", [])
        listened.add(attributes[attributes.index("id") + 1] if "id" in attributes else node["nodeName"])
    assert not {name for name in listened if name.startswith("item-")}, sorted(listened)

    # Phases are drawn only when they come near the screen; paper gets them all (the print test).
    styles = page.eval_on_selector_all(
        "section[data-phase]", "sections => sections.map((s) => getComputedStyle(s).contentVisibility)"
    )
    assert set(styles) == {"auto"}
    # Ticking a phase far down the page still works, counts and is kept.
    last = guide.checklists["practice-staff"].phases[-1].items[-1]
    tick_with_keyboard(page, last.id)
    assert page.locator(f"#item-{last.id}").is_checked()
    assert stored_ticks(page) == [last.id]
