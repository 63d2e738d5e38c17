"""Search: the /search/ page and its A to Z index. The build writes the Pagefind index (see `build.search_index`).

`assets/js/search.mjs` queries the index in the browser, so search works offline and under
any base path.

Without JavaScript the page lists every page and section from A to Z.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from string import ascii_uppercase

from flask import Blueprint, abort, current_app, render_template, send_from_directory

from ..content.model import Guide
from ..content.search_terms import CHECKLISTS, load_search_terms
from .views import current_guide

PATH = "/search/"
BUNDLE_FOLDER = "pagefind"
#: Pages the app makes that readers look for by name; Markdown pages are added from the guide.
FEATURE_ENTRIES = (("Plan your migration dates", "/plan/"), ("Print the whole guide", "/guide/print/"))

blueprint = Blueprint("search", __name__)


@dataclass(frozen=True)
class Entry:
    text: str
    #: Path and fragment, without the base path.
    href: str
    #: For a section or a term, the title of the page it is on.
    page_title: str = ""
    #: "section" (an h2 or h3) or "term" (a defined term, as in the glossary).
    kind: str = "section"

    @property
    def letter(self) -> str:
        first = next((character for character in self.text.upper() if character.isalnum()), "#")
        return first if first in ascii_uppercase else "0–9"

    @property
    def sort_key(self) -> tuple:
        return (self.text.casefold().lstrip("\"'‘“"), self.page_title.casefold())


def a_to_z(guide: Guide) -> list[tuple[str, list[Entry]]]:
    """Every page, every h2 and h3 section and every defined term (the glossary's), grouped by first letter."""
    entries = [Entry(text, href) for text, href in FEATURE_ENTRIES]
    for page in guide.pages.values():
        entries.append(Entry(page.title, page.permalink))
        for heading in page.rendered.headings:
            if heading.level in (2, 3):
                entries.append(Entry(heading.text, f"{page.permalink}#{heading.id}", page.title))
        for term in page.rendered.terms:
            entries.append(Entry(term.text, f"{page.permalink}#{term.id}", page.title, "term"))
    entries.sort(key=lambda entry: entry.sort_key)
    groups = {
        letter: list(group)
        for letter, group in groupby(sorted(entries, key=lambda e: e.letter), key=lambda e: e.letter)
    }
    for group in groups.values():
        group.sort(key=lambda entry: entry.sort_key)
    return [(letter, groups[letter]) for letter in ["0–9", *ascii_uppercase] if letter in groups]


def letter_id(letter: str) -> str:
    return "a-to-z-" + ("0-9" if letter == "0–9" else letter.lower())


@blueprint.route(f"/{BUNDLE_FOLDER}/<path:filename>")
def bundle_file(filename: str):
    """For `guide serve`: the index from the last `guide build`, so search works while writing too.
    The frozen site has the folder itself."""
    bundle = current_app.config["SETTINGS"].out_dir / BUNDLE_FOLDER
    if not bundle.is_dir():
        abort(404)
    return send_from_directory(bundle, filename, max_age=0)


def search_terms_data(guide: Guide, settings) -> dict:
    """What search.mjs needs to find what readers type: synonyms, corrections and offers with their links."""
    terms = load_search_terms(settings.content_dir)
    offers = []
    for offer in terms.offers:
        if offer.link == CHECKLISTS:
            links = [
                {
                    "text": f"{page.title}: {checklist.heading}",
                    "href": f"{settings.base_path}{page.permalink}#checklist",
                }
                for page in guide.pages.values()
                if (checklist := guide.checklist_of(page))
            ]
        else:
            links = [{"text": offer.text, "href": settings.base_path + offer.link}]
        offers.append({"words": list(offer.words), "links": links})
    return {"synonyms": [list(group) for group in terms.synonyms], "misspellings": terms.misspellings, "offers": offers}


@blueprint.route(PATH)
def search_page():
    guide = current_guide()
    settings = current_app.config["SETTINGS"]
    base_path = settings.base_path
    groups = a_to_z(guide)
    return render_template(
        "search.jinja",
        page=None,
        page_title="Search the guide",
        groups=groups,
        letters_with_entries={letter for letter, _ in groups},
        all_letters=["0–9", *ascii_uppercase],
        letter_id=letter_id,
        bundle_url=f"{base_path}/{BUNDLE_FOLDER}/",
        base_url=f"{base_path}/",
        search_terms=search_terms_data(guide, settings),
        breadcrumbs=[guide.pages["/"]] if "/" in guide.pages else [],
    )
