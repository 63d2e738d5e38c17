"""Screenshots of each page type, desktop and mobile, saved to test-artifacts/screenshots/ for people to look at.

The NHS font host is blocked, so these show the pages as they look with the fallback font.
"""

from __future__ import annotations

import pytest

PAGE_TYPES = {
    "home": ("/", 200),
    "guide-page": ("/guide/kick-off/", 200),
    "guide-start": ("/guide/", 200),
    "role-page": ("/practice-staff/", 200),
    "glossary": ("/glossary/", 200),
    "404": ("/no-such-page/", 404),
}
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "mobile": {"width": 375, "height": 740}}


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_screenshot_of_each_page_type(new_page, screenshots, viewport):
    page = new_page(viewport=VIEWPORTS[viewport])
    for name, (url, status) in PAGE_TYPES.items():
        response = page.goto(url)
        assert response.status == status, url
        page.wait_for_load_state("networkidle")
        path = screenshots / f"{name}-{viewport}.png"
        page.screenshot(path=path, full_page=True)
        assert path.stat().st_size > 10_000, f"{path} looks empty"
        # The fallback font must still give readable text: headings are not collapsed or clipped.
        box = page.locator("h1").bounding_box()
        assert box and box["height"] >= 30 and box["width"] > 100, (url, box)
