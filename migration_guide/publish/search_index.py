"""The Pagefind index that each build writes for /search/.

Pagefind (from PyPI, which ships its binary, driven through its Python API) reads the frozen HTML
and writes a static index to `site/pagefind/`. Each checklist item is added as a record of its own,
so a search for its words leads to its checkbox, not just the top of the role's page. Only what
templates mark `data-pagefind-body` is indexed: the text of each page, not the header, footer or
navigation. Every h2 and h3 has an id, so each becomes a result
of its own that links to its anchor.

Pagefind starts with the build, and is sent the checklist records while the pages are rendered. It
cannot add pages to an index it wrote before, so any changed page means indexing them all (one call,
a few seconds at 1,000 pages). A rebuild that changed no page, though, keeps the index:
`SearchIndex` records what it indexed (each page's path, size and modification time, the records and
the settings), and when all of it is the same and the index is still there, it does nothing.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from pagefind.index import IndexConfig
from pagefind.service import PagefindService
from pagefind.service.types import InternalResponseType

from ..content.model import Guide
from ..pages.search import BUNDLE_FOLDER

#: Parts of a page body that are not its text: 'On this page', review dates, previous and next
#: links, the section feedback forms and the offer of help under every guide page. (Heading
#: links carry data-pagefind-ignore="all", which also keeps them out of section titles;
#: listing them here would undo that.)
NOT_INDEXED = (".app-contents", ".app-review-date", ".nhsuk-pagination", ".app-feedback", ".app-get-help")
#: The app's own pages that carry data-pagefind-body (the rest are not searched): the build starts Pagefind as
#: soon as these and the Markdown pages are frozen, while the other pages are still being written.
SEARCHED_APP_PAGES = ("/plan/",)
#: Pagefind's ready-made search interfaces, which set inline styles our CSP refuses; never loaded.
UNUSED_FILES = ("pagefind-ui.*", "pagefind-component-ui.*", "pagefind-modular-ui.*", "pagefind-highlight.js")


@dataclass(frozen=True)
class Record:
    """Something to find that is not a section of its own in the HTML: a checklist item, say."""

    #: Path and fragment, without the base path (Pagefind adds it, as it does to pages).
    url: str
    title: str
    #: What the result says it is in, as "In: …" under the title.
    page_title: str
    content: str


def checklist_records(guide: Guide) -> list[Record]:
    """Every item of every role's checklist, each leading to its own checkbox on the role's page."""
    records = []
    for page in guide.pages.values():
        checklist = guide.checklist_of(page)
        if checklist is None:
            continue
        for phase in checklist.phases:
            for group in phase.groups:
                for item in group.items:
                    records.append(
                        Record(
                            f"{page.permalink}#{item.input_id}",
                            item.text,
                            f"{checklist.heading} ({page.title})",
                            f"{item.text}. {group.question}",
                        )
                    )
    return records


#: The Pagefind filter value of a checklist item's record; pages are "page".
ITEM_KIND = "checklist item"


class SearchIndexError(RuntimeError):
    pass


def _indexed(out_dir: Path, records: Sequence[Record]) -> str:
    """A hash of what an index of `out_dir` is made from: each page file's path, size and modification
    time (Frozen-Flask leaves a page it would write unchanged untouched), the records and the settings."""
    digest = hashlib.sha256(json.dumps([metadata.version("pagefind"), NOT_INDEXED, UNUSED_FILES]).encode())
    pages: list[Path] = []
    for folder, subfolders, files in os.walk(out_dir):
        subfolders[:] = [name for name in subfolders if name != BUNDLE_FOLDER]
        pages.extend(Path(folder, name) for name in files if name.endswith(".html"))
    for page in sorted(pages):
        stat = page.stat()
        digest.update(f"{page.relative_to(out_dir)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    digest.update(json.dumps([asdict(record) for record in records]).encode())
    return digest.hexdigest()


class SearchIndex:
    """The build's Pagefind index, started with the build: the checklist records are sent while the pages
    are rendered, and `finish` (once the pages it searches are written) adds the pages and writes the index.

    With `record_file` (see `record`), an index made from the same pages and records is kept as it
    is. Use as a context manager: a build that fails part way stops Pagefind and leaves the last index."""

    def __init__(self, out_dir: Path, records: Sequence[Record] = (), record_file: Path | None = None):
        self.out_dir = out_dir
        self.bundle = out_dir / BUNDLE_FOLDER
        self.records = list(records)
        self.record_file = record_file
        # Pagefind's Python API is asynchronous: its event loop runs in a thread of its own.
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="pagefind", daemon=True)
        self._thread.start()
        self._service: _PromptService | None = None
        self._started = asyncio.run_coroutine_threadsafe(self._start(), self._loop)

    async def _start(self) -> None:
        service = self._service = _PromptService()
        await service.launch()
        self._index = await service.create_index(
            IndexConfig(exclude_selectors=list(NOT_INDEXED), output_path=str(self.bundle))
        )
        # Sent together, before the pages: the binary answers each in turn, with no round trip between them.
        self._records_added = asyncio.gather(
            *(
                self._index.add_custom_record(
                    url=record.url,
                    content=record.content,
                    language="en",
                    meta={"title": record.title, "in": record.page_title},
                    # Pages carry kind:page (data-pagefind-filter in the layouts): search.mjs asks for each kind
                    # apart, so 265 short item records never crowd the guide's sections out of the results.
                    filters={"kind": [ITEM_KIND]},
                )
                for record in self.records
            )
        )

    def finish(self) -> Path:
        """Add the frozen pages and write the index (or keep the last one); returns the bundle folder."""
        try:
            if self._kept():
                return self.bundle
            if self.record_file is not None:
                self.record_file.unlink(missing_ok=True)  # an index half written is never taken for this one
            self._started.result()
            asyncio.run_coroutine_threadsafe(self._write(), self._loop).result()
        except Exception as error:  # the binary missing, or Pagefind refusing the site
            raise SearchIndexError(
                f"Pagefind could not index the site (is the 'pagefind[bin]' package installed?): {error}"
            ) from error
        finally:
            self.close()
        if not (self.bundle / "pagefind.js").is_file():
            raise SearchIndexError("Pagefind wrote no index: no page has data-pagefind-body")
        for unused in UNUSED_FILES:  # Pagefind's own interfaces: we draw results ourselves (see search.mjs)
            for path in self.bundle.glob(unused):
                path.unlink()
        return self.bundle

    def _kept(self) -> bool:
        if self.record_file is None or not (self.bundle / "pagefind.js").is_file():
            return False
        try:
            return self.record_file.read_text(encoding="utf-8") == _indexed(self.out_dir, self.records)
        except OSError:
            return False  # no record: index

    async def _write(self) -> None:
        await self._records_added
        await self._index.add_directory(str(self.out_dir))
        if self.bundle.exists():
            shutil.rmtree(self.bundle)  # a fresh index: nothing left from pages that have gone
        await self._index.write_files(str(self.bundle))

    def close(self) -> None:
        """Stop Pagefind (once)."""
        if self._loop.is_closed():
            return
        try:
            self._started.result(timeout=30)
            if self._service is not None:
                asyncio.run_coroutine_threadsafe(self._stop(self._service), self._loop).result(timeout=30)
        except Exception:
            pass  # it did not start, or could not stop: the build says so if it needed the index
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()

    @staticmethod
    async def _stop(service: _PromptService) -> None:
        try:
            await service.close()
        finally:
            if service._backend.returncode is None:  # close() gave up on a reply: stop the binary anyway
                service._backend.terminate()
                await service._backend.wait()

    def record(self) -> None:
        """Record what the index was made from, for the next build to keep it if nothing changed. Call once the
        build has written its last page: the stylesheet cut, run beside the indexing, may point pages' <head> at
        the cut stylesheet, which changes no indexed text."""
        if self.record_file is None:
            return
        self.record_file.parent.mkdir(parents=True, exist_ok=True)
        self.record_file.write_text(_indexed(self.out_dir, self.records), encoding="utf-8")

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class _PromptService(PagefindService):
    """Pagefind's service, handling each reply of the binary as soon as it comes.

    The Python package (1.5) sleeps a tenth of a second before reading each reply, so adding
    the guide's 265 checklist records, one message each, took 30 seconds. Here the read itself
    waits for the reply, and each reply settles its request as the package's own loop does.
    """

    async def _wait_for_responses(self) -> None:
        assert self._backend.stdout is not None
        while True:
            reply = json.loads(base64.b64decode((await self._backend.stdout.readuntil(b","))[:-1]))
            if reply is None:
                continue
            payload = reply["payload"]
            message_id = reply.get("message_id")
            if message_id is None and payload.get("original_message"):  # a message the binary could not read
                message_id = json.loads(payload["original_message"]).get("message_id")
            waiting = self._responses.get(message_id)
            if waiting is None or waiting.done():
                continue
            if payload["type"] == InternalResponseType.ERROR.value:
                waiting.set_exception(Exception(payload["message"], payload.get("original_message")))
            else:
                waiting.set_result(payload)
