import pytest

from migration_guide.config import PROJECT_ROOT
from migration_guide.content.rendering import MarkdownRenderer

STEPS = {
    "phases": [
        {
            "title": "Kick <off>",
            "title_url": "/guide/kick-off#start",
            "duration": "1 day",
            "body": "Meet [everyone](/glossary).",
        },
    ]
}


@pytest.fixture
def renderer():
    return MarkdownRenderer(PROJECT_ROOT / "templates", base_path="/prefix", steps=STEPS)


def test_an_explicit_heading_id_is_kept_exactly(renderer):
    page = renderer.render("## Decommission the old system {#decommission-the-existingold-system-system}")
    assert 'id="decommission-the-existingold-system-system"' in page.html
    assert page.headings[0].id == "decommission-the-existingold-system-system"


def test_headings_without_ids_get_stable_distinct_slugs(renderer):
    page = renderer.render("## Tasks include\n\ntext\n\n## Tasks include\n\nmore")
    assert [heading.id for heading in page.headings] == ["tasks-include", "tasks-include_1"]
    assert renderer.render("## Tasks include").headings[0].id == "tasks-include"


def test_each_section_heading_has_a_keyboard_and_screen_reader_friendly_link(renderer):
    page = renderer.render("## Check dates {#check-dates}\n\n### Secure dates {#secure}\n\n#### Not linked {#deep}")
    assert (
        '<a class="app-heading-link" data-pagefind-ignore="all" href="#check-dates">'
        '<span class="nhsuk-u-visually-hidden">Link to the section: Check dates</span>'
        '<span aria-hidden="true">#</span></a>' in page.html
    )
    assert 'href="#secure"' in page.html
    assert 'href="#deep"' not in page.html


def test_internal_links_are_rewritten_to_canonical_urls_under_the_base_path(renderer):
    page = renderer.render("[a](/guide/kick-off#check-dates) [b](/prm-practice-migration/guide) [c](/glossary/)")
    assert 'href="/prefix/guide/kick-off/#check-dates"' in page.html
    assert 'href="/prefix/guide/"' in page.html
    assert 'href="/prefix/glossary/"' in page.html
    assert [(link.path, link.fragment) for link in page.links] == [
        ("/guide/kick-off/", "check-dates"),
        ("/guide/", ""),
        ("/glossary/", ""),
    ]


def test_external_links_stay_as_written(renderer):
    page = renderer.render("[x](https://digital.nhs.uk/services/a-b?c=1&d=2#e) [y](//cdn.example.com/z)")
    assert 'href="https://digital.nhs.uk/services/a-b?c=1&amp;d=2#e"' in page.html  # the same URL, HTML-encoded
    assert 'href="//cdn.example.com/z"' in page.html
    assert page.links == []


def test_inset_warning_and_details_use_the_nhsuk_components(renderer):
    page = renderer.render(
        ":::inset Lesson learnt\nAsk **early**.\n:::\n\n:::warning\nDo not post-date.\n:::\n\n"
        ":::details What is IDP?\nThe first load.\n:::"
    )
    assert '<div class="nhsuk-inset-text">' in page.html
    assert "<p><strong>Lesson learnt</strong></p><p>Ask <strong>early</strong>.</p>" in page.html
    assert "nhsuk-card--warning" in page.html and "Important" in page.html
    assert '<details class="nhsuk-details">' in page.html and "What is IDP?" in page.html


def test_action_links_and_buttons_take_one_markdown_link(renderer):
    page = renderer.render(
        ":::action-link\n[Read the guide](/guide)\n:::\n\n:::button\n[Get help](https://example.com/help)\n:::"
    )
    assert 'class="nhsuk-action-link" href="/prefix/guide/"' in page.html
    assert 'class="nhsuk-button"' in page.html and 'href="https://example.com/help"' in page.html
    assert page.links[0].path == "/guide/"


