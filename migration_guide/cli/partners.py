"""`guide partners …`: the delivery-partner directory, imported from the team's list and checked."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import yaml

from ..config import Settings
from ..content.directory import Directory, Partner
from ..content.partner_list import PartnerListError, read_partner_list, replace_directory
from .common import print_table

content_option = click.option(
    "--content", "content_dir", type=click.Path(file_okay=False, path_type=Path), help="Content folder."
)


def load_directory(settings: Settings) -> Directory:
    data_dir = settings.content_dir / "data"
    data = {
        name: yaml.safe_load((data_dir / f"{name}.yml").read_text(encoding="utf-8"))
        for name in ("icbs", "delivery_partners")
        if (data_dir / f"{name}.yml").is_file()
    }
    return Directory.from_data(data, Partner.fallback(settings.fallback_partner_email))


@click.group("partners")
def partners_group():
    """The delivery partners that take help requests, one for each ICB."""


@partners_group.command("import")
@click.argument("list_file", metavar="FILE.csv", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@content_option
def partners_import(list_file: Path, content_dir):
    """Replace the directory with FILE.csv (icb_code,partner_name,email[,phone][,reply_within_working_days])."""
    settings = Settings.from_environment(content_dir=content_dir)
    try:
        text = list_file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        click.secho(f"{list_file} is not UTF-8 text ({error}): save it as 'CSV UTF-8'. Nothing changed.", fg="red")
        sys.exit(1)
    try:
        partner_list = read_partner_list(text, load_directory(settings))
    except PartnerListError as error:
        click.secho(f"{list_file} has {len(error.problems)} problem(s); nothing changed:", fg="red", err=True)
        for problem in error.problems:
            click.echo(f"  {list_file}: {problem}", err=True)
        sys.exit(1)
    directory = replace_directory(settings.content_dir / "data", partner_list)
    click.echo(
        f"Imported {len(partner_list.routes)} ICB(s) and {len(partner_list.partners)} delivery partner(s) "
        f"into {settings.content_dir / 'data'}."
    )
    left = [icb for icb in directory.active_icbs() if icb.code not in partner_list.routes]
    if left:
        click.secho(
            f"{len(left)} active ICB(s) have no partner, so their requests go to the fallback "
            f"({settings.fallback_partner_email}) and a production build fails: " + ", ".join(icb.code for icb in left),
            fg="yellow",
        )


@partners_group.command("check")
@content_option
def partners_check(content_dir):
    """Every active ICB with its route; says which have none or an example address."""
    settings = Settings.from_environment(content_dir=content_dir)
    directory = load_directory(settings)
    rows = []
    for icb in directory.active_icbs():
        partner = directory.partner_for(icb.code)
        route = partner or directory.fallback
        if partner is None:
            note = "NO PARTNER: goes to the fallback"
        elif partner.is_example:
            note = "EXAMPLE address"
        else:
            note = ""
        rows.append([icb.code, icb.name, route.name, route.email, note])
    print_table(["ICB", "name", "route", "email", "problem"], rows)
    fallback = directory.fallback
    click.echo(
        f"\nFallback (FALLBACK_PARTNER_EMAIL): {fallback.email}"
        + (" (an example address: set the real one)" if fallback.is_example else "")
    )
    problems = directory.problems(production=True)
    if problems:
        click.secho(f"\n{len(problems)} problem(s) a production build refuses:", fg="red")
        for problem in problems:
            click.echo(f"  {problem}")
        sys.exit(1)
    click.echo(f"\nAll {len(rows)} active ICBs route to a real delivery partner.")
