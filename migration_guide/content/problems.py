"""What is wrong with the content, each problem naming its file and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only named: the form functions load problems without a YAML parser
    import yaml


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int | None
    message: str
    #: A file that cannot be read at all (invalid YAML, not UTF-8): its page is missing, not just wrong,
    #: and other problems (a link to it) may follow from it, so it is listed first.
    unreadable: bool = False

    @property
    def order(self) -> tuple:
        """Worst first: unreadable files, then by file and line."""
        return (not self.unreadable, str(self.path), self.line or 0)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


class ContentError(Exception):
    """Content that cannot be published; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        # The same problem found twice (a navigation file linking to a page from 2 menus) is listed once.
        self.problems = sorted(dict.fromkeys(problems), key=lambda problem: problem.order)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def yaml_problem(path: Path, error: yaml.YAMLError, what: str, first_line: int = 1) -> Problem:
    """A YAML error as a problem on the line where the broken construct starts.

    The context mark (where the construct opens) is nearer the mistake than the problem mark.
    `first_line` is the file line the parsed text started on.
    """
    mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
    line = mark.line + first_line if mark else first_line
    return Problem(path, line, f"{what}: {getattr(error, 'problem', None) or error}", unreadable=True)
