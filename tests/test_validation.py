"""Bad content is refused with every problem listed, each naming its file and, where there is one, its line."""

import pytest
from conftest import page

from migration_guide.content.loading import load_guide
from migration_guide.content.problems import ContentError


def problems_for(settings, write_content, files) -> list[str]:
    content = write_content(files)
    with pytest.raises(ContentError) as caught:
        load_guide(settings.with_overrides(content_dir=content))
    return [str(problem).replace(str(content) + "/", "") for problem in caught.value.problems]


def test_invalid_yaml_names_the_file_and_line(settings, write_content):
    problems = problems_for(settings, write_content, {"bad.md": "---\ntitle: A\npermalink: [unclosed\n---\nBody\n"})
    assert len(problems) == 1
    assert problems[0].startswith("bad.md:3: front matter is not valid YAML")


def test_missing_title_and_permalink(settings, write_content):
    problems = problems_for(settings, write_content, {"a.md": "---\nlayout: page\n---\nBody\n"})
    assert problems == ["a.md:1: front matter is missing title and permalink"]


def test_duplicate_permalinks_name_both_files(settings, write_content):
    problems = problems_for(
        settings,
        write_content,
        {
            "a.md": page("A", "/same/"),
            "b.md": page("B", "/same"),
        },
    )
    assert problems == ["b.md:3: permalink /same/ is also used by a.md"]


def test_unknown_layout(settings, write_content):
    problems = problems_for(settings, write_content, {"a.md": page("A", "/a/", layout="fancy")})
    assert problems == [
        "a.md:4: unknown layout 'fancy' (use one of: home, page, guide, page_with_sidebar, checklist, checklists)"
    ]


def test_front_matter_references_to_no_page(settings, write_content):
    problems = problems_for(
        settings,
        write_content,
        {
            "a.md": page("A", "/a/", nextpage="/nowhere/", previouspage="/gone", breadcrumbparent="/lost/"),
        },
    )
    assert problems == [
        "a.md:4: nextpage /nowhere/ is not the permalink of any page",
        "a.md:5: previouspage /gone is not the permalink of any page",
        "a.md:6: breadcrumbparent /lost/ is not the permalink of any page",
    ]


def test_links_to_no_page_and_to_missing_headings_name_the_line(settings, write_content):
    problems = problems_for(
        settings,
        write_content,
        {
            "a.md": page(
                "A",
                "/a/",
                "Intro.\n\nSee [b](/b/#missing).\n\nAnd [c](/prm-practice-migration/c).\n\nFine: [b](/b#there).",
            ),
            "b.md": page("B", "/b/", "## There {#there}"),
        },
    )
    assert problems == [
        "a.md:7: link to /b/#missing: b.md has no heading with the id 'missing'",
        "a.md:9: link to /prm-practice-migration/c: no page has the permalink /c/",
    ]


def test_step_title_urls_and_empty_steps_groups(settings, write_content):
    problems = problems_for(
        settings,
        write_content,
        {
            "a.md": page("A", "/a/", ":::steps phases\n:::"),
            "steps/phases/01.md": "---\ntitle: One\norder: 1\ntitle_url: /nowhere#x\n---\nText.\n",
            "steps/empty/readme.txt": "no steps here",
        },
    )
    assert "steps/empty: steps group has no steps" in problems
    assert "steps/phases/01.md: title_url: link to /nowhere#x: no page has the permalink /nowhere/" in problems


def test_every_problem_is_listed_not_just_the_first(settings, write_content):
    problems = problems_for(
        settings,
        write_content,
        {
            "a.md": page("A", "/a/", "[x](/x/)\n\n:::mystery\n:::"),
            "b.md": "---\ntitle: B\n---\n",
            "c.md": "---\n: : :\n---\n",
        },
    )
    assert len(problems) == 4
    assert {p.split(":")[0] for p in problems} == {"a.md", "b.md", "c.md"}


def test_navigation_to_no_page(settings, write_content):
    problems = problems_for(
        settings,
        write_content,
        {
            "a.md": page("A", "/a/"),
            "data/navigation.yml": "header:\n  - text: Gone\n    href: /gone/\n",
        },
    )
    assert problems == ["data/navigation.yml: link to /gone/: no page has the permalink /gone/"]


def test_a_timing_written_out_instead_of_quoted_from_the_timeline_names_its_line(settings, write_content):
    problems = problems_for(
        settings,
        write_content,
        {
            "a.md": page(
                "A", "/a/", "Intro.\n\nIt happens about 10 weeks before go-live.\n\nThen 2 to 3 weeks after go-live."
            ),
        },
    )
    assert [problem.split(":")[:2] for problem in problems] == [["a.md", "7"], ["a.md", "9"]]
    assert "'10 weeks before go-live' states a phase's timing" in problems[0]
    assert "{phase:SLUG.when}" in problems[0]


def test_a_link_to_an_old_address_that_redirects_is_refused_naming_the_page_to_link_to(settings, write_content):
    files = {
        "new.md": page("New", "/new/", redirect_from="[/old/]"),
        "a.md": page("A", "/a/", "See [the new page](/old/)."),
    }
    assert problems_for(settings, write_content, files) == [
        "a.md:5: link to /old/ goes through a redirect; link to /new/ instead"
    ]


@pytest.mark.parametrize(
    "timing", ["2–3 weeks before go-live", "2-3 weeks after go-live", "2 to 3 weeks before go-live"]
)
def test_a_range_of_weeks_written_out_with_a_dash_or_to_is_refused_like_a_single_timing(
    settings, write_content, timing
):
    problems = problems_for(settings, write_content, {"a.md": page("A", "/a/", f"Do it {timing}.")})
    assert problems == [
        f"a.md:5: '{timing}' states a phase's timing: quote the timeline with {{phase:SLUG.when}} "
        "(see docs/authoring.md) so the page and the planner cannot disagree"
    ]
