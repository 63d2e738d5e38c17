"""The owners' weekly digest: one email per owner with their flagged sections and overdue pages, and none
for an owner with nothing to hear about; `guide digest --dry-run` shows it, `functions/digest.py` sends it."""

import importlib
import json
import sys
import uuid
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import page

from migration_guide.cli import main
from migration_guide.content.loading import load_guide
from migration_guide.forms import digest, feedback
from migration_guide.web.manifest import SiteManifest

TODAY = date.today()
DUE_40_DAYS_AGO = (TODAY - timedelta(days=40)).isoformat()
DUE_3_DAYS_AGO = (TODAY - timedelta(days=3)).isoformat()
NEXT_YEAR = (TODAY + timedelta(days=365)).isoformat()


@pytest.fixture
def content(write_content):
    return write_content(
        {
            "guide/dates.md": page(
                "Dates",
                "/guide/dates/",
                "## Check dates {#check-dates}\n\nText.\n\n## Book rooms {#book-rooms}\n\nText.",
                layout="guide",
                owner="Guide team",
                review_due=NEXT_YEAR,
            ),
            "guide/data.md": page(
                "Data",
                "/guide/data/",
                "## Extract {#extract}\n\nText.",
                layout="guide",
                owner="Data team",
                last_reviewed="2025-05-01",
                review_due=DUE_40_DAYS_AGO,
            ),
            "about.md": page("About", "/about/", owner="Guide team", review_due=DUE_3_DAYS_AGO),
            "quiet.md": page("Quiet", "/quiet/", owner="Quiet team", review_due=NEXT_YEAR),
            "data/owners.yml": """
                owners:
                  Guide team: guide-team@nhs.net
                  Data team: data-team@nhs.net
                  Quiet team: quiet-team@nhs.net
            """,
        }
    )


@pytest.fixture
def manifest(settings, content) -> SiteManifest:
    return SiteManifest.from_guide(load_guide(settings.with_overrides(content_dir=content)), "")


def seed(db, manifest: SiteManifest) -> None:
    """Check dates: 3 of 4 said no since the page last changed. Book rooms: 4 no, all to an earlier version."""
    dates = manifest.pages["/guide/dates/"].version
    for number, answer in enumerate(["no", "yes", "no", "no"], start=1):
        comment = f"Comment {number}" + (" <b>with\n  a new line</b>" if number == 4 else "")
        feedback.save(db, "/guide/dates/", "check-dates", answer, comment, dates)
    for _ in range(4):
        feedback.save(db, "/guide/dates/", "book-rooms", "no", "Fixed since", "an-earlier-version")
    feedback.save(db, "/guide/data/", "extract", "yes", "", manifest.pages["/guide/data/"].version)


GUIDE_TEAM_EMAIL = f"""\
Subject: GP practice migration guide: 1 section flagged for review and 1 page overdue for review

Hello Guide team,

1 section flagged for review and 1 page overdue for review.

# Sections readers flagged
Dates: Check dates
3 of 4 answers since the page last changed said it was not helpful.
https://gp-practice-migration-guide.netlify.app/guide/dates/#check-dates
Latest comments:
“Comment 4 <b>with a new line</b>”
“Comment 3”
“Comment 2”

# Pages overdue for review
About (/about/): review was due {DUE_3_DAYS_AGO}, 3 days ago; never reviewed.

# Facts to check against their source
None.

For every section's figures and comments, run: guide feedback report --format html
"""


def test_each_owner_with_something_to_hear_gets_one_digest(database, manifest):
    seed(database, manifest)
    digests = digest.digests(database, manifest, "https://gp-practice-migration-guide.netlify.app", TODAY)
    assert [(d.owner, d.email, len(d.flagged), len(d.overdue)) for d in digests] == [
        ("Data team", "data-team@nhs.net", 0, 1),
        ("Guide team", "guide-team@nhs.net", 1, 1),
    ]
    assert digests[1].text(TODAY) == GUIDE_TEAM_EMAIL
    assert digests[0].personalisation(TODAY) == {
        "owner": "Data team",
        "summary": "1 page overdue for review",
        "flagged_sections": "None this week.",
        "overdue_pages": f"Data (/guide/data/): review was due {DUE_40_DAYS_AGO}, 40 days ago; "
        "last reviewed 2025-05-01.",
        "stale_facts": "None.",
    }


