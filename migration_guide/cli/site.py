"""`guide serve`, `guide build`, `guide check` and `guide preview`: writing, making and trying the site.

Imports of the heavy layers wait until a command runs, so `guide --help` and the records
commands start fast.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from datetime import date
from pathlib import Path

import click

from ..config import Settings
from ..content.ownership import Review, overdue
from ..content.problems import ContentError
from .common import fail_with_problems, warn_overdue


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--content", "content_dir", type=click.Path(file_okay=False, path_type=Path), help="Content folder.")
def serve(host: str, port: int, content_dir):
    """Serve the guide, re-rendering pages when content or templates change, and reloading them in the browser."""
    from ..pages.app import create_app

    settings = Settings.from_environment(content_dir=content_dir)
    if not settings.content_dir.is_dir():
        click.secho(f"{settings.content_dir}: content folder not found", fg="red", err=True)
        sys.exit(1)
    app = create_app(settings, watch=True, on_problems=print_problems)
    if os.environ.get("WERKZEUG_RUN_MAIN") == "true":  # the reloader's child, which serves: report problems now
        app.extensions["guide_source"].guide  # noqa: B018 - loading it prints what is wrong
    app.run(
        host=host,
        port=port,
        debug=False,
        use_reloader=True,
        # Templates and styles are compiled when the server starts: a change restarts it (pages reload after).
        extra_files=[
            str(path)
            for folder, pattern in ((settings.templates_dir, "*.jinja"), (settings.assets_dir, "*.*"))
            for path in folder.rglob(pattern)
        ],
    )


def print_problems(problems: list, until_fixed: str = "those pages show them") -> None:
    """What `guide serve` and `guide build --watch` say after each change to the content: the problems, worst
    first, or that all is well."""
    if not problems:
        click.secho("The content has no problems.", fg="green", err=True)
        return
    click.secho(f"The content has {len(problems)} problem(s); {until_fixed} until fixed:", fg="red", err=True)
    for problem in problems:
        click.echo(f"  {problem}", err=True)


@click.command()
@click.option("--content", "content_dir", type=click.Path(file_okay=False, path_type=Path), help="Content folder.")
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default site/)."
)
@click.option("--base-path", default=None, help="Serve under this prefix, such as /prm-practice-migration.")
@click.option("--no-cache", is_flag=True, help="Render every page again instead of reusing cached pages.")
@click.option(
    "--watch", is_flag=True, help="Stay running, and build again each time a page, template or style is saved."
)
def build(content_dir, out_dir, base_path, no_cache, watch):
    """Freeze the whole guide to static files."""
    # A build makes few reference cycles and then exits, yet the cyclic collector would scan every object
    # imported and loaded, again and again: about a tenth of a small guide's build. `--watch` collects once
    # after each build instead.
    gc.disable()
    from ..publish.freeze import SiteBuilder, build_site

    settings = Settings.from_environment(
        content_dir=content_dir, out_dir=out_dir, base_path=base_path, use_render_cache=not no_cache
    )
    click.echo(f"Building {settings.content_dir} …")
    written = 0

    def progress(url: str) -> None:
        nonlocal written
        written += 1
        if written % 100 == 0:
            click.echo(f"  {written} files written", err=True)

    if watch:
        from ..publish.watch import watch as watch_folders

        builder = SiteBuilder(settings)

        def build_once() -> None:
            nonlocal written
            written = 0
            try:
                report = builder.build(on_progress=progress)
                warn_overdue(list(report.overdue), settings.review_grace_days)
                click.echo(report.summary())
            except ContentError as error:
                print_problems(error.problems, f"{settings.out_dir} keeps the last good build")
            finally:
                builder.settings = settings.with_overrides(use_render_cache=True)  # --no-cache: the first build only
                gc.collect()  # once the author has been told, while they read or type

        click.echo("Watching the content, templates, styles and code: press Ctrl+C to stop.", err=True)
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C ends the watch, not with a traceback
            watch_folders(settings, build_once)
        return

    try:
        report = build_site(settings, on_progress=progress)
    except ContentError as error:
        fail_with_problems(error)
    warn_overdue(list(report.overdue), settings.review_grace_days)
    click.echo(report.summary())
    # Python's exit still collects every object once, even with the collector off: frozen, the build's
    # objects are passed over (a tenth of a second at the guide's size).
    gc.freeze()


@click.command()
@click.option("--content", "content_dir", type=click.Path(file_okay=False, path_type=Path), help="Content folder.")
def check(content_dir):
    """Check every page, link and heading id without writing anything."""
    from ..content.loading import load_guide

    settings = Settings.from_environment(content_dir=content_dir, use_render_cache=False)
    try:
        guide = load_guide(settings)
    except ContentError as error:
        fail_with_problems(error)
    reviews = [Review.of(page, settings.content_dir) for page in guide.pages.values()]
    warn_overdue(overdue(reviews, date.today()), settings.review_grace_days)
    links = sum(len(page.rendered.links) for page in guide.pages.values())
    click.echo(f"{len(guide.pages)} pages and {links} internal links checked: no problems found")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8888, show_default=True, type=int)
@click.option(
    "--site", "site_dir", type=click.Path(file_okay=False, path_type=Path), help="Frozen site (default site/)."
)
def preview(host: str, port: int, site_dir):
    """Serve the frozen site as Netlify would (netlify.toml, _redirects, pretty URLs, 404.html), with /api/*."""
    from werkzeug.serving import run_simple

    from ..preview import create_preview_app

    settings = Settings.from_environment()
    site_dir = site_dir or settings.out_dir
    if not (site_dir / "index.html").is_file():
        click.secho(f"{site_dir} has no index.html: run 'guide build' first", fg="red", err=True)
        sys.exit(1)
    click.echo(f"Previewing {site_dir} at http://{host}:{port}/")
    run_simple(host, port, create_preview_app(site_dir, settings=settings), threaded=True)
