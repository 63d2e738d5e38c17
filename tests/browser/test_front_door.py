"""The front door on a phone (375×812): the way in on the first screen, compact section feedback used
by keyboard with JavaScript on and off, tables that stack, nothing that scrolls sideways at 320 px,
and screenshots of the home page, a guide page and the planner in test-artifacts/."""

from __future__ import annotations

import pytest

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

    for _ in range(10):
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
