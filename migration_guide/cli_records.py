"""`guide feedback …`: reading what readers sent us. (Help requests and the outbox join here.)"""

from __future__ import annotations

from datetime import date

import click

from . import feedback
from .config import Settings
from .store import Database


def open_database() -> Database:
    settings = Settings.from_environment()
    return Database(settings.database_url, settings.instance_dir / "guide.sqlite3")


def iso_date(ctx, param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter("use the form YYYY-MM-DD, for example 2026-11-01")


def print_table(headers: list[str], rows: list[list]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    for row in [headers, ["-" * width for width in widths], *rows]:
        click.echo("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())


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
    click.echo(f"\n{len(sections)} sections, {flagged} flagged for review "
               f"(at least {feedback.FLAG_MIN_NO} 'no' answers, and at least half 'no').")
    for s in sections:
        if s.comments:
            click.echo(f"\n{s.page}#{s.section}:")
            for comment in s.comments:
                click.echo("  - " + " ".join(comment.split()))
