"""The front door on a phone (375×812): the way in on the first screen, compact section feedback used
by keyboard with JavaScript on and off, tables that stack, nothing that scrolls sideways at 320 px,
and screenshots of the home page, a guide page and the planner in test-artifacts/."""

from __future__ import annotations

import pytest

from migration_guide.preview import iter_pages

from .conftest import ARTIFACTS
from .test_keyboard import FOCUSED, tab

PHONE = {"width": 375, "height": 812}
GUIDE_PAGE = "/guide/kick-off/"
#: What a section's feedback block may take on a phone before it is used.
FEEDBACK_MAX_HEIGHT = 120
FEEDBACK_MAX_TAB_STOPS = 2

TABBABLE = """form => [...form.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
  .filter(el => !el.disabled && el.tabIndex >= 0 && el.type !== 'hidden'
          && !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)).length"""


def wait_for_focus_on(page, text: str, seconds: float = 10) -> None:
    """Polls from here: wait_for_function would evaluate a string, which the CSP (rightly) refuses."""
    for _ in range(int(seconds * 10)):
        focused = page.evaluate(FOCUSED)
        if focused and focused["text"] == text:
            return
        page.wait_for_timeout(100)
    pytest.fail(f"focus never reached {text!r}; it is on {page.evaluate(FOCUSED)}")


def stored_feedback(database, section: str) -> list[dict]:
    with database.transaction() as cursor:
        return cursor.execute(
            "SELECT answer, comment FROM feedback WHERE page = ? AND section = ? ORDER BY id", (GUIDE_PAGE, section)
        ).all()


# Section feedback


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_sections_feedback_is_two_tab_stops_and_compact_on_a_phone(new_page, javascript):
    page = new_page(viewport=PHONE, java_script_enabled=javascript)
    page.goto(GUIDE_PAGE)
    forms = page.locator("form.app-feedback")
    assert forms.count() >= 3
    for index in range(forms.count()):
        form = forms.nth(index)
        assert form.evaluate(TABBABLE) <= FEEDBACK_MAX_TAB_STOPS
        box = form.bounding_box()
        assert box["height"] <= FEEDBACK_MAX_HEIGHT, f"feedback block {index} is {box['height']:.0f} px tall"
        # Yes and No side by side on one line.
        yes, no = form.locator("button").all()
        assert abs(yes.bounding_box()["y"] - no.bounding_box()["y"]) < 2


