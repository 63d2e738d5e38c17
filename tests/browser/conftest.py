"""Browser fixtures: the real guide, frozen once, served by `guide preview`, driven in Debian's chromium.

Fixtures for browser tests (use these; do not start servers or browsers of your own):

- `site_url`         "http://127.0.0.1:PORT" of the preview serving the frozen guide (no trailing slash).
                     The functions answer at `/api/*` on the same server, storing in a temporary database.
- `site_dir`         the frozen site's folder (to enumerate pages: `migration_guide.preview.iter_pages`).
- `browser`          one headless chromium for the whole session.
- `page`             a fresh page with JavaScript on, under the production CSP, 1280×900.
- `page_without_js`  the same with JavaScript off.
- `new_page(**context_options)`  a fresh page in a context of your own (viewport, bypass_csp …).
                     Each context is a different reader to the functions' rate limit.
- `functions_database`  the store the functions behind `site_url` write to (`migration_guide.forms.store.Database`).

Every page made by these fixtures:
- can reach only the preview server: any other request is aborted, and any to a host other
  than the NHS font host (assets.nhs.uk, blocked here, so pages must work with the fallback
  font) fails the test;
- fails the test on a console error, an uncaught exception or a `securitypolicyviolation`
  event (the last with JavaScript on only: without it nothing can listen), except the
  "failed to load" errors of the blocked fonts.
A test that expects a console error can clear `page.problems` (a list of strings) before it ends.

Without chromium or the `playwright` package these tests are skipped, except with CI=true,
where they fail: CI must run them (`.ci/run` installs chromium).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from migration_guide.config import PROJECT_ROOT, Settings

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
#: Pages may ask for fonts from here; the request is blocked and the fallback font used.
FONT_HOST = "assets.nhs.uk"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = os.environ.get("CI", "").lower() == "true"

#: Runs before any page script; collects CSP violations where JavaScript is on.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'} ` +
                              `(${event.sourceFile || ''}:${event.lineNumber || 0})`);
});
"""


def unavailable(reason: str):
    """Skip on a developer's machine; fail in CI, where the browser suite must run."""
    if IN_CI:
        pytest.fail(f"browser suite cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory) -> Path:
    """The real guide frozen once per session, from the repository's content and templates."""
    from migration_guide.publish.freeze import build_site

    out = tmp_path_factory.mktemp("browser-site")
    settings = Settings.from_environment(
        out_dir=out,
        instance_dir=tmp_path_factory.mktemp("browser-instance"),
        functions_manifest=out.parent / "functions-manifest.json",
    )
    build_site(settings)
    return out


class _LateApp:
    """The WSGI app is made after the server, which must exist first to know its port."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


def _quiet_handler():
    from werkzeug.serving import WSGIRequestHandler

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):  # one line per request would drown the test output
            pass

    return Quiet


@pytest.fixture(scope="session")
def functions_instance(tmp_path_factory) -> Path:
    """The functions' instance folder; their store is `forms.sqlite3` in it (see `functions_database`)."""
    return tmp_path_factory.mktemp("functions-instance")


@pytest.fixture(scope="session")
def functions_database(functions_instance):
    """The store the functions behind `site_url` write to, to check what a form stored."""
    from migration_guide.forms.store import Database

    database = Database(f"sqlite:///{functions_instance / 'forms.sqlite3'}", functions_instance / "unused.sqlite3")
    yield database
    database.close()


@pytest.fixture(scope="session")
def site_url(site_dir, functions_instance) -> str:
    """The preview of the frozen guide, served from a thread on 127.0.0.1 and a free port."""
    from werkzeug.serving import make_server

    from migration_guide.preview import create_preview_app

    holder = _LateApp()
    server = make_server("127.0.0.1", 0, holder, threaded=True, request_handler=_quiet_handler())
    url = f"http://127.0.0.1:{server.server_port}"
    instance = functions_instance
    settings = Settings.from_environment(
        site_url=url,
        instance_dir=instance,
        outbox_dir=instance / "outbox",
        database_url=f"sqlite:///{instance / 'forms.sqlite3'}",
        functions_manifest=site_dir.parent / "functions-manifest.json",
        proxy_signing_secret=PROXY_SECRET,
    )
    holder.app = create_preview_app(site_dir, PROJECT_ROOT / "netlify.toml", settings=settings)
    thread = threading.Thread(target=server.serve_forever, name="guide-preview", daemon=True)
    thread.start()
    yield url
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def playwright_instance():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install -e '.[test]')")
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).is_file()):
        unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    """One headless Debian chromium for the whole session."""
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


