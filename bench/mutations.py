"""Hand mutations of the code that runs after a request: does a test fail when the code is wrong?

Each mutation (a file, an exact piece of its text, what to put instead, and why it matters) is applied
alone to a temporary copy of the tree; the tests that cover that code run there, stopping at the first
failure. A mutation is *killed* when a test fails, and *survives* when every test passes: then no test
would notice that bug. Not part of `make test` (a run takes minutes); a figure, like the rest of bench/.

    .venv/bin/python bench/mutations.py              # every mutation, then the table
    .venv/bin/python bench/mutations.py --check      # only that each mutation still applies (text found once)
    .venv/bin/python bench/mutations.py --only ratelimit --only guard

The issue 24 review made 84 hand mutations of these areas; its list was not kept, so this is a new list of
84 over the same areas (outbox, scheduled function, retention, store, rate limit, guard, help requests,
digest, report, content checks). Tests run on SQLite unless a mutation is about PostgreSQL
(TEST_DATABASE_URL), and never the slow ones (whole builds, the browser).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Longest one mutation's tests may run; a mutation that hangs them counts as killed (noticed), and says so.
TIMEOUT_SECONDS = 240

OUTBOX = ("tests/test_outbox.py", "tests/test_request_help.py")
FUNCTION = ("tests/test_outbox.py",)
RETENTION = ("tests/test_outbox.py", "tests/test_request_help.py", "tests/test_feedback.py")
STORE = ("tests/test_store.py", "tests/test_outbox.py", "tests/test_request_help.py")
RATE = ("tests/test_ratelimit.py", "tests/test_feedback.py", "tests/test_request_help.py")
GUARD = ("tests/test_feedback.py", "tests/test_request_help.py")
REQUESTS = ("tests/test_request_help.py", "tests/test_outbox.py")
DIGEST = ("tests/test_digest.py",)
REPORT = ("tests/test_feedback.py", "tests/test_feedback_report.py", "tests/test_digest.py")
CONTENT = ("tests/test_validation.py", "tests/test_review.py", "tests/test_partners.py", "tests/test_planner.py")


#: The tests each kind of mutation runs (pytest -k): SQLite's and those needing no database; or PostgreSQL's,
#: with the PostgreSQL tests whose names do not say so (they open their own schema).
SELECTIONS = {
    "sqlite": "not postgresql",
    "postgresql": "postgresql or server_dropped or table_lock_held",
}


@dataclass(frozen=True)
class Mutation:
    area: str
    path: str
    old: str
    new: str
    why: str
    tests: tuple[str, ...]
    #: Which database's tests: "sqlite" (and the tests that need none) or "postgresql".
    dialect: str = "sqlite"


def m(area, path, old, new, why, tests, dialect="sqlite") -> Mutation:
    return Mutation(area, path, old, new, why, tests, dialect)


OB = "migration_guide/forms/outbox.py"
FN = "functions/outbox.py"
HR = "migration_guide/forms/help_requests.py"
FB = "migration_guide/forms/feedback.py"
ST = "migration_guide/forms/store.py"
RL = "migration_guide/forms/ratelimit.py"
GD = "migration_guide/forms/guard.py"
RE = "migration_guide/forms/request_emails.py"
DG = "migration_guide/forms/digest.py"
VA = "migration_guide/content/validation.py"
PL = "migration_guide/content/partner_list.py"

MUTATIONS: list[Mutation] = [
    # The outbox: retries, backoff, the confirmation cap, leases.
    m("outbox", OB, "MAX_ATTEMPTS = 10", "MAX_ATTEMPTS = 11", "one attempt more than promised", OUTBOX),
    m(
        "outbox",
        OB,
        "minutes=2 ** max(attempts - 1, 0)",
        "minutes=2 ** max(attempts, 0)",
        "backoff starts at 2 min",
        OUTBOX,
    ),
    m("outbox", OB, "timedelta(hours=6))", "timedelta(hours=12))", "backoff capped at 12 h, not 6", OUTBOX),
    m("outbox", OB, "400 <= status < 500 and status != 429", "400 <= status < 500", "a 429 fails the message", OUTBOX),
    m(
        "outbox",
        OB,
        "SET status = 'queued', attempts = 0,",
        "SET status = 'queued',",
        "retry --failed keeps attempts",
        OUTBOX,
    ),
    m(
        "outbox",
        OB,
        "return str(error) if isinstance(error, TemporaryFailure) else type(error).__name__",
        "return str(error)",
        "raw exception text stored",
        OUTBOX,
    ),
    m("outbox", OB, "CONFIRMATIONS_PER_DAY = 3", "CONFIRMATIONS_PER_DAY = 4", "a 4th confirmation a day", OUTBOX),
    m("outbox", OB, "< CONFIRMATIONS_PER_DAY:", "<= CONFIRMATIONS_PER_DAY:", "the cap off by one", OUTBOX),
    m(
        "outbox",
        OB,
        ".replace(hour=0, minute=0, second=0, microsecond=0)",
        ".replace(minute=0, second=0, microsecond=0)",
        "the cap's day is an hour",
        OUTBOX,
    ),
    m(
        "outbox",
        OB,
        'return f"{local.casefold()}@{domain.lower()}"',
        'return f"{local}@{domain.lower()}"',
        "one mailbox, two spellings",
        OUTBOX,
    ),
    m(
        "outbox",
        OB,
        "if time_left is not None and time_left() <= 0:",
        "if time_left is not None and time_left() < -60:",
        "sends past the budget",
        OUTBOX,
    ),
    m(
        "outbox",
        OB,
        "deadline = time.monotonic() + budget",
        "deadline = time.monotonic() + budget * 10",
        "the request's send budget ignored",
        OUTBOX,
    ),
    m(
        "outbox",
        OB,
        "(timestamp(now + SENDING_LEASE), message_id, timestamp(now)),",
        "(timestamp(now + SENDING_LEASE), message_id, timestamp(now + SENDING_LEASE)),",
        "a leased message taken twice",
        OUTBOX,
    ),
    m(
        "outbox",
        OB,
        'except MaybeSent as error:\n        status = "failed" if attempts >= MAX_ATTEMPTS else "queued"',
        'except MaybeSent as error:\n        status = "failed"',
        "a timed-out send never retried",
        OUTBOX,
    ),
    m(
        "outbox",
        OB,
        'for path in directory.glob(f"{reference}-*.json"):',
        'for path in directory.glob(f"{reference}-partner-*.json"):',
        "message files left after purge",
        OUTBOX,
    ),
    m(
        "outbox",
        OB,
        "\"status = 'sent', provider_id = ?, sent_at = ?, last_error = ''\"",
        "\"status = 'sent', provider_id = ?, sent_at = ?\"",
        "a sent message keeps its old error",
        OUTBOX,
    ),
    # The scheduled function: retention first, daily, inside Lambda's time.
    m("function", FN, 'if event.get("retention"):', "if True:", "retention every 5 minutes", FUNCTION),
    m("function", FN, "SEND_TIMEOUT = 4.0", "SEND_TIMEOUT = 0.0", "a send may start with no time left", FUNCTION),
    m(
        "function",
        FN,
        "context.get_remaining_time_in_millis() / 1000 - SEND_TIMEOUT - FINISHING_TIME",
        "context.get_remaining_time_in_millis() / 1000",
        "the run passes its timeout",
        FUNCTION,
    ),
    m(
        "function",
        FN,
        "forgotten = forget_old_comments(database, settings.comment_retention_days)",
        "forgotten = 0",
        "old comments never blanked",
        FUNCTION,
    ),
    m(
        "function",
        FN,
        "purge(database, settings.request_retention_days,",
        "purge(database, settings.comment_retention_days,",
        "requests kept a year",
        FUNCTION,
    ),
    m(
        "function",
        FN,
        '"sent": sum(d.status == "sent" for d in deliveries),',
        '"sent": len(deliveries),',
        "failures counted as sent",
        FUNCTION,
    ),
    # Retention: requests and comments really go.
    m(
        "retention",
        HR,
        "cutoff = timestamp((now or datetime.now(UTC)) - timedelta(days=older_than_days))",
        "cutoff = timestamp((now or datetime.now(UTC)) - timedelta(days=older_than_days + 1))",
        "requests kept a day too long",
        RETENTION,
    ),
    m(
        "retention",
        HR,
        "outbox.delete_files(outbox_dir, references)",
        "outbox.delete_files(outbox_dir, [])",
        "message files survive purge",
        RETENTION,
    ),
    m(
        "retention",
        HR,
        "    db.compact()\n    return len(references)",
        "    return len(references)",
        "SQLite's log keeps purged rows",
        RETENTION,
    ),
    m(
        "retention",
        FB,
        "WHERE created_at < ? AND comment <> ''",
        "WHERE created_at > ? AND comment <> ''",
        "new comments blanked, old kept",
        RETENTION,
    ),
    m(
        "retention",
        FB,
        "timedelta(days=older_than_days))\n    with db.transaction() as cursor:\n        forgotten",
        "timedelta(days=older_than_days + 30))\n    with db.transaction() as cursor:\n        forgotten",
        "comments kept 30 days too long",
        RETENTION,
    ),
    m(
        "retention",
        FB,
        "    db.compact()\n    return forgotten",
        "    return forgotten",
        "blanked comments left in the log",
        RETENTION,
    ),
    # The store.
    m(
        "store",
        ST,
        'cursor.execute("SELECT pg_advisory_xact_lock(7263514)")',
        "pass",
        "two migrators at once",
        STORE,
        "postgresql",
    ),
    m("store", ST, '"PRAGMA secure_delete=ON"', '"PRAGMA secure_delete=OFF"', "deleted rows left in free pages", STORE),
    m("store", ST, 'connection.execute("PRAGMA foreign_keys=ON")', "pass", "purge leaves messages behind", STORE),
    m(
        "store",
        ST,
        '"PRAGMA wal_checkpoint(TRUNCATE)"',
        '"PRAGMA wal_checkpoint(PASSIVE)"',
        "the log is not emptied",
        STORE,
    ),
    m(
        "store",
        ST,
        "ON CONFLICT (name) DO NOTHING",
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        "each instance its own secret",
        STORE,
    ),
    m(
        "store",
        ST,
        'if attempt == 2 or self.dialect == "sqlite":',
        "if True:",
        "no reconnect after a restart",
        STORE,
        "postgresql",
    ),
    m(
        "store",
        ST,
        "STATEMENT_TIMEOUT = 5",
        "STATEMENT_TIMEOUT = 60",
        "a slow statement holds the reader",
        STORE,
        "postgresql",
    ),
    m("store", ST, " or type(error) is sqlite3.DatabaseError", "", "a damaged file is a bare error", STORE),
    m(
        "store",
        ST,
        'getattr(self._local, "connection", None) is not None and not self._same_file():',
        "False:",
        "a replaced file not reopened",
        STORE,
    ),
    # The rate limit.
    m("ratelimit", RL, "POSTS_PER_MINUTE = 30", "POSTS_PER_MINUTE = 31", "one post more a minute", RATE),
    m("ratelimit", RL, "FAILURES_PER_MINUTE = 10", "FAILURES_PER_MINUTE = 11", "one failure more a minute", RATE),
    m("ratelimit", RL, 'counts["hits"] <= limit', 'counts["hits"] < limit', "the limit off by one", RATE),
    m(
        "ratelimit",
        RL,
        'counts["failures"] < FAILURES_PER_MINUTE',
        'counts["failures"] <= FAILURES_PER_MINUTE',
        "the failure limit off by one",
        RATE,
    ),
    m(
        "ratelimit",
        RL,
        'ip_network(f"{parsed}/64", strict=False)',
        'ip_network(f"{parsed}/128", strict=False)',
        "each IPv6 address its own reader",
        RATE,
    ),
    m(
        "ratelimit",
        RL,
        "if parsed.version == 6 and parsed.ipv4_mapped:",
        "if False:",
        "::ffff:a.b.c.d escapes its IPv4 count",
        RATE,
    ),
    m("ratelimit", RL, "    if first_sight:\n", "    if False:\n", "yesterday's salt kept", RATE),
    m("ratelimit", RL, 'f"{form}|{reader(address)}"', 'f"{reader(address)}"', "the forms share one count", RATE),
    m("ratelimit", RL, "return 60 - now.second", "return 60", "Retry-After too long", RATE),
    # The request guard.
    m("guard", GD, "if request.mimetype != FORM_CONTENT_TYPE:", "if False:", "any content type accepted", GUARD),
    m(
        "guard",
        GD,
        "request.content_length > max_bytes:",
        "request.content_length > max_bytes * 2:",
        "twice the size accepted",
        GUARD,
    ),
    m(
        "guard",
        GD,
        "request.max_content_length = max_bytes + 1",
        "request.max_content_length = max_bytes * 4",
        "a chunked body read too far",
        GUARD,
    ),
    m("guard", GD, 'or b"\\x00" in body or b"%00" in body', 'or b"\\x00" in body', "an encoded NUL passes", GUARD),
    m(
        "guard",
        GD,
        'if current_app.config["SETTINGS"].is_production and not signed_by_proxy():',
        "if False:",
        "unsigned posts in production",
        GUARD,
    ),
    m("guard", GD, "if origin not in allowed_origins():", "if not origin:", "any origin accepted", GUARD),
    m("guard", GD, " or expires - issued > TOKEN_LIFETIME + CLOCK_SKEW:", ":", "a long-lived token accepted", GUARD),
    m(
        "guard",
        GD,
        "return not settings.is_production or _names_our_production_site(claims, settings.expected_proxy_claims)",
        "return True",
        "a preview deploy signs for live",
        GUARD,
    ),
    m(
        "guard",
        GD,
        "if signed_by_proxy() and request.headers.get(CLIENT_HEADER):",
        "if request.headers.get(CLIENT_HEADER):",
        "an unsigned header picks the reader",
        GUARD,
    ),
    m("guard", GD, '    response.headers["Retry-After"] = str(seconds)\n', "", "no Retry-After on a 429", GUARD),
    # Help requests.
    m(
        "requests",
        HR,
        "DUPLICATE_WINDOW = timedelta(minutes=15)",
        "DUPLICATE_WINDOW = timedelta(0)",
        "a resubmission stored twice",
        REQUESTS,
    ),
    m(
        "requests",
        HR,
        'cursor.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (request_fingerprint,))',
        "pass",
        "two identical posts at once both stored",
        REQUESTS,
        "postgresql",
    ),
    m(
        "requests",
        HR,
        'normalised = {key: " ".join(str(value).split()).lower() for key, value in details.items()}',
        "normalised = {key: str(value) for key, value in details.items()}",
        "a retyped request not a duplicate",
        REQUESTS,
    ),
    m(
        "requests",
        HR,
        'not any(domain == d or domain.endswith("." + d) for d in form.email_domains)',
        "not any(domain.endswith(d) for d in form.email_domains)",
        "notnhs.uk is a work address",
        REQUESTS,
    ),
    m("requests", HR, "not 10 <= len(digits) <= 13", "not 3 <= len(digits) <= 13", "a 3-digit phone number", REQUESTS),
    m(
        "requests",
        RE,
        "chosen = _lines(tuple(spec for spec in specs if spec.to_requester), details, shown_as)",
        "chosen = _lines(tuple(spec for spec in specs if spec.to_partner), details, shown_as)",
        "typed text in the confirmation",
        REQUESTS,
    ),
    m(
        "requests",
        RE,
        "return plain(value) if value else NOT_GIVEN",
        "return value or NOT_GIVEN",
        "Notify formatting in the partner's email",
        REQUESTS,
    ),
    m(
        "requests",
        HR,
        "            if spec.name not in present:\n",
        "            if False:\n",
        "a new field is never stored",
        REQUESTS,
    ),
    m(
        "requests",
        HR,
        "*(spec.name for spec in request_fields.FIELDS if spec.exported)",
        "*(spec.name for spec in request_fields.FIELDS if not spec.personal)",
        "personal data left out of the export",
        REQUESTS,
    ),
    m(
        "requests",
        HR,
        'details[spec.name] = value.isoformat() if value else ""',
        'details[spec.name] = ""',
        "the go-live date lost",
        REQUESTS,
    ),
    # The owners' digest.
    m("digest", DG, "LATEST_COMMENTS = 3", "LATEST_COMMENTS = 5", "five comments, not three", DIGEST),
    m("digest", DG, "COMMENT_LENGTH = 300", "COMMENT_LENGTH = 3000", "a comment's length not capped", DIGEST),
    m(
        "digest",
        DG,
        "if page is None or not page.owner or not section.needs_review:",
        "if page is None or not page.owner:",
        "every section flagged",
        DIGEST,
    ),
    m("digest", DG, "if not digest.email:", "if False:", "a digest sent to no address", DIGEST),
    m(
        "digest",
        DG,
        "for comment in section.comments if comment.since_change]",
        "for comment in section.comments]",
        "comments on old versions sent",
        DIGEST,
    ),
    # The feedback report, and the comment token.
    m("report", FB, "REVIEW_MIN_ANSWERS = 3", "REVIEW_MIN_ANSWERS = 4", "flagged only at 4 answers", REPORT),
    m(
        "report",
        FB,
        "since.yes < REVIEW_HELPFUL_BELOW * since.answers",
        "since.yes <= REVIEW_HELPFUL_BELOW * since.answers",
        "half helpful flagged",
        REPORT,
    ),
    m(
        "report",
        FB,
        'if current_versions.get(row["page"]) == row["content_version"]:\n            section.since += tally',
        "if True:\n            section.since += tally",
        "old answers decide the flag",
        REPORT,
    ),
    m(
        "report",
        FB,
        ") AS ranked WHERE newest <= ?",
        ") AS ranked WHERE newest < ?",
        "one comment too few kept",
        REPORT,
    ),
    m(
        "report",
        FB,
        'since_change = current_versions.get(row["page"]) == row["content_version"]',
        "since_change = True",
        "every comment since the change",
        REPORT,
    ),
    m(
        "report",
        FB,
        '("WHERE created_at >= ?", (since,))',
        '("WHERE created_at <= ?", (since,))',
        "--since reversed",
        REPORT,
    ),
    m(
        "report",
        FB,
        "WHERE id = ? AND page = ? AND section = ? AND comment = ''",
        "WHERE id = ? AND page = ? AND section = ?",
        "a comment overwritten",
        REPORT,
    ),
    # Content checks.
    m("content", VA, "if link.path in guide.redirects:", "if False:", "a link through a redirect accepted", CONTENT),
    m("content", VA, "(?:to|and|-|–)", "(?:to|and|-)", "'2–3 weeks' accepted", CONTENT),
    m(
        "content",
        "migration_guide/content/phases.py",
        "return isinstance(value, int) and not isinstance(value, bool)",
        "return isinstance(value, int)",
        "true is a week offset",
        CONTENT,
    ),
    m("content", VA, "if days > grace_days:", "if days >= grace_days:", "the grace period a day short", CONTENT),
    m(
        "content",
        PL,
        "if len(cells) > len(header):",
        "if len(cells) > len(header) + 1:",
        "one extra CSV cell accepted",
        CONTENT,
    ),
    m("content", PL, "1 <= int(days) <= 20", "1 <= int(days) <= 30", "a 30-day reply accepted", CONTENT),
]


def applies(mutation: Mutation, root: Path) -> str:
    """ "" when the mutation's text is in its file exactly once; otherwise why it cannot be applied."""
    path = root / mutation.path
    if not path.exists():
        return "file not found"
    found = path.read_text(encoding="utf-8").count(mutation.old)
    return "" if found == 1 else f"text found {found} times"


