"""Review dates that act: `guide review` lists what is due, the build warns, production refuses the long overdue."""

import shutil
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from conftest import FIXTURE_CONTENT, page

from migration_guide.cli import main
from migration_guide.content.loading import load_guide
from migration_guide.content.problems import ContentError
from migration_guide.publish.freeze import build_site
from migration_guide.web.manifest import SiteManifest

TODAY = date.today()


def days_from_today(days: int) -> str:
    return (TODAY + timedelta(days=days)).isoformat()


@pytest.fixture
def dated_content(write_content):
    """Pages 40 and 5 days overdue, one due in 10 days, one in 100 days, and one with no review date."""
    return write_content(
        {
            "long-overdue.md": page(
                "Long overdue",
                "/long-overdue/",
                owner="Data team",
                last_reviewed="2025-01-01",
                review_due=days_from_today(-40),
            ),
            "overdue.md": page("Overdue", "/overdue/", owner="Guide team", review_due=days_from_today(-5)),
            "soon.md": page(
                "Soon", "/soon/", owner="Guide team", last_reviewed="2026-06-01", review_due=days_from_today(10)
            ),
            "later.md": page("Later", "/later/", owner="Guide team", review_due=days_from_today(100)),
            "undated.md": page("Undated", "/undated/"),
            "index.md": page("Home", "/"),  # the app's own pages link to these two
            "guide/index.md": page("Guide", "/guide/"),
        }
    )


def test_guide_review_lists_pages_past_or_near_their_review_date_most_overdue_first(dated_content):
    result = CliRunner().invoke(main, ["review", "--within", "30", "--content", str(dated_content)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["page", "review", "due", "status", "owner", "last", "reviewed"]
    listed = [line.split()[0] for line in lines[2:5]]
    assert listed == ["long-overdue.md", "overdue.md", "soon.md"]
    assert f"long-overdue.md  {days_from_today(-40)}  40 days overdue  Data team   2025-01-01" in result.output
    assert f"overdue.md       {days_from_today(-5)}  5 days overdue   Guide team  never" in result.output
    assert f"soon.md          {days_from_today(10)}  due in 10 days   Guide team  2026-06-01" in result.output
    assert "later.md" not in result.output and "undated.md" not in result.output
    assert "3 page(s) due for review, 2 overdue" in result.output


def test_the_window_decides_what_is_near(dated_content):
    narrow = CliRunner().invoke(main, ["review", "--within", "0", "--content", str(dated_content)]).output
    assert "overdue.md" in narrow and "soon.md" not in narrow
    wide = CliRunner().invoke(main, ["review", "--within", "365", "--content", str(dated_content)]).output
    assert "later.md" in wide and "undated.md" not in wide


def test_nothing_due_says_so(write_content):
    content = write_content({"a.md": page("A", "/a/", review_due=days_from_today(90))})
    result = CliRunner().invoke(main, ["review", "--content", str(content)])
    assert result.output.strip() == "No page is due for review in the next 30 days."


def test_a_production_build_refuses_pages_more_than_the_grace_period_overdue_naming_file_and_date(
    settings, dated_content
):
    with pytest.raises(ContentError) as refused:
        load_guide(settings.with_overrides(content_dir=dated_content, site_env="production", use_render_cache=False))
    problems = [str(problem).replace(f"{dated_content}/", "") for problem in refused.value.problems]
    assert problems == [
        f"long-overdue.md:6: review_due {days_from_today(-40)} passed 40 days ago, more than the 30 a production "
        "build allows (REVIEW_GRACE_DAYS): review the page, then set last_reviewed and review_due"
    ]


def test_the_grace_period_is_a_setting(settings, dated_content, monkeypatch):
    monkeypatch.setenv("REVIEW_GRACE_DAYS", "3")
    strict = settings.from_environment(content_dir=dated_content, site_env="production", use_render_cache=False)
    with pytest.raises(ContentError) as refused:
        load_guide(strict)
    assert [problem.path.name for problem in refused.value.problems] == ["long-overdue.md", "overdue.md"]
    monkeypatch.setenv("REVIEW_GRACE_DAYS", "60")
    assert load_guide(strict.from_environment(content_dir=dated_content, site_env="production"))


def test_overdue_pages_only_warn_outside_production(settings, dated_content):
    assert load_guide(settings.with_overrides(content_dir=dated_content, use_render_cache=False))


def test_guide_build_warns_about_overdue_pages(tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    about = content / "about.md"
    about.write_text(about.read_text().replace("review_due: 2027-05-27", f"review_due: {days_from_today(-12)}"))
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("FUNCTIONS_MANIFEST", str(tmp_path / "functions" / "manifest.json"))
    result = CliRunner().invoke(main, ["build", "--content", str(content), "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert "Warning: 1 page(s) overdue for review (a production build fails after 30 days):" in result.stderr
    assert f"  about.md: review_due {days_from_today(-12)} (12 days ago), owner not set" in result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("Built ")


@pytest.mark.slow  # builds a site of its own
def test_the_build_and_the_manifest_carry_each_pages_owner_and_review_dates(settings, dated_content):
    settings = settings.with_overrides(content_dir=dated_content)
    report = build_site(settings)
    assert [review.permalink for review in report.overdue] == ["/long-overdue/", "/overdue/"]
    loaded = SiteManifest.load(settings.functions_manifest)
    overdue_page = loaded.pages["/long-overdue/"]
    assert (overdue_page.owner, overdue_page.last_reviewed, overdue_page.review_due) == (
        "Data team",
        "2025-01-01",
        days_from_today(-40),
    )
    assert loaded.pages["/undated/"].review_due == ""


def test_every_owner_needs_an_address_when_the_guide_lists_owners(settings, write_content):
    content = write_content(
        {
            "a.md": page("A", "/a/", owner="Guide team"),
            "b.md": page("B", "/b/", owner="Data team"),
            "data/owners.yml": "owners:\n  Guide team: guide-team@example.org\n",
        }
    )
    with pytest.raises(ContentError) as refused:
        load_guide(settings.with_overrides(content_dir=content, use_render_cache=False))
    assert [problem.message for problem in refused.value.problems] == [
        "owner 'Data team' has no email address in data/owners.yml"
    ]
    (content / "data" / "owners.yml").write_text(
        "owners:\n  Guide team: guide-team@example.org\n  Data team: data@nhs.net\n"
    )
    assert load_guide(settings.with_overrides(content_dir=content, use_render_cache=False))
    with pytest.raises(ContentError) as production:
        load_guide(settings.with_overrides(content_dir=content, use_render_cache=False, site_env="production"))
    assert [problem.message for problem in production.value.problems] == [
        "owner 'Guide team' still has the example address guide-team@example.org in data/owners.yml"
    ]


@pytest.mark.parametrize("overdue, refused", [(30, False), (31, True)], ids=["on-the-last-day", "a-day-past"])
def test_a_page_exactly_the_grace_period_overdue_still_builds_and_a_day_more_does_not(
    settings, write_content, overdue, refused
):
    content = write_content({"a.md": page("A", "/a/", owner="Data team", review_due=days_from_today(-overdue))})
    production = settings.with_overrides(content_dir=content, site_env="production", use_render_cache=False)
    if not refused:
        assert load_guide(production)
        return
    with pytest.raises(ContentError) as caught:
        load_guide(production)
    assert [problem.message for problem in caught.value.problems] == [
        f"review_due {days_from_today(-31)} passed 31 days ago, more than the 30 a production build allows "
        "(REVIEW_GRACE_DAYS): review the page, then set last_reviewed and review_due"
    ]