@pytest.mark.parametrize(
    ("comment", "shown"),
    [
        (
            "[Review the section now](https://evil.example/login)",
            "“[Review the section now] (https://evil.example/login)”",
        ),
        ("((overdue_pages)) and ((owner))", "“( (overdue_pages) ) and ( (owner) )”"),
        ("# Action needed", "“| # Action needed”"),
        ("^ Your account is locked", "“| ^ Your account is locked”"),
        ("---", "“| ---”"),
    ],
)
def test_a_comment_reaches_the_owners_digest_as_plain_text(database, manifest, comment, shown):
    dates = manifest.pages["/guide/dates/"].version
    for _ in range(3):
        feedback.save(database, "/guide/dates/", "check-dates", "no", comment, dates)
    guide_team = next(d for d in digest.digests(database, manifest, "https://guide", TODAY) if d.owner == "Guide team")
    fields = guide_team.personalisation(TODAY)
    assert shown in fields["flagged_sections"] and f"“{comment}”" not in fields["flagged_sections"]
    text = guide_team.text(TODAY)
    assert shown in text and "About (/about/)" in text.split("# Pages overdue for review")[1]
    assert text.count("About (/about/)") == 1  # ((overdue_pages)) in a comment is not expanded


def test_a_section_reworked_since_readers_flagged_it_is_not_sent_again(database, manifest):
    seed(database, manifest)
    versions = {permalink: page.version for permalink, page in manifest.pages.items()}
    book_rooms = next(s for s in feedback.report(database, versions) if s.section == "book-rooms")
    assert (book_rooms.before.no, book_rooms.since.answers, book_rooms.needs_review) == (4, 0, False)  # as the report
    digests = digest.digests(database, manifest, "https://guide", TODAY)
    assert all(flagged.section_title != "Book rooms" for d in digests for flagged in d.flagged)


def test_guide_digest_dry_run_prints_what_would_be_sent_and_sends_nothing(
    database, database_url, manifest, content, tmp_path, monkeypatch
):
    seed(database, manifest)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("OUTBOX_DIR", str(tmp_path / "outbox"))
    result = CliRunner().invoke(main, ["digest", "--dry-run", "--content", str(content)])
    assert result.exit_code == 0, result.output
    assert "Email 1 of 2, to Data team <data-team@nhs.net>" in result.output
    assert "Email 2 of 2, to Guide team <guide-team@nhs.net>" in result.output
    assert GUIDE_TEAM_EMAIL in result.output
    assert "Quiet team" not in result.output


def test_guide_digest_dry_run_never_prints_terminal_controls_raw(
    database, database_url, manifest, content, tmp_path, monkeypatch
):
    dates = manifest.pages["/guide/dates/"].version
    for _ in range(3):
        feedback.save(database, "/guide/dates/", "check-dates", "no", "Bad \x1b]0;pwned\x07\x1b[2J \u009b2J", dates)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path / "instance"))
    result = CliRunner().invoke(main, ["digest", "--dry-run", "--content", str(content)])
    assert result.exit_code == 0, result.output
    assert not any(c in result.output for c in "\x1b\x07\u009b")
    assert "Hello Guide team," in result.output
    assert result.output.endswith("Dry run: 2 email(s) would be sent; nothing was sent.\n")
    assert not (tmp_path / "outbox").exists()