def _guard(context, page, site_url: str, problems: list[str], javascript: bool) -> None:
    """Keeps `page` on this machine and records everything that should fail a test."""
    local = urlsplit(site_url).netloc

    def route(route):
        parts = urlsplit(route.request.url)
        if parts.scheme in ("data", "blob") or parts.netloc == local:
            route.continue_()
            return
        if parts.hostname != FONT_HOST:
            problems.append(f"request left the machine: {route.request.method} {route.request.url}")
        route.abort("blockedbyclient")

    context.route("**/*", route)

    def console(message):
        if message.type != "error":
            return
        text = message.text
        location = message.location.get("url", "") if message.location else ""
        if "ERR_BLOCKED_BY_CLIENT" in text and (FONT_HOST in location or FONT_HOST in text or not location):
            return  # the fonts we block on purpose
        if "status of 404" in text and location.split("#")[0] == page.url.split("#")[0]:
            return  # the page itself is the 404 page; tests check each response's status
        problems.append(f"console error on {page.url}: {text} ({location})")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"uncaught exception on {page.url}: {error}"))
    if javascript:
        context.add_init_script(CSP_LISTENER)


_readers: list[None] = []
#: The secret the preview's functions share with the tests' stand-in for Netlify's signed proxy.
PROXY_SECRET = "browser-tests-" + "0" * 32


def _proxy_signature() -> str:
    import time

    import jwt

    now = int(time.time())  # as Netlify signs: issued now, for 5 minutes, by the production deploy
    claims = {"iss": "netlify", "iat": now, "exp": now + 300, "deploy_context": "production"}
    return jwt.encode(claims, PROXY_SECRET, algorithm="HS256")


def csp_violations(page) -> list[str]:
    """The `securitypolicyviolation` events seen on the current document (JavaScript on only)."""
    return page.evaluate("window.__cspViolations || []")


@pytest.fixture
def new_page(browser, site_url):
    """Makes pages in contexts of their own: `new_page(java_script_enabled=False, viewport=…)`."""
    made = []

    def make(**options):
        javascript = options.setdefault("java_script_enabled", True)
        options.setdefault("viewport", {"width": 1280, "height": 900})
        options.setdefault("base_url", site_url)
        # Each context is a different reader, as Netlify's signed proxy tells the functions (their rate
        # limit counts posts per reader); without this every test would be one reader at 127.0.0.1.
        _readers.append(None)
        options.setdefault(
            "extra_http_headers",
            {"X-Nf-Client-Connection-Ip": f"192.0.2.{len(_readers) % 250 + 1}", "X-Nf-Sign": _proxy_signature()},
        )
        context = browser.new_context(**options)
        page = context.new_page()
        page.problems = []
        page.javascript = javascript
        _guard(context, page, site_url, page.problems, javascript)
        made.append((context, page))
        return page

    yield make
    problems = []
    for context, page in made:
        if page.javascript and not page.is_closed():
            # The page may be mid-navigation; its violations were checked by the test.
            with contextlib.suppress(Exception):
                problems += [f"CSP violation on {page.url}: {v}" for v in csp_violations(page)]
        problems += page.problems
        context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def page(new_page):
    """A fresh page with JavaScript on, under the site's real CSP."""
    return new_page()


@pytest.fixture
def page_without_js(new_page):
    """A fresh page with JavaScript off."""
    return new_page(java_script_enabled=False)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where screenshots go for people to look at: test-artifacts/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
