"""`guide feedback …`: what readers said about each section.

Every format (table, CSV, HTML) reads the guide for each page's current version and uses
`feedback.report`, the rule the owners' digest uses too: what needs review is decided once.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..config import Settings
from ..content.problems import ContentError
from ..forms import feedback
from .common import fail_with_problems, iso_date, open_database, print_table, printable

RULE = (
    f"at least {feedback.REVIEW_MIN_ANSWERS} answers since the page last changed, "
    f"and fewer than {feedback.REVIEW_HELPFUL_BELOW:.0%} of them helpful"
)


@click.group("feedback")
def feedback_group():
    """Section feedback from readers."""


@feedback_group.command("report")
@click.option("--since", callback=iso_date, help="Only answers from this date (YYYY-MM-DD).")
@click.option("--format", "output", type=click.Choice(["table", "csv", "html"]), default="table", show_default=True)
@click.option("--owner", help="Only the pages this owner looks after (their name as in the pages' front matter).")
@click.option(
    "--output",
    "output_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of printing it.",
)
@click.option("--content", "content_dir", type=click.Path(file_okay=False, path_type=Path), help="Content folder.")
def feedback_report(since, output, owner, output_file, content_dir):
    """Answers and % helpful per page and section, since and before each page last changed, with comments;
    flags the sections that need review, most in need first.

    --format html writes one self-contained page with charts, each beside its table: helpfulness by
    section, and each flagged section before and since its page last changed.
    """
    from ..content.loading import load_guide
    from ..web.manifest import SiteManifest

    if output_file and output == "table":
        raise click.UsageError("--output writes the csv or html format: add --format csv or --format html")
    settings = Settings.from_environment(content_dir=content_dir)
    try:
        pages = SiteManifest.from_guide(load_guide(settings), settings.base_path).pages
    except ContentError as error:
        fail_with_problems(error)
    if owner is not None:
        owners = {page.owner for page in pages.values()}
        if owner not in owners:
            raise click.BadParameter(f"no page is owned by {owner!r}; owners: {', '.join(sorted(owners - {''}))}")
    sections = feedback.report(open_database(settings), {p: page.version for p, page in pages.items()}, since)
    if owner is not None:
        sections = [s for s in sections if s.page in pages and pages[s.page].owner == owner]
    if output == "html":
        from .feedback_report import html_report

        text = html_report(sections, pages, since, owner=owner)
    elif output == "csv":
        text = feedback.report_csv(sections)
    else:
        text = None
    if text is not None:
        if output_file:
            output_file.write_text(text, encoding="utf-8")
            click.echo(f"Wrote the {output} report to {output_file}.", err=True)
        else:
            click.echo(text, nl=False)
        return
    if not sections:
        click.echo("No feedback yet" + (f" since {since}" if since else "") + ".")
        return
    rows = [
        [
            s.page,
            s.section,
            _share(s.since),
            _share(s.before),
            "REVIEW" if s.needs_review else ("gone" if not s.in_guide else ""),
        ]
        for s in sections
    ]
    print_table(["page", "section", "since the change", "before the change", "flag"], rows)
    flagged = sum(s.needs_review for s in sections)
    click.echo(f"\n{len(sections)} sections, {flagged} flagged for review ({RULE}).")
    for s in sections:
        if s.comments:
            click.echo(f"\n{printable(s.page)}#{printable(s.section)}:")
            for comment in s.comments:
                when = "since" if comment.since_change else "before"
                click.echo(
                    f"  - {comment.date}, {comment.answer}, {when} the change: "
                    + printable(" ".join(comment.text.split()))
                )


def _share(tally: feedback.Tally) -> str:
    return f"{tally.helpful_percent}% of {tally.answers}" if tally.answers else "-"