def test_the_steps_block_lists_each_step_linking_to_its_title_url(renderer):
    page = renderer.render(":::steps phases\n:::")
    assert '<ol class="app-timeline" data-steps-group="phases">' in page.html
    assert '<a href="/prefix/guide/kick-off/#start">Kick &lt;off&gt;</a>' in page.html
    assert 'href="/prefix/glossary/"' in page.html
    assert page.steps_groups == ["phases"]


def test_component_titles_are_escaped(renderer):
    page = renderer.render(':::details <script>alert("x")</script>\nBody.\n:::')
    assert "<script>" not in page.html
    assert "&lt;script&gt;" in page.html


@pytest.mark.parametrize(
    "markdown, message",
    [
        (":::callout\nx\n:::", "unknown component ':::callout'"),
        ("text\n\n:::inset\nnever closed", "is never closed"),
        (":::details\nbody\n:::", "needs a title"),
        (":::steps nowhere\n:::", "steps group 'nowhere' has no steps"),
        (":::action-link\nnot a link\n:::", "must hold one Markdown link"),
    ],
)
def test_component_mistakes_are_reported_with_their_line(renderer, markdown, message):
    problems = renderer.render(markdown).problems
    assert len(problems) == 1
    line, text = problems[0]
    assert message in text
    assert (
        line == markdown.splitlines().index(next(line for line in markdown.splitlines() if line.startswith(":::"))) + 1
    )


def test_tables_are_nhsuk_responsive_tables_that_stack_on_phones(renderer):
    page = renderer.render("| Phase | Length |\n|---|---|\n| Kick-off | 1 day after go-live, [see](/guide/) |")
    assert '<table class="nhsuk-table nhsuk-table--responsive" role="table">' in page.html
    assert '<thead class="nhsuk-table__head" role="rowgroup">' in page.html
    assert '<th class="nhsuk-table__header" role="columnheader" scope="col">Length</th>' in page.html
    heading = '<span aria-hidden="true" class="nhsuk-table__heading">{} </span>'
    assert f'<td class="nhsuk-table__cell" role="cell">{heading.format("Phase")}<span>Kick-off</span></td>' in page.html
    # "go-live" never breaks at its hyphen in a narrow cell (a non-breaking hyphen, U+2011).
    cell = f'{heading.format("Length")}<span>1 day after go\u2011live, <a href="/prefix/guide/">see</a></span>'
    assert cell in page.html


PHASES = {
    "key-phases": [
        {
            "title": "Initial data production",
            "title_url": "/guide/idp",
            "duration": "1 day",
            "body": "Load.",
            "when": "10 weeks before go-live",
            "slug": "initial-data-production",
            "facts": {"when": "10 weeks before go-live", "duration": "1 day", "lead_time": "up to 5 weeks"},
        }
    ]
}


def test_a_page_quotes_a_phase_fact_as_plain_text():
    renderer = MarkdownRenderer(PROJECT_ROOT / "templates", steps=PHASES)
    page = renderer.render(
        "It happens {phase:initial-data-production.when} and takes {phase:initial-data-production.duration}.\n\n"
        ":::inset\nAsk early: extracts take {phase:initial-data-production.lead_time}.\n:::"
    )
    assert "It happens 10 weeks before go-live and takes 1 day." in page.html
    assert "extracts take up to 5 weeks." in page.html
    assert "{phase:" not in page.html and page.problems == []


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("{phase:idp.when}", "no key phase 'idp' (known: initial-data-production)"),
        ("{phase:initial-data-production.length}", "phase 'initial-data-production' has no 'length'"),
    ],
)
def test_a_phase_fact_that_does_not_exist_is_a_problem_on_its_line(token, message):
    renderer = MarkdownRenderer(PROJECT_ROOT / "templates", steps=PHASES)
    page = renderer.render(f"Intro.\n\nIt happens {token}.")
    assert len(page.problems) == 1
    line, text = page.problems[0]
    assert line == 3 and message in text
