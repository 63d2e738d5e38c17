"""What the `guide` commands share: the settings, the form store, dates and tables on the terminal."""

from __future__ import annotations

import sys
import unicodedata
from datetime import date

import click

from ..config import Settings
from ..content.ownership import Review
from ..content.problems import ContentError
from ..forms.store import Database


def open_database(settings: Settings | None = None) -> Database:
    return Database.from_settings(settings or Settings.from_environment())


def iso_date(ctx, param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter("use the form YYYY-MM-DD, for example 2026-11-01") from None


def printable(value) -> str:
    """Text from a reader, safe to print on a terminal: control and direction characters are shown as
    escapes (`\\u001b`), never obeyed."""
    return "".join(
        character if unicodedata.category(character) not in ("Cc", "Cf", "Zl", "Zp") else f"\\u{ord(character):04x}"
        for character in str(value)
    )


def print_table(headers: list[str], rows: list[list]) -> None:
    rows = [[printable(cell) for cell in row] for row in rows]
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
    for row in [headers, ["-" * width for width in widths], *rows]:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def fail_with_problems(error: ContentError) -> None:
    click.secho(f"The content has {len(error.problems)} problem(s):", fg="red", err=True)
    for problem in error.problems:
        click.echo(f"  {problem}", err=True)
    sys.exit(1)


def warn_overdue(reviews: list[Review], grace_days: int) -> None:
    """Pages past their review date: a warning now, a failed production build after `grace_days`."""
    if not reviews:
        return
    click.secho(
        f"Warning: {len(reviews)} page(s) overdue for review (a production build fails after {grace_days} days):",
        fg="yellow",
        err=True,
    )
    today = date.today()
    for review in reviews:
        click.echo(
            f"  {review.source}: review_due {review.due} ({plural(review.days_overdue(today), 'day')} ago), "
            f"owner {review.owner or 'not set'}",
            err=True,
        )
