"""The date planner at /plan/: every key phase, worked back from a go-live date.

The week offsets live in the front matter of `content/steps/key-phases/*.md`
(`starts_weeks_before_go_live`, `ends_weeks_before_go_live`; negative means after
go-live), the same files that draw the timeline on /guide/. Without JavaScript the
page shows the plan in weeks before go-live; with it, `assets/js/planner.mjs` turns
the same data (a JSON data block, not a script) into dates, a calendar file and a
CSV, all in the reader's browser. The functions here are the reference for that
arithmetic: the tests hold the browser's output to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from flask import Blueprint, current_app, render_template

from .urls import is_internal, parse_internal

if TYPE_CHECKING:
    from .content import Guide, Step

PATH = "/plan/"
GROUP = "key-phases"
START_KEY = "starts_weeks_before_go_live"
END_KEY = "ends_weeks_before_go_live"

blueprint = Blueprint("planner", __name__)


def is_week_offset(value) -> bool:
    """Whole weeks only: `True` is an int to Python but not a number of weeks."""
    return isinstance(value, int) and not isinstance(value, bool)


def describe_weeks(weeks: int) -> str:
    """'3 weeks before go-live', '1 week after go-live', 'at go-live'."""
    if weeks == 0:
        return "at go-live"
    count = abs(weeks)
    return f"{count} week{'' if count == 1 else 's'} {'before' if weeks > 0 else 'after'} go-live"


def describe_span(starts: int, ends: int) -> str:
    """When a phase happens, in words: '16 to 15 weeks before go-live', 'from go-live to 2 weeks after go-live'."""
    if starts == ends:
        return describe_weeks(starts)
    if starts > 0 and ends > 0:
        return f"{starts} to {ends} weeks before go-live"
    if starts < 0 and ends < 0:
        return f"{-starts} to {-ends} weeks after go-live"
    point = lambda weeks: "go-live" if weeks == 0 else describe_weeks(weeks)  # noqa: E731
    return f"from {point(starts)} to {point(ends)}"


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def phase_date(go_live: date, weeks_before: int) -> date:
    return go_live - timedelta(weeks=weeks_before)


@dataclass(frozen=True)
class Phase:
    title: str
    #: The guide section the phase links to, under the base path.
    href: str
    starts_weeks: int
    ends_weeks: int
    summary: str

    @property
    def when(self) -> str:
        return describe_span(self.starts_weeks, self.ends_weeks)

    @property
    def starts_text(self) -> str:
        return sentence_case(describe_weeks(self.starts_weeks))

    @property
    def ends_text(self) -> str:
        return sentence_case(describe_weeks(self.ends_weeks))

    def dates(self, go_live: date) -> tuple[date, date]:
        """First and last day of the phase (both inclusive)."""
        return phase_date(go_live, self.starts_weeks), phase_date(go_live, self.ends_weeks)

    def as_data(self) -> dict:
        return {"title": self.title, "href": self.href, "startsWeeks": self.starts_weeks,
                "endsWeeks": self.ends_weeks,
                "startsText": self.starts_text, "endsText": self.ends_text, "summary": self.summary}


@dataclass(frozen=True)
class Role:
    value: str
    label: str
    checklist_href: str

    def as_data(self) -> dict:
        return {"value": self.value, "label": self.label, "checklistHref": self.checklist_href}


def phases(guide: Guide, base_path: str = "") -> list[Phase]:
    """The key phases in timeline order. Validation guarantees their offsets are whole numbers."""
    return [_phase(step, base_path) for step in guide.steps.get(GROUP, [])]


def _phase(step: Step, base_path: str) -> Phase:
    href = parse_internal(step.title_url).href(base_path) if is_internal(step.title_url) else step.title_url
    summary = " ".join(step.body.split())
    return Phase(step.title, href, int(step.meta[START_KEY]), int(step.meta[END_KEY]), summary)


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


def plan(go_live: date, guide_phases: list[Phase]) -> list[tuple[Phase, date, date]]:
    """Each phase with its first and last day, for a go-live date."""
    return [(phase, *phase.dates(go_live)) for phase in guide_phases]


@blueprint.route(PATH)
def plan_page():
    from .pages import current_guide

    guide = current_guide()
    base_path = current_app.config["SETTINGS"].base_path
    guide_phases = phases(guide, base_path)
    guide_roles = roles(guide, base_path)
    data = {"phases": [phase.as_data() for phase in guide_phases], "roles": [role.as_data() for role in guide_roles]}
    return render_template(
        "planner.jinja",
        page=None,
        page_title="Plan your migration dates",
        phases=guide_phases,
        roles=guide_roles,
        plan_data=data,
        breadcrumbs=[crumb for crumb in (guide.pages.get("/"), guide.pages.get("/guide/")) if crumb],
    )