def test_with_nothing_to_say_nothing_is_sent(database_url, content, tmp_path, monkeypatch):
    for path in content.rglob("*.md"):
        path.write_text(path.read_text().replace(DUE_40_DAYS_AGO, NEXT_YEAR).replace(DUE_3_DAYS_AGO, NEXT_YEAR))
    monkeypatch.setenv("DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["digest", "--dry-run", "--content", str(content)])
    assert result.output == "Nothing to send: no flagged sections and no page overdue for review.\n"


def test_an_owner_without_an_address_is_named_and_not_sent_to(database, manifest, tmp_path):
    manifest.data["owners"] = {"owners": {"Guide team": "guide-team@nhs.net"}}
    digests = digest.digests(database, manifest, "https://guide", TODAY)
    assert [(d.owner, d.email) for d in digests] == [("Data team", ""), ("Guide team", "guide-team@nhs.net")]
    from migration_guide.forms.outbox import FileSender

    outcomes = digest.send(digests, FileSender(tmp_path / "outbox"), TODAY)
    assert [(o.owner, o.status) for o in outcomes] == [("Data team", "no address"), ("Guide team", "sent")]
    written = json.loads(next((tmp_path / "outbox").iterdir()).read_text())
    assert (written["to"], written["template"]) == ("guide-team@nhs.net", "digest")


# The scheduled function, through its Lambda entry point, with a fake GOV.UK Notify


@pytest.fixture
def digest_function(settings, manifest, database_url, httpserver, tmp_path, monkeypatch):
    manifest.dump(tmp_path / "manifest.json")
    for name, value in {
        "FUNCTIONS_MANIFEST": tmp_path / "manifest.json",
        "DATABASE_URL": database_url,
        "INSTANCE_DIR": tmp_path / "instance",
        "NOTIFY_API_KEY": f"test-{uuid.uuid4()}-{uuid.uuid4()}",
        "NOTIFY_BASE_URL": httpserver.url_for("/").rstrip("/"),
        "NOTIFY_TEMPLATE_DIGEST": "tpl-digest",
    }.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.syspath_prepend(str(Path(__file__).parent.parent / "functions"))
    sys.modules.pop("digest", None)
    return importlib.import_module("digest").handler


def test_the_weekly_function_sends_each_owner_one_notify_email(digest_function, database, manifest, httpserver):
    seed(database, manifest)
    for _ in range(2):
        httpserver.expect_ordered_request("/v2/notifications/email", method="POST").respond_with_json(
            {"id": str(uuid.uuid4())}, status=201
        )
    assert digest_function({}, None) == {"owners": 2, "sent": 2, "not_sent": 0}
    sent = [json.loads(request.data) for request, _ in httpserver.log]
    assert [(m["email_address"], m["template_id"]) for m in sent] == [
        ("data-team@nhs.net", "tpl-digest"),
        ("guide-team@nhs.net", "tpl-digest"),
    ]
    assert sent[1]["reference"] == f"digest-{TODAY.isoformat()}-owner"
    assert sent[1]["personalisation"]["summary"] == "1 section flagged for review and 1 page overdue for review"
    assert "Dates: Check dates\n3 of 4 answers" in sent[1]["personalisation"]["flagged_sections"]


def test_one_owners_failed_email_does_not_stop_the_others(digest_function, database, manifest, httpserver):
    seed(database, manifest)
    httpserver.expect_ordered_request("/v2/notifications/email").respond_with_json({"errors": []}, status=500)
    httpserver.expect_ordered_request("/v2/notifications/email").respond_with_json({"id": "1"}, status=201)
    assert digest_function({}, None) == {"owners": 2, "sent": 1, "not_sent": 1}


def test_the_weekly_function_sends_nothing_when_there_is_nothing_to_say(
    digest_function, manifest, httpserver, tmp_path
):
    manifest.pages = {path: replace(page, review_due=NEXT_YEAR) for path, page in manifest.pages.items()}
    manifest.dump(tmp_path / "manifest.json")
    assert digest_function({}, None) == {"owners": 0, "sent": 0, "not_sent": 0}
    assert httpserver.log == []


def test_a_fact_not_checked_for_longer_than_the_setting_goes_to_the_owner_of_each_page_that_quotes_it(
    settings, write_content, database
):
    checked = (TODAY - timedelta(days=200)).isoformat()
    content = write_content(
        {
            "guide/keys.md": page(
                "Keys", "/guide/keys/", "Keys last {fact:key-expiry}.", layout="guide", owner="Guide team"
            ),
            "quiet.md": page("Quiet", "/quiet/", owner="Quiet team", review_due=NEXT_YEAR),
            "data/owners.yml": "owners:\n  Guide team: guide-team@nhs.net\n  Quiet team: quiet-team@nhs.net\n",
            "data/facts.yml": (
                "key-expiry:\n  value: 2 weeks\n  source:\n    title: NHS App guide\n"
                f"    url: https://digital.nhs.uk/services/nhs-app/\n  checked: {checked}\n"
            ),
        }
    )
    manifest = SiteManifest.from_guide(load_guide(settings.with_overrides(content_dir=content)), "")
    sent = digest.digests(database, manifest, "https://example.org", TODAY, 183)
    assert [each.owner for each in sent] == ["Guide team"]
    text = sent[0].text(TODAY)
    assert "1 fact to check" in text
    assert (
        f"key-expiry: last checked {checked}, quoted on /guide/keys/. Source: https://digital.nhs.uk/services/nhs-app/"
        in text
    )
    assert digest.digests(database, manifest, "https://example.org", TODAY, 365) == []


def test_a_long_comment_is_cut_to_300_characters_and_only_comments_on_the_page_as_it_is_are_sent(database, manifest):
    dates = manifest.pages["/guide/dates/"].version
    for _ in range(3):
        feedback.save(database, "/guide/dates/", "check-dates", "no", "word " * 100, dates)
    # The newest comment, but given to the page before its last change: the owner has dealt with it.
    feedback.save(database, "/guide/dates/", "check-dates", "no", "On the old page", "an-earlier-version")
    guide_team = next(d for d in digest.digests(database, manifest, "https://guide", TODAY) if d.owner == "Guide team")
    [section] = guide_team.flagged
    assert section.latest_comments == (("word " * 60)[:299] + "…",) * 3
    assert "On the old page" not in guide_team.text(TODAY)
