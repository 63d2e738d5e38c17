"""Every frozen page, not a sample: no accessibility violations (axe-core, WCAG 2.2 A and AA),
no console errors, no CSP violations under the production headers, no request off the machine."""

from __future__ import annotations

import json

from migration_guide.preview import iter_pages

from .conftest import AXE_SCRIPT, csp_violations

#: The 404 page is checked where readers meet it: at an address with no page.
MISSING = "/no-such-page/"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def frozen_pages(site_dir) -> tuple[list[str], dict[str, str]]:
    """Every page's address, and the redirect pages (a meta refresh to another page) with their target."""
    pages, redirects = [], {}
    for url in iter_pages(site_dir):
        file = site_dir / (
            url.strip("/") + "/index.html" if url.endswith("/") and url != "/" else url.strip("/") or "index.html"
        )
        html = file.read_text(encoding="utf-8")
        if 'http-equiv="refresh"' in html:
            redirects[url] = html.split('content="0; url=', 1)[1].split('"', 1)[0]
        else:
            pages.append(MISSING if url == "/404.html" else url)
    return pages, redirects


def describe(violation: dict) -> str:
    nodes = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
    return f"{violation['id']} ({violation['impact']}): {violation['help']} — {nodes}"


def test_the_site_has_every_kind_of_page(site_dir):
    pages, redirects = frozen_pages(site_dir)
    assert {"/", "/guide/", "/guide/kick-off/", "/practice-staff/", "/glossary/", MISSING} <= set(pages)
    assert len(pages) >= 15 and redirects


def run_axe(page) -> dict:
    page.add_script_tag(path=str(AXE_SCRIPT))
    return page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)


def test_no_accessibility_violations_on_any_page(new_page, site_dir):
    assert AXE_SCRIPT.is_file(), "axe-core is missing: run npm ci"
    # CSP forbids the injected script, so this context alone bypasses CSP; the CSP test below does not.
    page = new_page(bypass_csp=True)
    pages, _ = frozen_pages(site_dir)
    found: dict[str, list[str]] = {}
    for url in pages:
        response = page.goto(url)
        assert response.status == (404 if url == MISSING else 200), url
        result = run_axe(page)
        assert len(result["passes"]) >= 10, f"axe-core checked almost nothing on {url}"
        if result["violations"]:
            found[url] = [describe(violation) for violation in result["violations"]]
    assert not found, "axe-core found violations:\n" + json.dumps(found, indent=2, ensure_ascii=False)


def test_the_accessibility_check_finds_a_planted_violation(new_page):
    page = new_page(bypass_csp=True)
    page.goto("/guide/")
    page.evaluate("""() => {
        const img = document.createElement('img'); img.src = '/assets/images/favicon.svg';
        document.querySelector('main').append(img);
        const input = document.createElement('input'); document.querySelector('main').append(input);
    }""")
    found = {violation["id"] for violation in run_axe(page)["violations"]}
    assert {"image-alt", "label"} <= found


def test_no_console_errors_or_csp_violations_on_any_page(page, site_dir):
    pages, _ = frozen_pages(site_dir)
    violations = {}
    for url in pages:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        if found := csp_violations(page):
            violations[url] = found
    assert not violations, f"CSP violations: {violations}"
    # Console errors and requests off the machine are checked by the `page` fixture at teardown.


def test_pages_work_without_javascript(page_without_js, site_dir):
    pages, _ = frozen_pages(site_dir)
    for url in pages:
        response = page_without_js.goto(url)
        assert response.status == (404 if url == MISSING else 200), url
        assert page_without_js.locator("h1").count() == 1, url


def test_redirect_pages_land_on_their_target(page, site_dir, site_url):
    _, redirects = frozen_pages(site_dir)
    for old, target in redirects.items():
        page.goto(old)
        page.wait_for_url(site_url + target)
        assert page.locator("h1").count() == 1


def test_no_accessibility_violations_on_the_pages_the_functions_answer_with(new_page, site_dir):
    """The error pages of each form (not frozen: the functions render them) meet the same bar."""
    from .test_forms import forms_in_site, settle

    page = new_page(bypass_csp=True)
    found: dict[str, list[str]] = {}
    for action, url in forms_in_site(site_dir).items():
        page.goto(url)
        with page.expect_response(lambda r, action=action: r.request.method == "POST" and action in r.url):
            page.locator(f'form[action="{action}"]').first.locator(
                'button:not([type="button"]), input[type="submit"]'
            ).first.click()
        settle(page, action)
        assert page.locator(".nhsuk-error-summary").count() == 1, action
        result = run_axe(page)
        if result["violations"]:
            found[f"{action} (errors)"] = [describe(violation) for violation in result["violations"]]
    # The function answers a refused submission with status 400, which Chromium logs as a console error.
    page.problems[:] = [p for p in page.problems if "status of 400" not in p]
    assert not found, "axe-core found violations:\n" + json.dumps(found, indent=2, ensure_ascii=False)
