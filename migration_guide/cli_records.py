"""`guide feedback …`, `guide requests …` and `guide outbox …`: what readers sent us, and the email we send."""

from __future__ import annotations

from datetime import date

import json

import click

from . import feedback, help_requests, outbox
from .config import Settings
from .store import Database


def open_database(settings: Settings | None = None) -> Database:
    settings = settings or Settings.from_environment()
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
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    import io

    out = io.StringIO()
    feedback.write_csv([help_requests.EXPORT_COLUMNS] + [[row[c] for c in help_requests.EXPORT_COLUMNS] for row in rows], out)
    click.echo(out.getvalue(), nl=False)


@requests_group.command("purge")
@click.option("--older-than", "days", type=click.IntRange(min=0), default=None,
              help="Delete requests older than this many days (default: REQUEST_RETENTION_DAYS, 90).")
def requests_purge(days):
    """Delete old requests and their queued or sent email, for good."""
    settings = Settings.from_environment()
    days = settings.request_retention_days if days is None else days
    deleted = help_requests.purge(open_database(settings), days)
    click.echo(f"Deleted {deleted} request(s) older than {days} days.")


@click.group("outbox")
def outbox_group():
    """Email about help requests: what is queued, sent or failed."""


@outbox_group.command("list")
def outbox_list():
    """Every message with its reference, recipient role, status and attempts."""
    rows = outbox.list_messages(open_database())
    if not rows:
        click.echo("The outbox is empty.")
        return
    print_table(["id", "reference", "to", "status", "attempts", "next try", "last error"],
                [[r["id"], r["reference"], r["recipient_role"], r["status"], r["attempts"],
                  r["next_attempt_at"][:16] if r["status"] == "queued" else "", r["last_error"]] for r in rows])


@outbox_group.command("retry")
def outbox_retry():
    """Send every queued message that is due now."""
    settings = Settings.from_environment()
    deliveries = outbox.deliver_due(open_database(settings), outbox.sender_for(settings))
    sent = sum(d.status == "sent" for d in deliveries)
    click.echo(f"Tried {len(deliveries)} message(s): {sent} sent, {len(deliveries) - sent} still queued or failed.")
