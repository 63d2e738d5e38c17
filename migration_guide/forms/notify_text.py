"""Reader- and file-supplied text made inert before it becomes GOV.UK Notify personalisation.

Notify fills a template's ((placeholders)) and then renders its Markdown-like syntax, so a comment
holding `[Review now](https://evil.example)` would arrive as a disguised link in an NHS email, and
`# Action needed`, `^ inset`, `---` or `* bullet` at the start of a line would restyle it. Notify has
no escape character, so the syntax is broken visibly instead: a link's `](` gets a space, a
placeholder's brackets are spaced out, and a line that would start with a block marker is quoted
with "| ". Every value that a reader typed or a file supplied passes through `plain` once.
"""

from __future__ import annotations

import re
import unicodedata

#: What Notify reads at the start of a line: headings, insets, bullets, rules, numbered lists, quotes.
BLOCK_MARKER = re.compile(r"^\s*(?:[#^*+\-•>_=]|\d+[.)])")
QUOTE = "| "


def plain(value) -> str:
    """`value` as text Notify shows as typed: no links, placeholders, headings, insets, rules or bullets.

    Line breaks stay (a partner should see a message's paragraphs); other control and invisible
    characters go, and Unicode line and paragraph separators become line breaks.
    """
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = "".join(c for c in text if c == "\n" or unicodedata.category(c) not in ("Cc", "Cf"))
    text = text.replace("((", "( (").replace("))", ") )").replace("](", "] (")
    return "\n".join(QUOTE + line if BLOCK_MARKER.match(line) else line for line in text.split("\n"))


def fill(template: str, values: dict[str, str]) -> str:
    """Every ((name)) in `template` replaced in one pass, so a value holding ((another)) stays as it is."""
    return re.sub(r"\(\(([A-Za-z0-9_]+)\)\)", lambda found: values.get(found[1], found[0]), template)
