"""`guide digest`: the owners' weekly email, as the scheduled `functions/digest.py` sends it."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from ..config import Settings
from ..content.problems import ContentError
from .common import fail_with_problems, open_database, printable


@click.command()
@click.option("--dry-run", is_flag=True, help="Print what would be sent, and send nothing.")
@click.option("--content", "content_dir", type=click.Path(file_okay=False, path_type=Path), help="Content folder.")
def digest(dry_run: bool, content_dir):
    """Each page owner's flagged sections and overdue pages, one email per owner with something to hear."""
    from ..content.loading import load_guide
    from ..forms import digest as owners_digest
    from ..forms.outbox import sender_for
    from ..web.manifest import SiteManifest

    settings = Settings.from_environment(content_dir=content_dir)
    try:
        guide = load_guide(settings)
    except ContentError as error:
        fail_with_problems(error)
    today = date.today()
    manifest = SiteManifest.from_guide(guide, settings.base_path)
    digests = owners_digest.digests(
        open_database(settings), manifest, settings.site_url, today, settings.fact_max_age_days
    )
    if not digests:
        click.echo("Nothing to send: no flagged sections and no page overdue for review.")
        return
    if dry_run:
        for number, each in enumerate(digests, start=1):
            to = f"{each.owner} <{each.email}>" if each.email else f"{each.owner} (NO ADDRESS in data/owners.yml)"
            click.echo(f"{'=' * 72}\nEmail {number} of {len(digests)}, to {to}\n{'=' * 72}")
            for line in each.text(today).split("\n"):  # line by line: `printable` escapes line breaks
                click.echo(printable(line))
        click.echo(f"Dry run: {len(digests)} email(s) would be sent; nothing was sent.")
        return
    outcomes = owners_digest.send(digests, sender_for(settings), today)
    for outcome in outcomes:
        click.echo(f"{outcome.owner}: {outcome.status}")
    if any(outcome.status != "sent" for outcome in outcomes):
        sys.exit(1)
