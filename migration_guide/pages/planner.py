"""The date planner at /plan/: every key phase, worked back from a go-live date.

The phases and their week offsets come from `content.phases`, the same data that draws the
timeline on /guide/. Without JavaScript the page shows the plan in weeks before go-live; with
it, `assets/js/planner.mjs` turns the same data (a JSON data block, not a script) into dates, a
calendar file and a CSV, all in the reader's browser. `content.phases` is the reference for
that arithmetic: the tests hold the browser's output to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, current_app, render_template

from ..content.links import is_internal, parse_internal
from ..content.model import Guide
from ..content.phases import GROUP, meeting, phases
from ..content.plan_warnings import QOF_WEEKS
from ..content.working_days import FIRST_YEAR, YEARS_AHEAD, bank_holidays, planner_years
from .views import current_guide

PATH = "/plan/"

blueprint = Blueprint("planner", __name__)


@dataclass(frozen=True)
class Role:
    value: str
    label: str
    checklist_href: str

    def as_data(self) -> dict:
        return {"value": self.value, "label": self.label, "checklistHref": self.checklist_href}


def roles(guide: Guide, base_path: str = "") -> list[Role]:
    """The roles the home page offers checklists for: one list of roles for the whole guide."""
    home = guide.pages.get("/")
    found = []
    for role in (home.meta.get("roles") or []) if home else []:
        href = str(role.get("href") or "")
        if role.get("title") and is_internal(href):
            link = parse_internal(href)
            found.append(Role(link.path.strip("/").replace("/", "-"), str(role["title"]), link.href(base_path)))
    return found


@blueprint.route(PATH)
def plan_page():
    guide = current_guide()
    base_path = current_app.config["SETTINGS"].base_path
    guide_phases = phases(guide, base_path)
    guide_roles = roles(guide, base_path)
    # The build writes England's bank holidays for every year a plan can touch, so the browser moves dates
    # and warns by the same days as Python, with no holiday list of its own.
    holidays = bank_holidays(planner_years(date.today()))
    guide_meeting = meeting(guide)
    data = {
        "phases": [phase.as_data() for phase in guide_phases],
        "roles": [role.as_data() for role in guide_roles],
        "bankHolidays": {day.isoformat(): name for day, name in sorted(holidays.items())},
        "meeting": guide_meeting.as_data() if guide_meeting else None,
        "firstYear": FIRST_YEAR,
        "yearsAhead": YEARS_AHEAD,
    }
    timeline = guide.section_showing(GROUP)
    return render_template(
        "planner.jinja",
        page=None,
        page_title="Plan your migration dates",
        phases=guide_phases,
        roles=guide_roles,
        plan_data=data,
        qof_weeks=QOF_WEEKS,
        meeting=guide_meeting,
        timeline_href=parse_internal(timeline).href(base_path) if timeline else "",
        breadcrumbs=[crumb for crumb in (guide.pages.get("/"), guide.pages.get("/guide/")) if crumb],
    )
