"""`guide requests …`: help requests, with personal data: export them, and delete them once no longer needed."""

from __future__ import annotations

import io
import json

import click

from ..config import Settings
from ..forms import help_requests, outbox
from ..forms.spreadsheet import write_csv
from .common import iso_date, open_database


@click.group("requests")
def requests_group():
    """Help requests: export them, and delete them once they are no longer needed."""


@requests_group.command("export")
@click.option("--since", callback=iso_date, help="Only requests from this date (YYYY-MM-DD).")
@click.option("--format", "output", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
def requests_export(since, output):
    """Every stored request, with personal details, to standard output (formula-safe CSV or JSON)."""
    rows = help_requests.export(open_database(), since)
    if output == "json":
        # Escaped as \uXXXX: no C1, bidi or separator character a reader typed reaches the terminal raw.
        click.echo(json.dumps(rows, indent=2, ensure_ascii=True))
        return
    out = io.StringIO()
    columns = help_requests.export_columns()
    write_csv([columns] + [[row[column] for column in columns] for row in rows], out)
    click.echo(out.getvalue(), nl=False)


@requests_group.command("purge")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=0),
    default=None,
    help="Delete requests older than this many days (default: REQUEST_RETENTION_DAYS, 90).",
)
def requests_purge(days):
    """Delete old requests and their queued or sent email, for good."""
    settings = Settings.from_environment()
    days = settings.request_retention_days if days is None else days
    deleted = help_requests.purge(open_database(settings), days, outbox.outbox_dir(settings))
    click.echo(f"Deleted {deleted} request(s) older than {days} days.")
