"""`guide review`: the pages whose review date has passed or is near, and the facts not checked for a while,
each with the owners who must act."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..config import Settings
from ..content.facts import quoted, stale
from ..content.ownership import Review, due_within
from .common import plural, print_table


@click.command()
@click.option("--within", default=30, show_default=True, type=click.IntRange(min=0), help="Days ahead to look.")
@click.option("--content", "content_dir", type=click.Path(file_okay=False, path_type=Path), help="Content folder.")
def review(within: int, content_dir):
    """Pages whose review_due has passed or falls within the next DAYS, with owner and last review; then facts
    last checked longer ago than FACT_MAX_AGE_DAYS, with the pages that quote them."""
    from ..content.fact_files import read_facts
    from ..content.loading import read_pages

    settings = Settings.from_environment(content_dir=content_dir)
    today = date.today()
    pages = read_pages(settings.content_dir)
    reviews = [Review.of(page, settings.content_dir) for page in pages]
    due = due_within(reviews, today, within)
    if not due:
        click.echo(f"No page is due for review in the next {within} days.")
    else:
        _print_pages(due, today, settings)
    facts = read_facts(settings.content_dir, [])
    if not facts:
        return  # a guide without a facts file has no facts to check
    old = stale(facts, today, settings.fact_max_age_days)
    if not old:
        click.echo(f"No fact was last checked more than {settings.fact_max_age_days} days ago.")
        return
    rows = []
    for fact in old:
        quoting = [page for page in pages if fact.name in quoted(page.body)]
        where = "; ".join(f"{page.permalink} ({page.meta.get('owner') or 'no owner'})" for page in quoting)
        rows.append([fact.name, fact.checked, fact.source.url, where or "(no page)"])
    click.echo("")
    print_table(["fact", "last checked", "source", "quoted on (owner)"], rows)
    click.echo(
        f"\n{len(old)} fact(s) last checked more than {settings.fact_max_age_days} days ago (FACT_MAX_AGE_DAYS): "
        "check each against its source and update checked: in content/data/facts.yml."
    )


def _print_pages(due: list[Review], today: date, settings: Settings) -> None:
    """The pages due for review as a table, most overdue first, and what a production build does about them."""
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
