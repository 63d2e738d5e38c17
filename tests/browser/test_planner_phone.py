"""The date planner on a 375×812 phone, with JavaScript on and off, on a fixed "today" (1 December 2026):
the warnings are shown in NHS warning callouts and announced, and say what Python says.
Screenshots go to test-artifacts/screenshots/planner-*.png."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect
from support.plan_files import csv_warnings, ics_warnings

from migration_guide.config import Settings
from migration_guide.content.loading import load_guide
from migration_guide.content.phases import phases, plan
from migration_guide.content.plan_warnings import plan_warnings
from migration_guide.content.working_days import bank_holidays, planner_years

from .test_every_page import AXE_SCRIPT, describe, run_axe

PHONE = {"width": 375, "height": 812}
TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def guide_phases():
    return phases(load_guide(Settings.from_environment()))


def phone(new_page, today: date = TODAY, **options):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, timezone_id="Europe/London", **options)
    if options.get("java_script_enabled", True):
        page.clock.set_fixed_time(datetime(today.year, today.month, today.day, 10, 0))
    return page


def show_plan(page, go_live: date, practice: str = ""):
    page.goto("/plan/")
    page.fill("#practice", practice)
    page.fill("#go-live-day", str(go_live.day))
    page.fill("#go-live-month", str(go_live.month))
    page.fill("#go-live-year", str(go_live.year))
    page.get_by_label("Practice managers and staff").check()
    page.click("#plan-submit")


def expected_warnings(go_live: date, guide_phases):
    bank = bank_holidays(planner_years(TODAY))
    return plan_warnings(TODAY, go_live, plan(go_live, guide_phases, bank), bank)


@pytest.mark.parametrize(
    ("go_live", "name"),
    [(date(2026, 12, 11), "10-days-away"), (date(2027, 3, 15), "15-march-2027"), (date(2027, 9, 4), "saturday")],
)
def test_on_a_phone_the_warnings_are_shown_in_callouts_and_announced(
    new_page, screenshots, guide_phases, go_live, name
):
    page = phone(new_page)
    show_plan(page, go_live)
    expected = expected_warnings(go_live, guide_phases)
    assert expected, "each of these dates has something to warn about"
    callouts = page.locator("#plan-warnings .nhsuk-card--warning")
    assert callouts.count() == len(expected)
    for index, warning in enumerate(expected):
        callout = callouts.nth(index)
        assert callout.get_attribute("data-warning") == warning.key
        assert " ".join(callout.locator("h3").inner_text().split()) == f"Important: {warning.title}"
        assert callout.locator("p").inner_text() == warning.text
    status = page.locator("#plan-announcement")
    assert status.get_attribute("role") == "status"  # a polite live region
    count = len(expected)
    assert status.inner_text().startswith(f"Your plan has {count} warning{'' if count == 1 else 's'}: ")
    assert expected[0].title in status.inner_text()
    page.screenshot(path=screenshots / f"planner-{name}-phone.png", full_page=True)


def test_a_saturday_go_live_is_kept_and_the_phases_move_to_working_days(new_page, guide_phases):
    page = phone(new_page)
    show_plan(page, date(2027, 9, 4))
    bank = bank_holidays(planner_years(TODAY))
    rows = page.locator("#plan-table tbody tr[data-phase]")
    for index, (phase, start, _) in enumerate(plan(date(2027, 9, 4), guide_phases, bank)):
        shown = rows.nth(index).locator("[data-starts]").inner_text()
        if phase.starts_weeks == 0:
            assert shown.startswith("Saturday 4 September 2027"), phase.title
        else:
            assert not shown.startswith(("Saturday", "Sunday")), phase.title
            assert shown.startswith(f"{start:%A} {start.day} {start:%B} {start.year}"), phase.title


def test_a_plan_without_problems_says_so_and_shows_no_callout(new_page):
    page = phone(new_page)
    show_plan(page, date(2027, 10, 4))
    assert page.locator("#plan-warnings .nhsuk-card--warning:visible").count() == 0
    assert (
        page.locator("#plan-announcement").inner_text() == "Your plan is shown below, with no warnings about its dates."
    )


def test_without_javascript_a_callout_states_the_rules_the_plan_is_checked_by(new_page):
    page = phone(new_page, java_script_enabled=False)
    page.goto("/plan/")
    callout = page.locator("#plan-warnings .nhsuk-card--warning")
    assert callout.is_visible()
    text = callout.inner_text()
    assert "Check your dates" in text
    assert "before the Quality and Outcomes Framework (QOF) year ends on 31 March" in text
    assert "1 April 2027" in text
    assert "starts on the next working day" in page.locator("main").inner_text()


def test_the_form_refuses_years_the_planner_does_not_plan_for(new_page):
    page = phone(new_page)
    show_plan(page, date(2019, 6, 3))
    assert page.locator(".nhsuk-error-summary a").all_inner_texts() == ["Go-live date must be in 2020 or later"]
    show_plan(page, date(2030, 1, 7))
    assert page.locator(".nhsuk-error-summary a").all_inner_texts() == [
        "Go-live date must be no more than 3 years from today"
    ]
    assert page.locator("#plan-warnings .nhsuk-card--warning:visible").count() == 0


def test_axe_finds_nothing_in_the_warning_states(new_page):
    assert AXE_SCRIPT.is_file(), "axe-core is missing: run npm ci"
    page = phone(new_page, bypass_csp=True)  # axe is injected, which the real CSP rightly refuses
    show_plan(page, date(2026, 12, 11))
    assert page.locator("#plan-warnings .nhsuk-card--warning").count() >= 3
    result = run_axe(page)
    assert [describe(violation) for violation in result["violations"]] == []


def test_a_practice_name_is_shown_as_text_and_remembered_on_this_device(new_page):
    page = phone(new_page)
    show_plan(page, date(2027, 10, 4), practice='<img src=x onerror=alert(1)> Oak "Surgery"')
    summary = page.locator("#plan-summary")
    assert summary.inner_text().startswith('Practice: <img src=x onerror=alert(1)> Oak "Surgery". Go-live date:')
    assert summary.locator("img").count() == 0
    page.reload()
    assert page.input_value("#practice") == '<img src=x onerror=alert(1)> Oak "Surgery"'


def test_a_checklist_item_on_the_meeting_shows_the_meetings_day(new_page):
    page = phone(new_page)
    show_plan(page, date(2027, 4, 30))  # 5 weeks before is Good Friday: the meeting moves back to Thursday
    page.goto("/project-managers/")
    dated = page.locator('#item-agree-cut-over-dates ~ .nhsuk-hint [data-item-date="cut-over-planning-meeting"]')
    dated.scroll_into_view_if_needed()  # a phase off the screen is not drawn yet (content-visibility: auto)
    expect(dated).to_have_text("At the cut-over planning meeting: Thursday 25 March 2027.", use_inner_text=True)


def test_after_show_my_plan_the_plan_heading_is_in_view_and_focused(new_page):
    page = phone(new_page)
    show_plan(page, date(2027, 10, 4))
    assert page.evaluate("document.activeElement.id") == "your-plan"
    top = page.evaluate("document.getElementById('your-plan').getBoundingClientRect().top")
    assert 0 <= top < PHONE["height"] / 2, top
    # Showing the plan again, with "Forget my go-live date" now shown above it, still lands on the plan.
    page.click("#plan-submit")
    top = page.evaluate("document.getElementById('your-plan').getBoundingClientRect().top")
    assert 0 <= top < PHONE["height"] / 2, top


def test_the_planner_remembers_the_role_and_forgets_it_with_the_date(new_page):
    page = phone(new_page)
    show_plan(page, date(2027, 10, 4))
    page.reload()
    assert page.get_by_label("Practice managers and staff").is_checked()
    page.click("#forget-date")
    page.reload()
    assert not page.get_by_label("Practice managers and staff").is_checked()
    assert page.evaluate("localStorage.getItem('gp-practice-migration-guide:role')") is None


def test_printed_the_plan_table_may_break_between_phases_so_the_first_sheet_is_not_empty(new_page):
    page = phone(new_page)
    show_plan(page, date(2027, 3, 15))
    page.emulate_media(media="print")
    # Kept whole (break-inside: avoid, as other tables are), the 14-row table jumped to sheet 2.
    styles = page.evaluate(
        """() => [document.getElementById('plan-table'), document.querySelector('#plan-table tbody tr')]
                 .map((node) => getComputedStyle(node).breakInside)"""
    )
    assert styles == ["auto", "avoid"]
    assert page.locator("#plan-warnings .nhsuk-card--warning").first.is_visible()  # the warnings print too
    assert not page.locator("#plan-form").is_visible()


@pytest.mark.parametrize("with_date", [False, True])
def test_the_printed_checklist_has_no_sentence_broken_where_a_link_was(new_page, with_date):
    page = phone(new_page)
    if with_date:
        show_plan(page, date(2027, 3, 15))
    page.goto("/project-managers/")
    page.emulate_media(media="print")
    summary = page.locator(".app-checklist__summary").inner_text()
    assert ", ." not in summary and ". ." not in summary and "phase, ." not in summary
    if with_date:
        assert "Dates are worked out from your go-live date, Monday 15 March 2027." in summary
        assert "Change your go-live date" not in summary
    else:
        assert "To see the dates" not in summary


CASES = json.loads((Path(__file__).parent.parent / "fixtures" / "plan-warnings.json").read_text())["cases"]


def downloaded(page, link: str) -> str:
    with page.expect_download() as download:
        page.click(link)
    return Path(download.value.path()).read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_page_the_calendar_file_and_the_csv_give_the_same_warnings(new_page, case):
    page = phone(new_page, today=date.fromisoformat(case["today"]))
    show_plan(page, date.fromisoformat(case["goLive"]))
    callouts = page.locator("#plan-warnings .nhsuk-card--warning")
    assert [callout.get_attribute("data-warning") for callout in callouts.all()] == case["keys"]
    shown = [
        {
            "title": " ".join(callout.locator("h3").inner_text().split()).removeprefix("Important: "),
            "text": callout.locator("p").inner_text(),
        }
        for callout in callouts.all()
    ]
    in_calendar, on_go_live = ics_warnings(downloaded(page, "#download-ics"))
    assert in_calendar == on_go_live == shown
    assert csv_warnings(downloaded(page, "#download-csv")) == shown


def test_the_printed_plan_starts_with_whose_plan_it_is_and_its_first_sheet_is_not_empty(new_page):
    import io

    from pypdf import PdfReader

    page = phone(new_page)
    show_plan(page, date(2027, 3, 15), practice="Oak <Surgery>")
    header = page.locator("#plan-print-header")
    assert not header.is_visible()  # paper only
    page.emulate_media(media="print")
    rows = [" ".join(row.inner_text().split()) for row in header.locator(".nhsuk-summary-list__row").all()]
    assert rows == [
        "Practice Oak <Surgery>",
        "Go-live date Monday 15 March 2027",
        "Printed on Tuesday 1 December 2026",
        f"From The GP practice migration guide, {Settings.from_environment().site_url}/plan/",
    ]
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    first = " ".join(pdf.pages[0].extract_text().split())
    for words in ("Oak <Surgery>", "Monday 15 March 2027", "Printed on Tuesday 1 December 2026", "Plan your migration"):
        assert words in first, words
    assert "Decide to migrate and secure funding" in first  # the plan itself starts on the first sheet


def test_printed_without_a_plan_the_header_gives_only_the_guides_address(new_page):
    page = phone(new_page, java_script_enabled=False)
    page.goto("/plan/")
    page.emulate_media(media="print")
    rows = page.locator("#plan-print-header .nhsuk-summary-list__row")
    assert [row.is_visible() for row in rows.all()] == [False, False, False, True]
