"""Facts with their sources: a page quotes a figure from content/data/facts.yml with `{fact:NAME}`, ends with the
sources of what it quotes, and a fact without a value, source or check date, or a name nobody defined, stops the
build with its file and line."""

import pytest
from conftest import page

from migration_guide.config import Settings
from migration_guide.content.facts import stale
from migration_guide.content.loading import load_guide
from migration_guide.content.problems import ContentError
from migration_guide.pages.app import create_app

FACT = """\
linkage-key-expiry:
  value: 2 weeks
  source:
    title: NHS App troubleshooting guide
    url: https://digital.nhs.uk/services/nhs-app/
  checked: 2026-06-01
"""


@pytest.fixture
def settings(tmp_path):
    return Settings.from_environment(instance_dir=tmp_path / "instance")


def guide_with(settings, write_content, facts: str, body: str, **front):
    content = write_content({"guide.md": page("Guide", "/guide/", body, **front), "data/facts.yml": facts})
    return load_guide(settings.with_overrides(content_dir=content)), content


def problems_of(settings, write_content, facts: str, body: str, **front) -> list[str]:
    with pytest.raises(ContentError) as caught:
        guide_with(settings, write_content, facts, body, **front)
    return [str(problem).split("content/", 1)[1] for problem in caught.value.problems]


def test_a_page_quotes_a_fact_as_plain_text(settings, write_content):
    guide, _ = guide_with(settings, write_content, FACT, "A key expires {fact:linkage-key-expiry} after printing.")
    assert "A key expires 2 weeks after printing." in guide.pages["/guide/"].html


def test_an_unknown_fact_names_the_file_and_line(settings, write_content):
    assert problems_of(settings, write_content, FACT, "Line one.\n\nIt lasts {fact:linkage-key-expires}.") == [
        "guide.md:7: {fact:linkage-key-expires}: no fact 'linkage-key-expires' in data/facts.yml "
        "(known: linkage-key-expiry)"
    ]


def test_a_fact_without_a_source_or_a_check_date_names_its_line_in_the_facts_file(settings, write_content):
    facts = FACT + "dspt-deadline:\n  value: 30 June\n"
    assert problems_of(settings, write_content, facts, "Text.") == [
        "data/facts.yml:7: fact dspt-deadline has no source with a title and an http(s) url, "
        "no checked date (YYYY-MM-DD)"
    ]


def test_a_broken_source_in_front_matter_names_the_page_and_line(settings, write_content):
    problems = problems_of(settings, write_content, FACT, "Text.", sources="[{title: No address}]")
    assert problems == ["guide.md:4: each of sources: needs a title and an http(s) url"]


def test_each_guide_page_ends_with_the_sources_of_the_facts_it_quotes_and_those_it_names():
    app = create_app(Settings.from_environment())
    html = app.test_client().get("/guide/telling-patients/").get_data(as_text=True)
    sources = html.split('<h2 id="sources">Sources</h2>', 1)[1].split("</ul>", 1)[0]
    assert (
        'href="https://digital.nhs.uk/services/nhs-app/resources/trouble-shooting-guide/manage-patient-accounts"'
        in sources
    )
    assert "NHS App troubleshooting guide for GP practice staff" in sources


def test_a_page_that_names_sources_lists_them_after_the_facts_it_quotes(settings, write_content):
    guide, _ = guide_with(
        settings,
        write_content,
        FACT,
        "It lasts {fact:linkage-key-expiry}.",
        sources="[{title: ICO guidance, url: 'https://ico.org.uk/for-organisations/'}]",
    )
    titles = [source.title for source in guide.sources_of(guide.pages["/guide/"])]
    assert titles == ["NHS App troubleshooting guide", "ICO guidance"]


def test_a_fact_last_checked_longer_ago_than_the_setting_is_stale(settings, write_content):
    from datetime import date

    guide, _ = guide_with(settings, write_content, FACT, "Text.")
    assert [fact.name for fact in stale(guide.facts, date(2026, 12, 1), 183)] == []
    assert [fact.name for fact in stale(guide.facts, date(2026, 12, 3), 183)] == ["linkage-key-expiry"]


def test_every_fact_of_the_real_guide_has_a_source_and_a_check_date(tmp_path):
    guide = load_guide(Settings.from_environment(instance_dir=tmp_path))
    assert len(guide.facts) >= 5
    for fact in guide.facts.values():
        assert fact.source.url.startswith("https://") and fact.checked, fact.name


def test_guide_review_lists_facts_checked_longer_ago_than_the_setting_with_the_pages_and_owners_that_quote_them(
    write_content, monkeypatch
):
    from datetime import date, timedelta

    from click.testing import CliRunner

    from migration_guide.cli import main

    old = (date.today() - timedelta(days=200)).isoformat()
    recent = (date.today() - timedelta(days=10)).isoformat()
    facts = FACT.replace("2026-06-01", old) + FACT.replace("linkage-key-expiry", "dspt-deadline").replace(
        "2026-06-01", recent
    )
    content = write_content(
        {
            "guide.md": page("Guide", "/guide/", "It lasts {fact:linkage-key-expiry}.", owner="Guide team"),
            "data/facts.yml": facts,
        }
    )
    result = CliRunner().invoke(main, ["review", "--content", str(content)])
    assert result.exit_code == 0, result.output
    assert "linkage-key-expiry" in result.output and "/guide/ (Guide team)" in result.output
    assert "dspt-deadline" not in result.output
    assert "1 fact(s) last checked more than 183 days ago (FACT_MAX_AGE_DAYS)" in result.output

    monkeypatch.setenv("FACT_MAX_AGE_DAYS", "365")
    result = CliRunner().invoke(main, ["review", "--content", str(content)])
    assert "No fact was last checked more than 365 days ago." in result.output
