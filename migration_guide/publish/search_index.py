"""The Pagefind index, written at the end of a build for /search/.

Pagefind (from PyPI, which ships its binary) reads the frozen HTML and writes a static index
to `site/pagefind/`. Only what templates mark `data-pagefind-body` is indexed: the text of each
page, not the header, footer or navigation. Every h2 and h3 has an id, so each becomes a result
of its own that links to its anchor.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from ..pages.search import BUNDLE_FOLDER

#: Parts of a page body that are not its text: 'On this page', review dates, previous and next
#: links, the section feedback forms and the offer of help under every guide page. (Heading
#: links carry data-pagefind-ignore="all", which also keeps them out of section titles;
#: listing them here would undo that.)
NOT_INDEXED = (".app-contents", ".app-review-date", ".nhsuk-pagination", ".app-feedback", ".app-get-help")
#: Pagefind's ready-made search interfaces, which set inline styles our CSP refuses; never loaded.
UNUSED_FILES = ("pagefind-ui.*", "pagefind-component-ui.*", "pagefind-modular-ui.*", "pagefind-highlight.js")


class SearchIndexError(RuntimeError):
    pass


def index_site(out_dir: Path) -> Path:
    """Write the Pagefind index for the frozen site in `out_dir`; returns the bundle folder."""
    bundle = out_dir / BUNDLE_FOLDER
    if bundle.exists():
        shutil.rmtree(bundle)  # a fresh index: nothing left from pages that have gone
    command = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(out_dir),
        "--output-subdir",
        BUNDLE_FOLDER,
        "--exclude-selectors",
        ", ".join(NOT_INDEXED),
        "--silent",
    ]
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
