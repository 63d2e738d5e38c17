"""Search: the /search/ page, its A to Z index, and the Pagefind index written at the end of a build.

Pagefind (from PyPI, which ships its binary) reads the frozen HTML and writes a static
index to `site/pagefind/`; `assets/js/search.mjs` queries it in the browser, so search works
offline and under any base path. Only what templates mark `data-pagefind-body` is indexed:
the text of each page, not the header, footer or navigation. Every h2 and h3 has an id, so
each becomes a result of its own that links to its anchor.

Without JavaScript the page lists every page and section from A to Z.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from string import ascii_uppercase

from flask import Blueprint, abort, current_app, render_template, send_from_directory

from .content import Guide

PATH = "/search/"
BUNDLE_FOLDER = "pagefind"
#: Parts of a page body that are not its text: 'On this page', review dates, previous and next
#: links, the section feedback forms and the offer of help under every guide page. (Heading
#: links carry data-pagefind-ignore="all", which also keeps them out of section titles;
#: listing them here would undo that.)
NOT_INDEXED = (".app-contents", ".app-review-date", ".nhsuk-pagination", ".app-feedback", ".app-get-help")
#: Pagefind's ready-made search interfaces, which set inline styles our CSP refuses; never loaded.
UNUSED_FILES = ("pagefind-ui.*", "pagefind-component-ui.*", "pagefind-modular-ui.*", "pagefind-highlight.js")
#: Pages the app makes that readers look for by name; Markdown pages are added from the guide.
FEATURE_ENTRIES = (("Plan your migration dates", "/plan/"), ("Print the whole guide", "/guide/print/"))

blueprint = Blueprint("search", __name__)


class SearchIndexError(RuntimeError):
    pass


def index_site(out_dir: Path) -> Path:
    """Write the Pagefind index for the frozen site in `out_dir`; returns the bundle folder."""
    bundle = out_dir / BUNDLE_FOLDER
    if bundle.exists():
        shutil.rmtree(bundle)  # a fresh index: nothing left from pages that have gone
    command = [sys.executable, "-m", "pagefind", "--site", str(out_dir), "--output-subdir", BUNDLE_FOLDER,
               "--exclude-selectors", ", ".join(NOT_INDEXED), "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    except FileNotFoundError as error:  # pragma: no cover - the interpreter itself is missing
        raise SearchIndexError(str(error)) from error
    if result.returncode != 0 or not (bundle / "pagefind.js").is_file():
        raise SearchIndexError(
            "Pagefind could not index the site (is the 'pagefind[bin]' package installed?):\n"
            + (result.stderr or result.stdout)
        )
    for unused in UNUSED_FILES:  # Pagefind's own interfaces: we draw results ourselves (see search.mjs)
        for path in bundle.glob(unused):
            path.unlink()
    return bundle


@dataclass(frozen=True)
class Entry:
    text: str
    #: Path and fragment, without the base path.
    href: str
    #: For a section, the title of the page it is on.
    page_title: str = ""

    @property
    def letter(self) -> str:
        first = next((character for character in self.text.upper() if character.isalnum()), "#")
        return first if first in ascii_uppercase else "0–9"

    @property
    def sort_key(self) -> tuple:
        return (self.text.casefold().lstrip("\"'‘“"), self.page_title.casefold())


def a_to_z(guide: Guide) -> list[tuple[str, list[Entry]]]:
    """Every page and every h2 and h3 section, grouped by first letter."""
    entries = [Entry(text, href) for text, href in FEATURE_ENTRIES]
    for page in guide.pages.values():
        entries.append(Entry(page.title, page.permalink))
        for heading in page.rendered.headings:
            if heading.level in (2, 3):
                entries.append(Entry(heading.text, f"{page.permalink}#{heading.id}", page.title))
    entries.sort(key=lambda entry: entry.sort_key)
    groups = {letter: list(group) for letter, group in groupby(sorted(entries, key=lambda e: e.letter), key=lambda e: e.letter)}
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


@blueprint.route(PATH)
def search_page():
    from .pages import current_guide

    guide = current_guide()
    base_path = current_app.config["SETTINGS"].base_path
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
        breadcrumbs=[guide.pages["/"]] if "/" in guide.pages else [],
    )
