"""A role's checklist: what that role does and checks at each key phase, read from `content/checklists/NAME.yml`.

One YAML file per role is the single source: the role's page renders it (front matter
`checklist: NAME`), `/checklists/` lists every role with its `summary`, and the browser works
out dates, progress and downloads from the same data. Each item names the guide section that
explains it; `validation` checks those links like any other, and that each phase is a key phase.

Plain data, with the file line of each id and link so a problem can name it (`checklist_files` reads
the YAML): no YAML parser, Markdown, Jinja or Flask here, so the form functions can load the manifest
without them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .links import InternalLink, is_internal, parse_internal

#: Where checklists live under content/.
FOLDER = "checklists"
#: Shown above the checklist when the file gives no `heading`.
DEFAULT_HEADING = "Your checklist"


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    #: The guide section that explains the item, as written ("" when the item has none).
    link: str
    #: The file lines of the item's id and of its link, for problems.
    line: int
    link_line: int
    #: What dates the item instead of its phase: "cut-over-planning-meeting", or "" for its phase.
    on: str = ""
    on_line: int = 0

    @property
    def target(self) -> InternalLink | None:
        return parse_internal(self.link) if self.link and is_internal(self.link) else None

    @property
    def input_id(self) -> str:
        """The item's checkbox id on the page."""
        return f"item-{self.id}"


@dataclass(frozen=True)
class Group:
    """A question and the items that answer it; its id is the question's heading id on the page."""

    question: str
    id: str
    items: tuple[Item, ...]
    line: int


@dataclass(frozen=True)
class ChecklistPhase:
    #: A key phase: the file name of content/steps/key-phases/NN-SLUG.md without its number.
    slug: str
    groups: tuple[Group, ...]
    line: int

    @property
    def items(self) -> list[Item]:
        return [item for group in self.groups for item in group.items]

    @property
    def section_id(self) -> str:
        return f"phase-{self.slug}"


@dataclass(frozen=True)
class Checklist:
    #: The file name without `.yml`, such as "practice-staff": the name pages use and the key ticks are kept under.
    name: str
    source: Path
    role: str
    #: The permalink of the role's page.
    page: str
    summary: str
    heading: str
    phases: tuple[ChecklistPhase, ...]
    #: Top-level key → its file line.
    key_lines: dict[str, int] = field(default_factory=dict, compare=False)

    @property
    def items(self) -> list[Item]:
        return [item for phase in self.phases for item in phase.items]

    @property
    def heading_id(self) -> str:
        return _slug(self.heading)

    def element_ids(self) -> list[str]:
        """Every id the rendered checklist puts on its page, in page order (repeats included, for checking)."""
        ids = [self.heading_id]
        for phase in self.phases:
            ids.append(phase.section_id)
            for group in phase.groups:
                ids.append(group.id)
                ids.extend(item.input_id for item in group.items)
        return ids

    def as_data(self) -> dict:
        """What the page's script needs: the role and each phase's item ids (texts and links it reads from the page)."""
        return {
            "name": self.name,
            "role": self.role,
            "phases": [{"slug": phase.slug, "items": [item.id for item in phase.items]} for phase in self.phases],
        }


def _slug(text: str) -> str:
    words = "".join(character if character.isalnum() else " " for character in text.lower()).split()
    return "-".join(words)
