"""`guide deploy-check URL`: the security checks that only a running site can answer.

Some defences depend on the host, not on our code: whether Netlify adds the security headers,
normalises `//` and `%09` after the legacy prefix before redirecting, and passes the reader's
address to the functions. This asks a running site (the live one, or `guide preview`) from the
outside, as an attacker would, and says plainly what it could not check.
"""

from __future__ import annotations

import http.client
import sys
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import click

from ..forms.ratelimit import POSTS_PER_MINUTE
from ..web.security import SECURITY_HEADERS

#: Paths after the legacy prefix that a careless redirect would send to another host.
OFF_SITE_ATTEMPTS = ("//evil.example/", "/%09/evil.example/", "/%09%09/evil.example/", "/%2f%09/evil.example/")
LEGACY_PREFIX = "/prm-practice-migration"
TIMEOUT = 10


@dataclass(frozen=True)
class Outcome:
    check: str
    passed: bool | None  # None: could not be checked here
    detail: str


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: str


def ask(base: str, method: str, path: str, body: str | None = None, headers: dict | None = None) -> Answer:
    """One request, redirects not followed, to `path` on the site at `base`."""
    parts = urlsplit(base)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.netloc, timeout=TIMEOUT)
    try:
        connection.request(method, parts.path.rstrip("/") + path, body=body, headers=headers or {})
        response = connection.getresponse()
        text = response.read(200_000).decode("utf-8", "replace")
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, text)
    finally:
        connection.close()


def missing_headers(answer: Answer) -> list[str]:
    return [name for name, value in SECURITY_HEADERS.items() if answer.headers.get(name.lower()) != value]


def _headers_check(name: str, answer: Answer, status: int) -> Outcome:
    missing = missing_headers(answer)
    passed = answer.status == status and not missing
    detail = f"status {answer.status}" + (f"; missing or different: {', '.join(missing)}" if missing else "")
    return Outcome(name, passed, detail)


def run_checks(base: str, functions_url: str = "") -> list[Outcome]:
    origin = f"{urlsplit(base).scheme}://{urlsplit(base).netloc}"
    form = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    outcomes = [
        _headers_check("home page carries every security header", ask(base, "GET", "/"), 200),
        _headers_check(
            "a missing page is a 404 with every security header",
            ask(base, "GET", f"/no-such-page-{uuid.uuid4().hex[:8]}/"),
            404,
        ),
    ]
    wrong_method = ask(base, "GET", "/api/feedback")
    outcomes.append(Outcome("the API refuses a GET", wrong_method.status == 405, f"status {wrong_method.status}"))
    foreign = ask(base, "POST", "/api/feedback", "answer=yes", {**form, "Origin": "https://evil.example"})
    outcomes.append(
        Outcome("the API refuses a post from another site", foreign.status == 403, f"status {foreign.status}")
    )
    for attempt in OFF_SITE_ATTEMPTS:
        answer = ask(base, "GET", LEGACY_PREFIX + attempt)
        location = answer.headers.get("location", "")
        target = urlsplit(location if "://" in location or location.startswith("//") else origin + location)
        stays = not location.startswith(("//", "/\\")) and target.netloc == urlsplit(origin).netloc
        outcomes.append(
            Outcome(f"{LEGACY_PREFIX}{attempt} does not redirect off-site", stays, f"{answer.status} → {location!r}")
        )
    if functions_url:
        unsigned = ask(functions_url, "POST", "/api/feedback", "answer=yes", {**form, "Origin": origin})
        outcomes.append(
            Outcome(
                "an unsigned post straight to the functions is refused",
                unsigned.status == 403,
                f"status {unsigned.status}",
            )
        )
    else:
        outcomes.append(
            Outcome("an unsigned post straight to the functions is refused", None, "no --functions-url given")
        )
    # Posts for no section store nothing but still count: if the check's own posts are counted as one
    # reader, the one after the limit is refused with 429. (The checking machine is limited for a minute.)
    statuses = [
        ask(
            base,
            "POST",
            "/api/feedback",
            urlencode({"page": "/", "section": "", "answer": ""}),
            {**form, "Origin": origin},
        ).status
        for _ in range(POSTS_PER_MINUTE + 1)
    ]
    # Through the site, Netlify signs each post: a 403 here means the functions did not believe the signature
    # or its claims (API_SIGNATURE_TOKEN, SITE_URL or NETLIFY_SITE_ID not matching the site), so every reader's
    # post would be refused. A post naming no section is answered 400 once it is believed.
    outcomes.append(
        Outcome(
            "a post through the site reaches the form (its proxy signature is believed)",
            statuses[0] == 400,
            f"status {statuses[0]}" + (" (refused as not from the guide)" if statuses[0] == 403 else ""),
        )
    )
    outcomes.append(
        Outcome(
            "the check's own posts are counted as one reader",
            statuses[-1] == 429,
            f"statuses {sorted(set(statuses))}, last {statuses[-1]}",
        )
    )
    outcomes.append(
        Outcome(
            "different readers are counted apart (Netlify passes each reader's address)",
            None,
            "needs posts from two networks; this check sends from one",
        )
    )
    return outcomes


@click.command("deploy-check")
@click.argument("url")
@click.option("--functions-url", default="", help="The Lambda Function URL, to check that unsigned posts are refused.")
def deploy_check(url: str, functions_url: str):
    """Check a running site's security headers, 404, API refusals and redirects from outside."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise click.BadParameter("give the site's address, like https://example.nhs.uk", param_hint="URL")
    try:
        outcomes = run_checks(url.rstrip("/"), functions_url.rstrip("/"))
    except OSError as error:
        click.secho(f"Could not reach {url}: {type(error).__name__}", fg="red", err=True)
        sys.exit(2)
    marks = {True: "PASS", False: "FAIL", None: "NOT CHECKED"}
    for outcome in outcomes:
        click.echo(f"{marks[outcome.passed]:<12} {outcome.check} ({outcome.detail})")
    failed = sum(outcome.passed is False for outcome in outcomes)
    unchecked = sum(outcome.passed is None for outcome in outcomes)
    click.echo(f"{failed} failed, {unchecked} not checked here, {len(outcomes) - failed - unchecked} passed.")
    sys.exit(1 if failed else 0)
