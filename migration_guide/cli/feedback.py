"""`guide feedback …`: what readers said about each section."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import Settings
from ..content.problems import ContentError
from ..forms import feedback
from .common import fail_with_problems, iso_date, open_database, print_table, printable


@click.group("feedback")
def feedback_group():
    """Section feedback from readers."""


@feedback_group.command("report")
@click.option("--since", callback=iso_date, help="Only answers from this date (YYYY-MM-DD).")
@click.option("--format", "output", type=click.Choice(["table", "csv", "html"]), default="table", show_default=True)
@click.option(
    "--output",
    "output_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of printing it.",
)
@click.option("--content", "content_dir", type=click.Path(file_okay=False, path_type=Path), help="Content folder.")
def feedback_report(since, output, output_file, content_dir):
    """Yes, no and % helpful per page and section, with comments; flags sections that need review.

    --format html writes one self-contained page with charts, each beside its table: helpfulness by
    section, and each flagged section before and since its page last changed.
    """
    if output_file and output == "table":
        raise click.UsageError("--output writes the csv or html format: add --format csv or --format html")
    sections = feedback.report(open_database(), since)
    if output == "html":
        text = _html(sections, since, content_dir)
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
    rows = [[s.page, s.section, s.yes, s.no, f"{s.helpful_percent}%", "REVIEW" if s.flagged else ""] for s in sections]
    print_table(["page", "section", "yes", "no", "helpful", "flag"], rows)
    flagged = sum(s.flagged for s in sections)
    click.echo(
        f"\n{len(sections)} sections, {flagged} flagged for review "
        f"(at least {feedback.FLAG_MIN_NO} 'no' answers, and at least half 'no')."
    )
    for s in sections:
        if s.comments:
            click.echo(f"\n{printable(s.page)}#{printable(s.section)}:")
            for comment in s.comments:
                click.echo("  - " + printable(" ".join(comment.split())))


def _html(sections, since, content_dir) -> str:
    """The HTML report, with page titles, section headings and each page's current version from the guide."""
    from ..content.loading import load_guide
    from ..web.manifest import SiteManifest
    from .feedback_report import html_report

    settings = Settings.from_environment(content_dir=content_dir)
    try:
        guide = load_guide(settings)
    except ContentError as error:
        fail_with_problems(error)
    return html_report(sections, SiteManifest.from_guide(guide, settings.base_path).pages, since)
