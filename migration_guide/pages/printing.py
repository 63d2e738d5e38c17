"""The whole guide on one page, at /guide/print/, for printing or saving as a PDF.

Pages come in reading order (the sidebar, then the glossary). Each page's rendered HTML is
used as it is, with four changes so that it reads as one document:

- headings move down a level under the page's own title (h2 becomes h3, and so on);
- an id used on more than one page (or by the page's own furniture) is prefixed with its
  page's anchor, on the element and on every link to it, so every anchor stays unique;
- links to a page or section that is on this page become links within the page;
- the "#" link beside each heading, for sharing a section, is left out.

Links to pages that are not printed (such as the form to improve the guide) stay as they are.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from flask import Blueprint, current_app, render_template

from ..content.links import is_internal, parse_internal
from ..content.model import Guide, Page
from .views import current_guide

PATH = "/guide/print/"
#: Printed after the sidebar's pages, in this order, when the guide has them.
APPENDICES = ("/glossary/",)
#: Ids the print page's own template uses around the pages.
TEMPLATE_IDS = frozenset({"maincontent", "search", "search-field", "print-contents", "print-how"})

ATTRIBUTE = re.compile(r'(\s)(id|href|for|aria-labelledby|aria-describedby|aria-controls)="([^"]*)"')
HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")
ID = re.compile(r'\sid="([^"]+)"')
#: The "#" link rendering adds to each h2 and h3, for sharing a section: no use on paper, and on a page of
#: the whole guide a few hundred elements that slow its layout on a phone.
HEADING_LINK = re.compile(r'<a class="app-heading-link"[^>]*>.*?</a>', re.S)

blueprint = Blueprint("printing", __name__)


@dataclass(frozen=True)
class PrintedPage:
    page: Page
    anchor: str
    html: str


def pages_to_print(guide: Guide) -> list[Page]:
    order: list[str] = []
    for section in guide.navigation.sidebar:
        order += [permalink for permalink in section.permalinks if permalink not in order]
    order += [permalink for permalink in APPENDICES if permalink not in order]
    return [guide.pages[p] for p in order if p in guide.pages and guide.pages[p].page_type.in_print]


def page_anchor(permalink: str) -> str:
    """'/guide/kick-off/' → 'page-guide-kick-off'; the home page is 'page-home'."""
    return "page-" + (permalink.strip("/").replace("/", "-") or "home")


def demote_headings(html: str) -> str:
    return HEADING_TAG.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 1, 6)}", html)


def print_pages(guide: Guide, base_path: str = "") -> list[PrintedPage]:
    pages = pages_to_print(guide)
    anchors = {page.permalink: page_anchor(page.permalink) for page in pages}
    ids = {page.permalink: ID.findall(page.html) for page in pages}
    uses = Counter(ident for page_ids in ids.values() for ident in set(page_ids))
    taken = set(TEMPLATE_IDS) | set(anchors.values())
    clashing = {ident for ident, count in uses.items() if count > 1 or ident in taken}
    every_id = set(uses) | taken

    renamed: dict[str, dict[str, str]] = {}
    for page in pages:
        mapping = {}
        for ident in ids[page.permalink]:
            if ident in clashing:
                new = f"{anchors[page.permalink]}--{ident}"
                while new in every_id:
                    new += "-1"
                every_id.add(new)
                mapping[ident] = new
            else:
                mapping[ident] = ident
        renamed[page.permalink] = mapping

    def target(href: str, current: str) -> str:
        if href.startswith("#"):
            return "#" + renamed[current].get(href[1:], href[1:])
        if not is_internal(href) or not href.startswith(base_path + "/"):
            return href
        link = parse_internal(href[len(base_path) :])
        if link.path not in anchors or link.query:
            return href
        if link.fragment and link.fragment in renamed[link.path]:
            return "#" + renamed[link.path][link.fragment]
        return "#" + anchors[link.path]

    printed = []
    for page in pages:
        mapping = renamed[page.permalink]

        def rewrite(match: re.Match, page: Page = page, mapping: dict[str, str] = mapping) -> str:
            space, name, value = match.groups()
            if name == "href":
                value = target(value, page.permalink)
            elif name == "id":
                value = mapping.get(value, value)
            else:
                value = " ".join(mapping.get(ident, ident) for ident in value.split())
            return f'{space}{name}="{value}"'

        html = HEADING_LINK.sub("", page.html)
        printed.append(PrintedPage(page, anchors[page.permalink], demote_headings(ATTRIBUTE.sub(rewrite, html))))
    return printed


@blueprint.route(PATH)
def print_page():
    guide = current_guide()
    base_path = current_app.config["SETTINGS"].base_path
    return render_template(
        "print.jinja",
        page=None,
        page_title="The whole guide",
        printed=print_pages(guide, base_path),
        breadcrumbs=[crumb for crumb in (guide.pages.get("/"), guide.pages.get("/guide/")) if crumb],
    )
