"""Frozen-Flask across cores: the same pages, written by the same code, in forked worker processes.

Frozen-Flask requests one URL after another through the Flask test client. For a large guide
that is most of the build after rendering, and each page is independent, so the URLs are
split into chunks that forked workers freeze with the parent's `Freezer` (the loaded guide,
the app and its compiled templates come with the fork, nothing is loaded twice). Files that an
earlier build left and this one will not write are removed first (Frozen-Flask removes them last).

Small sites, rebuilds that render few pages, and systems without `fork` are frozen in this process.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from unicodedata import normalize

from flask_frozen import Freezer, Page, walk_directory

from ..config import PARALLEL_THRESHOLD, worker_count

#: URLs per task: small enough to share the work evenly and report progress often.
CHUNK_SIZE = 50

_freezer: Freezer | None = None  # the parent's freezer, inherited by forked workers


def _freeze_chunk(urls: list[str]) -> list[tuple[str, str]]:
    _freezer.url_generators = [lambda: urls]
    return [(page.url, str(page.path)) for page in _freezer.freeze_yield()]


def _remove_what_is_gone(freezer: Freezer, urls: list[str]) -> None:
    """Files an earlier build wrote that this one will not, removed before any is written. Frozen-Flask
    removes them at the end, but Pagefind reads the folder while the last files are being frozen and must
    not find a page that has gone; and one look through the folder, not two, is a tenth of a second less
    at 1,000 pages."""
    written = {normalize("NFC", freezer.urlpath_to_filepath(url)) for url in urls}
    for name in walk_directory(freezer.root, ignore=freezer.app.config["FREEZER_DESTINATION_IGNORE"]):
        if name not in written:
            gone = freezer.root / name
            gone.unlink()
            with suppress(OSError):
                gone.parent.rmdir()


def _to_render(freezer: Freezer, urls: list[str]) -> list[str]:
    """The URLs Frozen-Flask will not skip (`FREEZER_SKIP_EXISTING`): a rebuild that renders a few pages of a
    large guide is quicker in this process than in workers that must first be started."""
    skip = freezer.app.config["FREEZER_SKIP_EXISTING"]
    if not callable(skip):
        return urls
    return [url for url in urls if not skip(url, str(freezer.root / freezer.urlpath_to_filepath(url)))]


def freeze_yield(freezer: Freezer, workers: int | None = None) -> Iterator[Page]:
    """Like `freezer.freeze_yield()`, with the work shared across cores for large sites."""
    global _freezer
    workers = workers or worker_count()
    app = freezer.app
    urls = list(dict.fromkeys(freezer.all_urls()))
    remove_extra = app.config["FREEZER_REMOVE_EXTRA_FILES"]
    if remove_extra and freezer.root.is_dir():
        _remove_what_is_gone(freezer, urls)
    generators = freezer.url_generators
    app.config["FREEZER_REMOVE_EXTRA_FILES"] = False  # done above
    try:
        if (
            workers < 2
            or "fork" not in multiprocessing.get_all_start_methods()
            or len(urls) < PARALLEL_THRESHOLD
            or len(_to_render(freezer, urls)) < PARALLEL_THRESHOLD
        ):
            yield from freezer.freeze_yield()
            return
        # The first page here, so templates are compiled once and every worker inherits them.
        first = urls[:1]
        freezer.url_generators = [lambda: first]
        yield from freezer.freeze_yield()
        _freezer = freezer
        chunks = [urls[start : start + CHUNK_SIZE] for start in range(1, len(urls), CHUNK_SIZE)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for results in pool.imap_unordered(_freeze_chunk, chunks):
                for url, path in results:
                    yield Page(url, Path(path))
    finally:
        _freezer = None
        freezer.url_generators = generators
        app.config["FREEZER_REMOVE_EXTRA_FILES"] = remove_extra
