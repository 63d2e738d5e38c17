"""Skipping pages a rebuild would write unchanged: what makes a warm `guide build` fast.

A guide page's HTML depends on its own file and on things every page shares: the templates,
the code, the settings, the compiled assets, the navigation and data files, and the title and
front matter of every page (the sidebar, breadcrumbs and previous/next links show them; not the
change notes, review dates and owner, which only the page itself shows: `OWN_PAGE_ONLY`). So a
page's key is a hash of its own file and of all of those shared things. A rebuild with the
cache on asks Frozen-Flask to skip a page whose file is still in the output folder and whose
key is the one the last build recorded: change one page's text and only that page is
rendered again; change a title, a template or a setting and every page is.

Two kinds of page show more than that. A checklist page names each item's target heading on
another page, and dates its phases with the bank holidays of the planner's years (which move on
with today's date): both are part of its key. App pages made from shared things (request help,
privacy, robots.txt) are keyed like a page whose own file never changes; the planner's key adds
where the timeline is and its years. Other app pages (search, print, what's new) are made from
every page's text and are always rendered. `guide build --no-cache` renders everything and records nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date
from importlib import metadata
from pathlib import Path

from ..config import Settings
from ..content.loading import SPECIAL_FOLDERS
from ..content.model import Guide, Page
from ..content.phases import GROUP
from ..content.working_days import planner_years
from ..fingerprints import PACKAGE_DIR, hash_folder

#: Front matter no other guide page shows: a page's own key covers it (its whole file), and the pages that
#: list it (what's new, its feed, the sitemap, search, print) are app pages, rendered on every build.
#: So a change note re-renders its page and what's new, not the whole guide.
OWN_PAGE_ONLY = frozenset({"changes", "last_reviewed", "review_due", "owner"})


def shared_fingerprint(settings: Settings, guide: Guide, assets_manifest: dict) -> str:
    """A hash of everything that every page's HTML may depend on."""
    digest = hashlib.sha256()
    digest.update(repr(settings).encode())
    digest.update(json.dumps(assets_manifest, sort_keys=True).encode())
    digest.update(metadata.version("nhsuk-frontend-jinja").encode())
    hash_folder(digest, PACKAGE_DIR, "*.py")
    hash_folder(digest, settings.templates_dir)
    for folder in SPECIAL_FOLDERS:
        hash_folder(digest, guide.content_dir / folder)
    for permalink, page in sorted(guide.pages.items()):
        shared_meta = {key: value for key, value in page.meta.items() if key not in OWN_PAGE_ONLY}
        shown_elsewhere = [permalink, page.title, page.layout, shared_meta]
        digest.update(json.dumps(shown_elsewhere, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _the_planners_own(guide: Guide) -> str:
    """What the planner shows besides shared things: where the timeline is, and the bank holidays of its years."""
    return json.dumps([guide.section_showing(GROUP), list(planner_years(date.today()))])


#: App pages kept while what they show is unchanged, each with what it shows beyond `shared_fingerprint`
#: (the settings, such as retention periods and the site's address; the templates and code; the data files,
#: such as ICBs and delivery partners; the steps; the navigation and every page's title).
KEPT_APP_PAGES: dict[str, Callable[[Guide], str]] = {
    "/request-help/": lambda guide: "",
    "/privacy/": lambda guide: "",
    "/robots.txt": lambda guide: "",
    "/plan/": _the_planners_own,
}


def shown_from_elsewhere(guide: Guide, page: Page) -> str:
    """What a page shows that neither its own file nor the shared fingerprint covers."""
    checklist = guide.checklist_of(page)
    if checklist is None:
        return ""
    headings = [guide.link_title(item.link) for item in checklist.items if item.target is not None]
    return json.dumps([headings, list(planner_years(date.today()))])


class PageCache:
    """Frozen-Flask's `FREEZER_SKIP_EXISTING`: True for pages whose output is already up to date."""

    def __init__(self, settings: Settings, guide: Guide, assets_manifest: dict):
        self.enabled = settings.use_render_cache
        self.file = settings.cache_dir / "pages.json"
        shared = shared_fingerprint(settings, guide, assets_manifest) if self.enabled else ""
        self.keys: dict[str, str] = {}
        if self.enabled:
            for permalink, page in guide.pages.items():
                own = f"{page.version}{shown_from_elsewhere(guide, page)}"
                self.keys[permalink] = hashlib.sha256(f"{shared}{own}".encode()).hexdigest()
            for url, shown_beyond in KEPT_APP_PAGES.items():
                key = f"{shared}{url}{shown_beyond(guide)}"
                self.keys.setdefault(url, hashlib.sha256(key.encode()).hexdigest())
        self.previous: dict[str, str] = {}
        if self.enabled and self.file.is_file():
            try:
                self.previous = json.loads(self.file.read_text())
            except ValueError:
                self.previous = {}  # a damaged record: render everything

    def skip(self, url: str, path: str) -> bool:
        key = self.keys.get(url)
        return key is not None and self.previous.get(url) == key and Path(path).is_file()

    def save(self) -> None:
        """Record the keys of this build; call once the build has succeeded."""
        if self.enabled:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            self.file.write_text(json.dumps(self.keys))

    def forget(self) -> None:
        """Before a build writes anything: a build that fails part way leaves no record to trust."""
        self.file.unlink(missing_ok=True)
