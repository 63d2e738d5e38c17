"""The owners' HTML feedback report, as a person opens it from a file: axe finds nothing, and a screenshot
from seeded answers goes to test-artifacts/ for people to look at."""

from click.testing import CliRunner
from conftest import FIXTURE_CONTENT
from test_feedback_report import two_owners_content  # noqa: F401 (a fixture: the fixture guide with two owners)

from migration_guide.cli import main
from migration_guide.config import Settings
from migration_guide.content.loading import load_guide
from migration_guide.forms import feedback
from migration_guide.forms.store import Database

from .test_every_page import run_axe


def test_the_html_report_from_seeded_answers_meets_the_accessibility_bar(
    new_page, screenshots, settings, tmp_path, monkeypatch
):
    database_url = f"sqlite:///{tmp_path / 'report.sqlite3'}"
    database = Database(database_url, tmp_path / "unused")
    current = load_guide(settings).pages["/guide/first-step/"].version
    seeded = [
        ("check-dates", "no", "Dates were unclear", "old"),
        ("check-dates", "no", "", "old"),
        ("check-dates", "no", "Which weeks?", "old"),
        ("check-dates", "yes", "Much clearer now", current),
        ("check-dates", "yes", "", current),
        ("check-dates", "no", "Still missing cut-over", current),
        # A section readers still find unhelpful since the last change: flagged, with its before-and-after chart.
        ("a-sub-heading", "yes", "Fine before", "old"),
        ("a-sub-heading", "no", "Worse now", current),
        ("a-sub-heading", "no", "", current),
        ("a-sub-heading", "no", "", current),
    ]
    for section, answer, comment, version in seeded:
        feedback.save(database, "/guide/first-step/", section, answer, comment, version)
    database.close()
    monkeypatch.setenv("DATABASE_URL", database_url)
    out = tmp_path / "feedback-report.html"
    result = CliRunner().invoke(
        main, ["feedback", "report", "--format", "html", "--output", str(out), "--content", str(FIXTURE_CONTENT)]
    )
    assert result.exit_code == 0, result.output

    page = new_page(viewport={"width": 1024, "height": 900})
    page.set_content(out.read_text(encoding="utf-8"))
    assert page.locator("svg").count() >= 2 and page.locator("table").count() >= 2
    assert "First step: a-sub-heading: 3 of 3 since the page last changed" in page.locator("#flagged + ul").inner_text()
    assert run_axe(page)["violations"] == []
    page.screenshot(path=str(screenshots / "feedback-report.png"), full_page=True)


def test_choosing_an_owner_shows_only_their_sections_without_a_script(
    new_page,
    two_owners_content,  # noqa: F811 (the fixture imported above)
    tmp_path,
    monkeypatch,
):
    database_url = f"sqlite:///{tmp_path / 'owners.sqlite3'}"
    database = Database(database_url, tmp_path / "unused")
    pages = load_guide(Settings.from_environment(content_dir=two_owners_content)).pages
    for _ in range(3):
        feedback.save(database, "/guide/first-step/", "check-dates", "no", "", pages["/guide/first-step/"].version)
        feedback.save(database, "/guide/", "key-phases", "yes", "", pages["/guide/"].version)
    database.close()
    monkeypatch.setenv("DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["feedback", "report", "--format", "html", "--content", str(two_owners_content)])
    assert result.exit_code == 0, result.output

    page = new_page(viewport={"width": 1024, "height": 900}, java_script_enabled=False)
    page.set_content(result.output)
    rows = page.locator(".with-table").first.locator("tbody tr")  # helpfulness by section
    assert [rows.nth(i).is_visible() for i in range(rows.count())] == [True, True]
    page.get_by_label("ICB <team> & co").check()
    visible = [rows.nth(i).inner_text() for i in range(rows.count()) if rows.nth(i).is_visible()]
    assert len(visible) == 1 and visible[0].startswith("First step: Check dates")
    assert not page.locator(".card h3", has_text="Get started").is_visible()
    assert not page.locator("figure").first.is_visible()
    assert page.get_by_text("The chart is hidden while one owner is chosen").is_visible()
    page.get_by_label("Every owner").check()
    assert all(rows.nth(i).is_visible() for i in range(rows.count())) and page.locator("figure").first.is_visible()
