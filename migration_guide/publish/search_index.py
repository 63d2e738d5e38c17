"""The Pagefind index, written at the end of a build for /search/.

Pagefind (from PyPI, which ships its binary, driven through its Python API) reads the frozen HTML
and writes a static index to `site/pagefind/`. Each checklist item is added as a record of its own,
so a search for its words leads to its checkbox, not just the top of the role's page. Only what
templates mark `data-pagefind-body` is indexed: the text of each page, not the header, footer or
navigation. Every h2 and h3 has an id, so each becomes a result
of its own that links to its anchor.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
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


def index_site(out_dir: Path, records: Sequence[Record] = ()) -> Path:
    """Write the Pagefind index for the frozen site in `out_dir`, with `records` besides its pages; returns
    the bundle folder."""
    bundle = out_dir / BUNDLE_FOLDER
    if bundle.exists():
        shutil.rmtree(bundle)  # a fresh index: nothing left from pages that have gone
    try:
        asyncio.run(_write_index(out_dir, bundle, records))
    except Exception as error:  # the binary missing, or Pagefind refusing the site
        raise SearchIndexError(
            f"Pagefind could not index the site (is the 'pagefind[bin]' package installed?): {error}"
        ) from error
    if not (bundle / "pagefind.js").is_file():
        raise SearchIndexError("Pagefind wrote no index: no page has data-pagefind-body")
    for unused in UNUSED_FILES:  # Pagefind's own interfaces: we draw results ourselves (see search.mjs)
        for path in bundle.glob(unused):
            path.unlink()
    return bundle


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


async def _write_index(out_dir: Path, bundle: Path, records) -> None:
    """Pagefind's own Python API: the frozen pages and every record, in one index."""
    config = IndexConfig(exclude_selectors=list(NOT_INDEXED), output_path=str(bundle))
    async with _PromptService() as service:
        index = await service.create_index(config)
        await index.add_directory(str(out_dir))  # first, alone: the same index, byte for byte, every build
        # The records sent together: the binary answers each in turn, with no round trip between them.
        await asyncio.gather(
            *(
                index.add_custom_record(
                    url=record.url,
                    content=record.content,
                    language="en",
                    meta={"title": record.title, "in": record.page_title},
                    # Pages carry kind:page (data-pagefind-filter in the layouts): search.mjs asks for each kind
                    # apart, so 265 short item records never crowd the guide's sections out of the results.
                    filters={"kind": [ITEM_KIND]},
                )
                for record in records
            )
        )
        await index.write_files(str(bundle))