def _answer_by_keyboard(page, section: str, answer: str) -> None:
    """Tab from the section's heading to its feedback buttons and press one with Enter."""
    page.locator(f"#{section}").evaluate("el => { el.setAttribute('tabindex', '-1'); el.focus(); }")
    for _ in range(80):
        focused = tab(page)
        if focused and focused["id"] == f"feedback-{section}-{answer}":
            break
    else:
        pytest.fail(f"Tab never reached the {answer!r} button of {section}")
    with page.expect_response(lambda r: r.request.method == "POST" and "/api/feedback" in r.url):
        page.keyboard.press("Enter")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_answer_then_comment_by_keyboard_stored_once_with_the_comment(
    new_page, functions_database, screenshots, javascript
):
    page = new_page(viewport=PHONE, java_script_enabled=javascript)
    page.goto(GUIDE_PAGE)
    section = page.locator("form.app-feedback input[name=section]").nth(1 if javascript else 2).input_value()
    before = len(stored_feedback(functions_database, section))
    _answer_by_keyboard(page, section, "no")
    page.wait_for_load_state("load")
    if javascript:
        # Thanked in place, focus on the thanks, and the comment box offered right under it.
        wait_for_focus_on(page, "Thank you for your feedback.")
        assert page.url.endswith(GUIDE_PAGE)
    else:
        assert page.locator("h1").inner_text() == "Thank you for your feedback"
    assert page.get_by_text("Do not include personal or patient information").is_visible()
    page.screenshot(path=screenshots / f"feedback-answered-{'js' if javascript else 'no-js'}.png", full_page=False)
    assert stored_feedback(functions_database, section)[before:] == [{"answer": "no", "comment": ""}]

    for _ in range(12):  # the header menu, with the planner in it, comes first in the tab order
        focused = tab(page)
        if focused and focused["tag"] == "textarea":
            break
    else:
        pytest.fail("Tab never reached the comment box")
    page.keyboard.type("Say who books the room.")
    assert tab(page)["text"] == "Send comment"
    with page.expect_response(lambda r: r.request.method == "POST" and "/api/feedback" in r.url):
        page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    if javascript:
        wait_for_focus_on(page, "Thank you for your comment.")
    else:
        assert page.locator("h1").inner_text() == "Thank you for your comment"
    # One answer, its comment written into it: nothing counted twice.
    assert stored_feedback(functions_database, section)[before:] == [
        {"answer": "no", "comment": "Say who books the room."}
    ]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_an_empty_comment_gets_the_nhs_error_pattern_and_can_be_corrected(
    new_page, functions_database, screenshots, javascript
):
    page = new_page(viewport=PHONE, java_script_enabled=javascript)
    page.goto(GUIDE_PAGE)
    section = page.locator("form.app-feedback input[name=section]").nth(3).input_value()
    before = len(stored_feedback(functions_database, section))
    _answer_by_keyboard(page, section, "yes")
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Send comment").focus()
    with page.expect_response(lambda r: r.request.method == "POST" and "/api/feedback" in r.url):
        page.keyboard.press("Enter")
    page.wait_for_selector(".nhsuk-error-summary")
    page.wait_for_load_state("load")
    summary = page.locator(".nhsuk-error-summary")
    assert summary.is_visible() and "Enter your comment" in summary.inner_text()
    assert page.title().startswith("Error:")
    page.screenshot(path=screenshots / f"feedback-comment-errors-{'js' if javascript else 'no-js'}.png")
    # The function's 400 answer is the error state under test, not a fault of the page.
    page.problems[:] = [p for p in page.problems if "status of 400" not in p]
    summary.locator("a").first.click()
    assert page.evaluate(FOCUSED)["tag"] == "textarea"
    page.keyboard.type("Clear, thank you.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_text("Thank you for your comment").first.wait_for()
    assert stored_feedback(functions_database, section)[before:] == [{"answer": "yes", "comment": "Clear, thank you."}]


def test_pressing_yes_twice_stores_one_answer(new_page, functions_database):
    page = new_page(viewport=PHONE)
    page.goto(GUIDE_PAGE)
    section = page.locator("form.app-feedback input[name=section]").nth(4).input_value()
    before = len(stored_feedback(functions_database, section))
    page.locator(f"#feedback-{section}-yes").dblclick()
    wait_for_focus_on(page, "Thank you for your feedback.")
    page.wait_for_timeout(500)
    assert stored_feedback(functions_database, section)[before:] == [{"answer": "yes", "comment": ""}]


def test_an_answer_whose_reply_was_lost_is_sent_again_and_stored_once(new_page, functions_database):
    """The post reaches the function and is stored, but its reply never arrives: feedback.mjs sends the form
    again as a plain post, with the same idempotency key, and the reader is thanked for one stored answer."""
    page = new_page(viewport=PHONE)
    page.goto(GUIDE_PAGE)
    form = page.locator("form.app-feedback").nth(5)
    section = form.locator("input[name=section]").input_value()
    assert len(form.locator("input[name=idempotency_key]").input_value()) == 32  # made on this page view
    before = len(stored_feedback(functions_database, section))
    lost = []

    def lose_the_first_reply(route):
        if not lost:
            lost.append(route.fetch().status)  # the function stores the answer and replies…
            route.abort("connectionreset")  # …and the reply is lost on the way back
        else:
            route.continue_()

    page.route("**/api/feedback", lose_the_first_reply)
    page.locator(f"#feedback-{section}-yes").click()
    page.wait_for_url("**/api/feedback")
    assert lost == [200]
    assert page.locator("h1").inner_text() == "Thank you for your feedback"
    assert stored_feedback(functions_database, section)[before:] == [{"answer": "yes", "comment": ""}]
    # The lost reply is the fault under test, not the page's.
    page.problems[:] = [p for p in page.problems if "ERR_CONNECTION_RESET" not in p]


# The home page and Get started


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_home_pages_way_in_is_on_the_first_phone_screen(new_page, javascript):
    page = new_page(viewport=PHONE, java_script_enabled=javascript)
    page.goto("/")
    main = page.locator("main")
    assert main.locator("h1").count() == 1  # the skip link lands on the heading
    for name in ("Start now", "Plan your dates", "Your role's checklist", "Get help"):
        link = main.locator("a", has_text=name).first  # "Start now" is a link drawn as a button (role=button)
        box = link.bounding_box()
        assert link.is_visible() and box["y"] + box["height"] <= PHONE["height"], f"{name!r} ends at {box}"
    assert main.locator("a", has_text="Start now").get_attribute("href") == "/guide/"
    # The beta banner comes directly under the header.
    header = page.locator("header.nhsuk-header").bounding_box()
    banner = page.locator(".app-phase-banner").bounding_box()
    assert 0 <= banner["y"] - (header["y"] + header["height"]) <= 1


def test_get_started_puts_what_to_do_first_and_the_guides_contents_near_the_top_on_a_phone(new_page):
    page = new_page(viewport=PHONE)
    page.goto("/guide/")
    contents = page.locator("details.app-contents--guide")
    assert contents.is_visible() and contents.bounding_box()["y"] < PHONE["height"]
    assert not contents.locator("a").first.is_visible()  # folded until opened
    contents.locator("summary").click()
    assert contents.get_by_role("link", name="Kick-off").is_visible()
    first = page.locator("#what-to-do-first")
    assert first.bounding_box()["y"] < 2 * PHONE["height"]
    wide = new_page()
    wide.goto("/guide/")
    assert not wide.locator("details.app-contents--guide").is_visible()  # the sidebar is beside the text


# Tables, sideways scrolling and screenshots


def test_tables_stack_on_a_phone_with_each_cell_led_by_its_heading(new_page):
    page = new_page(viewport=PHONE)
    for url, table in (("/plan/", "#plan-table"), (GUIDE_PAGE, "main table.nhsuk-table--responsive")):
        page.goto(url)
        first = page.locator(table).first
        assert first.locator("thead").evaluate("el => el.getBoundingClientRect().height") <= 1  # visually hidden
        cell = first.locator("tbody td").nth(1)
        assert cell.locator(".nhsuk-table__heading").is_visible()
        assert cell.evaluate("el => getComputedStyle(el).display") in ("flex", "block")
    page.goto("/plan/")
    # A date cell holds its weeks on at most 2 lines, with "go-live" whole.
    for cell in page.locator("#plan-table [data-starts]").all():
        lines = cell.evaluate(
            "el => Math.round(el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight))"
        )
        assert lines <= 2, cell.inner_text()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_no_page_scrolls_sideways_at_320_px(new_page, site_dir, javascript):
    page = new_page(viewport={"width": 320, "height": 640}, java_script_enabled=javascript)
    wide = []
    for url in iter_pages(site_dir):
        response = page.goto(url)
        if response is not None and response.status >= 300 and url != "/404.html":
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            wide.append(f"{url}: {width} px")
    assert wide == []


def test_the_print_button_shows_only_where_scripts_run(new_page):
    with_js, without_js = new_page(), new_page(java_script_enabled=False)
    with_js.goto("/guide/print/")
    without_js.goto("/guide/print/")
    assert with_js.get_by_role("button", name="Print this page").is_visible()
    assert not without_js.get_by_role("button", name="Print this page").is_visible()


def test_phone_screenshots_of_the_home_page_a_guide_page_and_the_planner(new_page):
    page = new_page(viewport=PHONE)
    folder = ARTIFACTS / "phone"
    folder.mkdir(parents=True, exist_ok=True)
    for name, url in (("home", "/"), ("guide-page", GUIDE_PAGE), ("plan", "/plan/")):
        page.goto(url)
        page.screenshot(path=folder / f"{name}-375x812.png")  # the first screen, as a reader sees it
        page.screenshot(path=folder / f"{name}-375-full.png", full_page=True)
        assert (folder / f"{name}-375x812.png").stat().st_size > 10_000
