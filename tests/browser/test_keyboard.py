"""Keyboard only: the skip link, the header menu and the guide sidebar, with JavaScript on and off."""

from __future__ import annotations

import pytest

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  return {tag: el.tagName.toLowerCase(), id: el.id, href: el.getAttribute('href'), text: el.innerText.trim(),
          inHeader: !!el.closest('header'), inMain: !!el.closest('main'), inSidebar: !!el.closest('.app-side-nav'),
          visible: !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)};
}"""
MENU = {"/guide/": "The guide", "/checklists/": "Checklists by role", "/glossary/": "Glossary"}
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "mobile": {"width": 375, "height": 740}}


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def keyboard_page(request, new_page):
    """A page driven by the keyboard alone, with JavaScript on and off."""
    return new_page(java_script_enabled=request.param)


def tab(page, shift: bool = False) -> dict | None:
    page.keyboard.press("Shift+Tab" if shift else "Tab")
    return page.evaluate(FOCUSED)


def tab_until(page, wanted, limit: int = 150) -> dict:
    """Presses Tab until the focused element satisfies `wanted`; fails if it never does."""
    seen = []
    for _ in range(limit):
        focused = tab(page)
        if focused and wanted(focused):
            return focused
        seen.append(focused and (focused["text"] or focused["href"]))
    pytest.fail(f"never reached by Tab; focused in turn: {seen}")


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_main_content(keyboard_page):
    page = keyboard_page
    page.goto("/guide/kick-off/")
    first = tab(page)
    assert first["text"] == "Skip to main content" and first["href"] == "#maincontent" and first["visible"]
    assert page.locator(".nhsuk-skip-link").evaluate("el => el.getBoundingClientRect().height") > 0
    page.keyboard.press("Enter")
    if page.javascript:
        assert page.evaluate(FOCUSED)["id"] == "maincontent"  # nhsuk-frontend focuses <main> itself
    else:
        assert page.url.endswith("#maincontent")
    following = tab(page)
    assert following["inMain"], f"after the skip link, Tab went to {following}"
    assert not following["inHeader"]


@pytest.mark.parametrize("width", WIDTHS, ids=list(WIDTHS))
def test_the_header_menu_is_reached_and_used_by_keyboard(new_page, width):
    for javascript in (True, False):
        page = new_page(java_script_enabled=javascript, viewport=WIDTHS[width])
        page.goto("/guide/kick-off/")
        reached = {}
        for _ in range(40):
            focused = tab(page)
            if focused is None or focused["inMain"]:
                break
            if focused["tag"] == "button" and "More" in focused["text"]:
                page.keyboard.press("Enter")  # the menu folds items that do not fit behind "More"
                continue
            if focused["inHeader"] and focused["href"] in MENU:
                assert focused["visible"], focused
                reached[focused["href"]] = focused["text"]
        assert reached == MENU, f"{width}, JavaScript {'on' if javascript else 'off'}: reached {reached}"

        page.goto("/guide/kick-off/")
        for _ in range(40):
            focused = tab(page)
            if focused and focused["tag"] == "button" and "More" in focused["text"]:
                page.keyboard.press("Enter")
            elif focused and focused["inHeader"] and focused["href"] == "/glossary/":
                break
        else:
            pytest.fail("Tab never reached Glossary in the menu")
        page.keyboard.press("Enter")
        page.wait_for_url("**/glossary/")
        assert page.locator("h1").inner_text() == "Glossary"


def test_every_sidebar_link_is_reached_and_followed_by_keyboard(keyboard_page):
    page = keyboard_page
    page.goto("/guide/kick-off/")
    expected = page.locator('nav.app-side-nav[aria-label="Guide"] a').evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert len(expected) >= 10
    reached = []
    for _ in range(300):
        focused = tab(page)
        if focused is None:
            break
        if focused["inSidebar"]:
            reached.append(focused["href"])
        elif reached:
            break  # past the sidebar
    assert reached == expected

    page.goto("/guide/kick-off/")
    tab_until(page, lambda f: f["inSidebar"] and f["href"] == "/guide/training/")
    page.keyboard.press("Enter")
    page.wait_for_url("**/guide/training/")
    current = page.locator('nav.app-side-nav[aria-label="Guide"] a[aria-current="page"]')
    assert current.get_attribute("href") == "/guide/training/"
