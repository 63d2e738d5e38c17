"""What changed, and when: change notes on a page, /whats-new/, the Atom feed and the sitemap agree."""

import shutil
from datetime import date, timedelta

import feedparser
import pytest
from conftest import FIXTURE_CONTENT

from migration_guide.content.loading import load_guide
from migration_guide.content.problems import ContentError
from migration_guide.pages.app import create_app
from migration_guide.publish.freeze import build_site

SITE = "https://gp-practice-migration-guide.netlify.app"

FIRST_STEP_NOTES = """changes:
  - date: 2026-10-02
    note: Said when to book rooms.
    section: check-dates
  - date: 2026-11-20
    note: Rewrote the page in plainer words.
"""
ABOUT_NOTES = """changes:
  - date: 2026-11-01
    note: Added who to ask.
"""


def with_notes(tmp_path, first_step=FIRST_STEP_NOTES, about=ABOUT_NOTES):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    for name, notes in (("guide/first-step.md", first_step), ("about.md", about)):
        path = content / name
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("---\n", "---\n" + notes, 1) if text.startswith("---\n") else text)
    return content


@pytest.fixture
def client(settings, tmp_path):
    return create_app(settings.with_overrides(content_dir=with_notes(tmp_path))).test_client()


def test_a_page_shows_its_last_update_and_all_its_updates_newest_first(client):
    html = client.get("/guide/first-step/").get_data(as_text=True)
    assert "Last updated: 20 November 2026" in html
    updates = html.split("See all updates", 1)[1].split("</details>", 1)[0]
    assert updates.index("20 November 2026") < updates.index("2 October 2026")
    assert '<a href="#check-dates">Said when to book rooms.</a>' in updates
    assert 'href="/whats-new/"' in updates


def test_a_page_without_notes_shows_no_last_updated_line(client):
    assert "Last updated" not in client.get("/guide/second-step/").get_data(as_text=True)


def test_whats_new_lists_every_change_across_the_guide_newest_first_linked_to_page_and_section(client):
    html = client.get("/whats-new/").get_data(as_text=True)
    main = html.split("<main", 1)[1]
    order = [main.index(text) for text in ("Rewrote the page", "Added who to ask", "Said when to book rooms")]
    assert order == sorted(order)
    assert '<a href="/guide/first-step/#check-dates">First step: Check dates</a>. Said when to book rooms.' in main
    assert '<a href="/guide/first-step/">First step</a>. Rewrote the page in plainer words.' in main


def test_the_feed_carries_the_same_entries_and_every_page_advertises_it(client):
    response = client.get("/whats-new/feed.xml")
    assert response.mimetype == "application/xml"
    feed = feedparser.parse(response.get_data())
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "GP practice migration guide: what's new"
    assert [(entry.title, entry.link, entry.updated[:10], entry.summary) for entry in feed.entries] == [
        ("First step", f"{SITE}/guide/first-step/", "2026-11-20", "Rewrote the page in plainer words."),
        ("About", f"{SITE}/about/", "2026-11-01", "Added who to ask."),
        ("First step: Check dates", f"{SITE}/guide/first-step/#check-dates", "2026-10-02", "Said when to book rooms."),
    ]
    assert len({entry.id for entry in feed.entries}) == 3
    for path in ("/", "/guide/first-step/", "/whats-new/", "/plan/"):
        head = client.get(path).get_data(as_text=True).split("</head>", 1)[0]
        assert '<link rel="alternate" type="application/atom+xml"' in head and 'href="/whats-new/feed.xml"' in head


def test_the_sitemaps_lastmod_is_the_pages_last_change(client):
    xml = client.get("/sitemap.xml").get_data(as_text=True)
    assert f"<loc>{SITE}/guide/first-step/</loc><lastmod>2026-11-20</lastmod>" in xml
    assert f"<loc>{SITE}/about/</loc><lastmod>2026-11-01</lastmod>" in xml


TOMORROW = (date.today() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("notes", "message"),
    [
        ("changes:\n  - note: Fixed a typo.\n", "changes note 1 has no date: add 'date: YYYY-MM-DD'"),
        ("changes:\n  - date: 1 Dec 2026\n    note: Fixed.\n", "changes note 1's date '1 Dec 2026' is not a real date"),
        (f"changes:\n  - date: {TOMORROW}\n    note: Fixed.\n", f"is dated {TOMORROW}, in the future"),
        ("changes:\n  - date: 2026-11-01\n", "changes note 1 needs a note: one line saying what changed"),
        ("changes:\n  - date: 2026-11-01\n    note: Fixed.\n    section: nowhere\n", "section 'nowhere'"),
        ("changes: Fixed a typo\n", "changes must be a list of notes"),
    ],
)
def test_a_bad_change_note_fails_the_build_naming_file_and_line_and_writes_nothing(settings, tmp_path, notes, message):
    content = with_notes(tmp_path, first_step=notes, about="")
    settings = settings.with_overrides(content_dir=content)
    with pytest.raises(ContentError) as failure:
        load_guide(settings)
    problems = [str(problem) for problem in failure.value.problems]
    assert any("first-step.md:2:" in problem and message in problem for problem in problems), problems
    with pytest.raises(ContentError):
        build_site(settings)
    assert not (settings.out_dir / "index.html").exists()
