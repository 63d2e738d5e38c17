"""`guide review`: the pages whose review date has passed or is near, with their owners."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..config import Settings
from ..content.ownership import Review, due_within
from .common import plural, print_table


@click.command()
@click.option("--within", default=30, show_default=True, type=click.IntRange(min=0), help="Days ahead to look.")
@click.option("--content", "content_dir", type=click.Path(file_okay=False, path_type=Path), help="Content folder.")
def review(within: int, content_dir):
    """Pages whose review_due has passed or falls within the next DAYS, with owner and last review."""
    from ..content.loading import read_pages

    settings = Settings.from_environment(content_dir=content_dir)
    today = date.today()
    reviews = [Review.of(page, settings.content_dir) for page in read_pages(settings.content_dir)]
    due = due_within(reviews, today, within)
    if not due:
        click.echo(f"No page is due for review in the next {within} days.")
        return
    rows = []
    for r in due:
        days = r.days_overdue(today)
        status = (
            f"{plural(days, 'day')} overdue"
            if days > 0
            else "due today"
            if days == 0
            else f"due in {plural(-days, 'day')}"
        )
        rows.append([r.source, r.due, status, r.owner or "(no owner)", r.last_reviewed or "never"])
    print_table(["page", "review due", "status", "owner", "last reviewed"], rows)
    late = sum(r.days_overdue(today) > 0 for r in due)
    click.echo(
        f"\n{len(due)} page(s) due for review, {late} overdue; a production build fails on any more than "
        f"{settings.review_grace_days} days overdue (REVIEW_GRACE_DAYS)."
    )