def copy_tree(target: Path) -> None:
    ignore = shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "site", "instance", "build", "bench-output", "test-artifacts", "__pycache__"
    )
    shutil.copytree(ROOT, target, ignore=ignore, symlinks=True)
    for shared in (".venv", "node_modules"):  # read-only, shared with the working tree
        (target / shared).symlink_to((ROOT / shared).resolve())


def pytest(root: Path, arguments: list[str]) -> tuple[int, str]:
    """pytest's exit status in the copy, and the first test that failed ("" if none did)."""
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-m", "not slow", *arguments]
    environment = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(command, cwd=root, env=environment, capture_output=True, timeout=TIMEOUT_SECONDS)
    # "FAILED tests/x.py::test_y[a b] - AssertionError: …": a test id may hold spaces, never " - ".
    lines = result.stdout.decode().splitlines()
    failed = [line.removeprefix("FAILED ").split(" - ", 1)[0] for line in lines if line.startswith("FAILED ")]
    return result.returncode, failed[0] if failed else ""


def run_tests(root: Path, mutation: Mutation, flaky: set[str]) -> tuple[str, float]:
    """'killed by TEST', 'survived' or 'timed out' (counted as killed), and the seconds the tests took.

    A kill is believed only when the test that failed passes on the unmutated tree. On a loaded machine a
    timing test can fail without any mutation: it joins `flaky`, is left out from then on, and the mutation
    runs again without it, so no mutation is counted as killed by a test that fails anyway.
    """
    path = root / mutation.path
    original = path.read_text(encoding="utf-8")
    started = time.monotonic()
    try:
        while True:
            path.write_text(original.replace(mutation.old, mutation.new), encoding="utf-8")
            deselected = [argument for test in sorted(flaky) for argument in ("--deselect", test)]
            status, failed = pytest(root, ["-k", SELECTIONS[mutation.dialect], *deselected, *mutation.tests])
            if status == 0:
                return "survived", time.monotonic() - started
            if status != 1 or not failed:
                return f"error (pytest exit {status})", time.monotonic() - started
            path.write_text(original, encoding="utf-8")
            if pytest(root, [failed])[0] != 1:  # it passes without the mutation (or cannot be run alone)
                return f"killed by {failed.split('::', 1)[-1]}", time.monotonic() - started
            flaky.add(failed)
            print(f"    {failed} fails without the mutation too: left out from now on", flush=True)
    except subprocess.TimeoutExpired:
        return "timed out", time.monotonic() - started
    finally:
        path.write_text(original, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check that every mutation still applies")
    parser.add_argument(
        "--only", action="append", help="one area (repeatable): " + ", ".join(sorted({x.area for x in MUTATIONS}))
    )
    parser.add_argument("--number", action="append", type=int, help="one mutation by its number (repeatable)")
    arguments = parser.parse_args()
    chosen = [
        (number, x)
        for number, x in enumerate(MUTATIONS, 1)
        if (not arguments.only or x.area in arguments.only) and (not arguments.number or number in arguments.number)
    ]
    if arguments.check:
        problems = [(number, x, why) for number, x in chosen if (why := applies(x, ROOT))]
        for number, x, why in problems:
            print(f"{number}. {x.path}: {why}: {x.old!r}")
        print(f"{len(chosen) - len(problems)} of {len(chosen)} mutations apply")
        return 1 if problems else 0
    results = []
    with tempfile.TemporaryDirectory(prefix="mutations-") as temporary:
        root = Path(temporary) / "tree"
        copy_tree(root)
        flaky: set[str] = set()
        for number, mutation in chosen:
            if why := applies(mutation, root):
                outcome, seconds = f"does not apply ({why})", 0.0
            else:
                outcome, seconds = run_tests(root, mutation, flaky)
            results.append((number, mutation, outcome, seconds))
            print(f"{number:>3} {seconds:5.1f} s  {mutation.area}: {mutation.why}: {outcome}", flush=True)
    print()
    print("| # | area | file | mutation | result |")
    print("|---|---|---|---|---|")
    for number, mutation, outcome, _ in results:
        print(f"| {number} | {mutation.area} | `{Path(mutation.path).name}` | {mutation.why} | {outcome} |")
    killed = sum(outcome.startswith("killed") or outcome == "timed out" for _, _, outcome, _ in results)
    print(f"\n{killed} of {len(results)} killed; {sum(o == 'survived' for _, _, o, _ in results)} survived.")
    if flaky:
        print("Left out as failing without any mutation (timing on a loaded machine): " + ", ".join(sorted(flaky)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
