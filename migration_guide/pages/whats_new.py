"""What changed across the guide: /whats-new/, newest first, and the same entries as an Atom feed.

Both come from the pages' change notes (`content.changes`), so the page, its feed, each page's
"Last updated" and the sitemap's `lastmod` cannot disagree.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, render_template

from ..content.model import Guide
from .views import current_guide

blueprint = Blueprint("whats_new", __name__)

PAGE = "/whats-new/"
FEED = "/whats-new/feed.xml"


def entries(guide: Guide) -> list[dict]:
    """Each change note with the page it is on and the address of what changed."""
    found = []
    for page, change in guide.changes():
        anchor = f"#{change.section}" if change.section else ""
        section = guide.link_title(page.permalink + anchor) if anchor else ""
        title = f"{page.title}: {section}" if section else page.title
        found.append({"page": page, "change": change, "anchor": anchor, "title": title})
    return found


def last_change(guide: Guide) -> date | None:
    notes = guide.changes()
    return notes[0][1].date if notes else None


@blueprint.get(PAGE)
def whats_new():
    guide = current_guide()
    return render_template("whats-new.jinja", entries=entries(guide), updated=last_change(guide))


@blueprint.get(FEED)
def feed():
    guide = current_guide()
    xml = render_template("whats-new.atom.xml", entries=entries(guide), updated=last_change(guide))
    # application/xml, as Netlify serves a .xml file; the <link> in each page says it is Atom.
    return Response(xml, mimetype="application/xml")
