"""Each role's checklist as a blank spreadsheet, for readers without JavaScript.

The role pages themselves are Markdown pages (`views.render_page` with the checklist layout). With
JavaScript, `assets/js/checklist.mjs` makes the same spreadsheet in the browser with the
reader's ticks and dates; this file is the one the link offers before the script takes over: every
item, not done, no dates. The build freezes it to `/checklists/NAME.csv`.
"""

from __future__ import annotations

import io

from flask import Blueprint, Response, abort

from ..forms.spreadsheet import write_csv
from ..web.urls import absolute_url
from .views import current_guide

blueprint = Blueprint("checklists", __name__)

COLUMNS = ["Role", "Phase", "Item", "Guide link", "Done", "Due date"]


def csv_paths(guide) -> list[str]:
    return [f"/checklists/{name}.csv" for name in guide.checklists]


@blueprint.route("/checklists/<name>.csv")
def checklist_csv(name: str):
    guide = current_guide()
    checklist = guide.checklists.get(name)
    if checklist is None:
        abort(404)
    titles = {step.slug: step.title for step in guide.steps.get("key-phases", [])}
    rows: list[list] = [COLUMNS]
    for phase in checklist.phases:
        for item in phase.items:
            link = (
                absolute_url(item.target.path) + (f"#{item.target.fragment}" if item.target.fragment else "")
                if item.target
                else ""
            )
            rows.append([checklist.role, titles.get(phase.slug, phase.slug), item.text, link, "No", ""])
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheet programs read UTF-8
    write_csv(rows, out)
    return Response(out.getvalue(), mimetype="text/csv")
