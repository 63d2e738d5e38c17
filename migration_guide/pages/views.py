"""Views for guide pages, their assets, the request-help page, the privacy notice, and the robots and sitemap files."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, redirect, render_template, send_from_directory

from ..content.checklists import Checklist
from ..content.links import APP_PAGES, LEGACY_BASE_PATH, canonical_path
from ..content.model import Guide, Page
from ..content.phases import meeting, phases
from ..content.working_days import bank_holidays, planner_years
from ..forms.views import new_help_form, render_help_form
from ..web.urls import absolute_url, page_url

blueprint = Blueprint("pages", __name__)


def current_guide() -> Guide:
    return current_app.extensions["guide_source"].guide


def render_problems(problems, status: int = 500):
    """While serving: the page an author sees instead of one whose content is broken."""
    source = current_app.extensions["guide_source"]
    listed = [(source.shown_path(problem), problem.line, problem.message) for problem in problems]
    return render_template("content-problems.jinja", problems=listed), status


def render_page(page: Page, status: int = 200):
    guide = current_guide()
    if problems := current_app.extensions["guide_source"].problems_of(page):
        return render_problems(problems)
    previous, following = guide.previous_and_next(page)
    extra = {}
    if page.layout == "checklist" and (checklist := guide.checklist_of(page)):
        extra = checklist_context(guide, checklist)
    elif page.layout == "checklists":
        extra = {"checklists": checklists_in_order(guide)}
    return render_template(
        f"layouts/{page.page_type.template}.jinja",
        page=page,
        guide=guide,
        breadcrumbs=guide.breadcrumbs(page),
        previous=previous,
        following=following,
        sidebar=guide.navigation.sidebar,
        **extra,
    ), status


def checklists_in_order(guide: Guide) -> list[Checklist]:
    """Every role's checklist, in the order the sidebar lists their pages (then by name)."""
    order = [permalink for section in guide.navigation.sidebar for permalink in section.permalinks]

    def position(checklist: Checklist) -> tuple[int, str]:
        page = canonical_path(checklist.page)
        return (order.index(page) if page in order else len(order), checklist.name)

    return sorted(guide.checklists.values(), key=position)


def checklist_context(guide: Guide, checklist: Checklist) -> dict:
    """What the checklist layout needs: each phase's timing and, for each item, where its link goes and what it is.

    The page's script reads the items from the page itself; the JSON data block carries only what
    the page does not show: each phase's week offsets, for the dates.
    """
    base_path = current_app.config["SETTINGS"].base_path
    by_slug = {phase.slug: phase for phase in phases(guide, base_path)}
    guide_meeting = meeting(guide)
    holidays = bank_holidays(planner_years(date.today()))
    shown = [(by_slug[phase.slug], phase) for phase in checklist.phases if phase.slug in by_slug]
    counts = {phase.slug: len(phase.items) for phase in checklist.phases}
    links = {
        item.id: (item.target.href(base_path), guide.link_title(item.link))
        for item in checklist.items
        if item.target is not None
    }
    data = {
        "name": checklist.name,
        "role": checklist.role,
        "page": page_url(checklist.page),
        "plan": page_url("/plan/"),
        # Every key phase, not only the checklist's: its calendar file carries the plan's own events and warnings.
        "phases": [{**timing.as_data(), "items": counts.get(timing.slug, 0)} for timing in by_slug.values()],
        "meeting": guide_meeting.as_data() if guide_meeting else None,
        # The same working days as the planner: England's bank holidays, written by the build.
        "bankHolidays": {day.isoformat(): name for day, name in sorted(holidays.items())},
    }
    return {
        "checklist": checklist,
        "checklist_phases": shown,
        "item_links": links,
        "checklist_data": data,
    }


@blueprint.route("/")
@blueprint.route("/<path:path>/")
def show(path: str = ""):
    guide = current_guide()
    permalink = canonical_path("/" + path)
    page = guide.pages.get(permalink)
    if page is not None:
        return render_page(page)
    if permalink in guide.redirects:
        return redirect(page_url(guide.redirects[permalink]), 301)
    abort(404)
    return None


@blueprint.route(f"{LEGACY_BASE_PATH}/")
@blueprint.route(f"{LEGACY_BASE_PATH}/<path:path>")
def legacy(path: str = ""):
    """The guide's first address: send readers to the same page here (netlify.toml does the same in production)."""
    return redirect(page_url("/" + path), 301)


@blueprint.route("/assets/<path:filename>")
def asset(filename: str):
    assets = current_app.extensions["assets"]
    immutable = filename in assets.manifest.values()
    return send_from_directory(assets.directory, filename, max_age=31536000 if immutable else 3600)


@blueprint.route("/sitemap.xml")
def sitemap():
    guide = current_guide()
    entries = sorted(
        # lastmod is when the page last changed (its newest change note), else when it was last reviewed.
        [
            (page.permalink, page.last_updated or page.last_reviewed)
            for page in guide.pages.values()
            if page.page_type.in_sitemap
        ]
        + [(path, None) for path in APP_PAGES if path not in guide.pages]
    )
    xml = render_template("sitemap.xml", entries=entries)
    return Response(xml, mimetype="application/xml")


@blueprint.route("/robots.txt")
def robots():
    settings = current_app.config["SETTINGS"]
    rules = ["User-agent: *", "Allow: /" if settings.allow_indexing else "Disallow: /"]
    if settings.allow_indexing:
        rules.append(f"Sitemap: {absolute_url('/sitemap.xml')}")
    return Response("\n".join(rules) + "\n", mimetype="text/plain")


@blueprint.app_errorhandler(404)
def not_found(error):
    # While serving, an address no page has may be a page whose file cannot be read: say why.
    if problems := current_app.extensions["guide_source"].problems_of(None):
        return render_problems(problems)
    return render_template("404.jinja"), 404


@blueprint.get("/privacy/")
def privacy():
    """The privacy notice: an app page, so the retention periods it states are the settings the code deletes by."""
    return render_template("privacy.jinja", cookies_page="/cookies/" in current_guide().pages)


@blueprint.get("/request-help/")
def request_help():
    """The help request form; it posts to `/api/request-help` (see `forms.views`)."""
    return render_help_form(new_help_form())
