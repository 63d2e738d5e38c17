"""`guide feedback …`: what readers said about each section."""

from __future__ import annotations

import click

from ..forms import feedback
from .common import iso_date, open_database, print_table, printable


@click.group("feedback")
def feedback_group():
    """Section feedback from readers."""


@feedback_group.command("report")
@click.option("--since", callback=iso_date, help="Only answers from this date (YYYY-MM-DD).")
@click.option("--format", "output", type=click.Choice(["table", "csv"]), default="table", show_default=True)
def feedback_report(since, output):
    """Yes, no and % helpful per page and section, with comments; flags sections that need review."""
    sections = feedback.report(open_database(), since)
    if output == "csv":
        click.echo(feedback.report_csv(sections), nl=False)
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
