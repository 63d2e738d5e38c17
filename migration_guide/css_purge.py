"""Dropping the CSS rules no page can use: how a guide page stays under 30 KB.

Compiling only the nhsuk-frontend components the guide uses still ships every variant of each
(every card type, every header layout, every spacing utility). After the site is frozen, the
stylesheet is cut down to the rules whose class names appear somewhere they can come from:

- the frozen HTML and the built JavaScript (nhsuk-frontend's scripts name the classes they add);
- our templates and Python (pages the functions render, such as error pages, use them);
- every rule of the form components (FORM_BLOCKS), which the functions render in states no
  frozen page shows (errors), whole.

A rule is kept when every class in one of its selectors can be used; rules without classes,
`@font-face` and `@keyframes` are always kept. The cut stylesheet gets its own content-hashed
name, and the frozen pages are pointed at it. `guide serve` still sends the whole stylesheet.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

#: Components the functions render in states the frozen pages never show: kept whole.
FORM_BLOCKS = frozenset({
    "nhsuk-back-link", "nhsuk-character-count", "nhsuk-checkboxes", "nhsuk-date-input", "nhsuk-error-message",
    "nhsuk-error-summary", "nhsuk-fieldset", "nhsuk-form-group", "nhsuk-hint", "nhsuk-input", "nhsuk-label",
    "nhsuk-panel", "nhsuk-radios", "nhsuk-select", "nhsuk-summary-list", "nhsuk-textarea",
})
TOKEN = re.compile(r"[A-Za-z0-9_-]+")
#: In HTML a class can only match through a class attribute: reading just those is much faster.
CLASS_ATTRIBUTE = re.compile(r"""\sclass=(?:"([^"]*)"|'([^']*)')""")
CLASS = re.compile(r"\.(-?[A-Za-z_][A-Za-z0-9_-]*)")
#: Selectors inside these may match without the classes they name, so they are not cut.
CONSERVATIVE = (":is(", ":where(", ":has(")
GROUPING_AT_RULES = ("@media", "@supports", "@container", "@layer")


def _block_of(class_name: str) -> str:
    return re.split(r"__|--", class_name, maxsplit=1)[0]


def _outside_strings(css: str, start: int):
    """`(index, character)` from `start` on, skipping quoted strings (and escapes within them)."""
    index, quote = start, None
    while index < len(css):
        char = css[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        else:
            yield index, char
        index += 1


def _blocks(css: str):
    """Top-level `(prelude, body)` pairs of a stylesheet, aware of strings."""
    index = 0
    while index < len(css):
        start, open_brace = index, None
        for position, char in _outside_strings(css, index):
            if char == "{":
                open_brace = position
                break
            if char == ";" and css[start:position].lstrip().startswith("@"):  # @charset "…"; @import …;
                yield css[start:position + 1], None
                start = position + 1
        if open_brace is None:
            if css[start:].strip():
                yield css[start:], None
            return
        depth, index = 1, len(css)
        for position, char in _outside_strings(css, open_brace + 1):
            depth += {"{": 1, "}": -1}.get(char, 0)
            if depth == 0:
                index = position + 1
                break
        yield css[start:open_brace], css[open_brace + 1:index - 1]


def _selectors(prelude: str) -> list[str]:
    parts, depth, current = [], 0, []
    for char in prelude:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _usable(selector: str, used: set[str]) -> bool:
    if any(marker in selector for marker in CONSERVATIVE):
        return True
    without_negations = re.sub(r":not\([^()]*\)", "", selector)
    return all(name in used or _block_of(name) in FORM_BLOCKS for name in CLASS.findall(without_negations))


def purge_css(css: str, used: set[str]) -> str:
    """The rules of `css` that can match an element with classes from `used`."""
    kept = []
    for prelude, body in _blocks(css):
        if body is None:
            kept.append(prelude)
            continue
        head = prelude.strip()
        if head.startswith(GROUPING_AT_RULES):
            inner = purge_css(body, used)
            if inner:
                kept.append(f"{head}{{{inner}}}")
        elif head.startswith("@"):
            kept.append(f"{head}{{{body}}}")
        else:
            selectors = [selector for selector in _selectors(head) if _usable(selector, used)]
            if selectors:
                kept.append(",".join(selectors) + "{" + body + "}")
    return "".join(kept)


def used_names(files) -> set[str]:
    names: set[str] = set()
    for path in files:
        names.update(TOKEN.findall(Path(path).read_text(encoding="utf-8", errors="ignore")))
    return names


def _pages(out_dir: Path):
    """The site's HTML files, not looking inside the search index, which Pagefind writes meanwhile."""
    for folder, subfolders, files in os.walk(out_dir):
        subfolders[:] = [name for name in subfolders if name != "pagefind"]
        yield from (Path(folder) / name for name in files if name.endswith(".html"))


def _write_atomically(path: Path, text: str) -> None:
    """Readers (Pagefind runs meanwhile) see the old file or the new one, never half of one."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def purge_site_stylesheet(out_dir: Path, manifest: dict[str, str], source_files, name: str = "app.css") -> dict[str, str]:
    """Cuts the frozen site's stylesheet down, points every page at it; returns the new asset manifest."""
    assets = out_dir / "assets"
    original = manifest.get(name)
    if not original or not (assets / original).is_file():
        return manifest
    folder, stem, suffix = str(Path(original).parent), Path(original).name.split(".", 1)[0], Path(original).suffix
    reference = re.compile(re.escape(folder) + "/" + re.escape(stem) + r"\.[0-9a-f]{10}" + re.escape(suffix))

    used: set[str] = set()
    pointing: dict[Path, set[str]] = {}  # page → the stylesheet names it links to
    for html_file in _pages(out_dir):
        text = html_file.read_text(encoding="utf-8")
        for double, single in CLASS_ATTRIBUTE.findall(text):
            used.update((double or single).split())
        if found := set(reference.findall(text)):
            pointing[html_file] = found
    used |= used_names([*(assets / folder).glob("*.js"), *source_files])

    css = (assets / original).read_text(encoding="utf-8")
    bom = "\ufeff" if css.startswith("\ufeff") else ""
    purged = bom + purge_css(css.removeprefix("\ufeff"), used)
    renamed = f"{folder}/{stem}.{hashlib.sha256(purged.encode()).hexdigest()[:10]}{suffix}"
    (assets / renamed).write_text(purged, encoding="utf-8")
    if renamed != original:
        (assets / original).unlink()
    # Every page names the new file, including pages a warm rebuild kept from the last build.
    for html_file, names in pointing.items():
        if names != {renamed}:
            _write_atomically(html_file, reference.sub(renamed, html_file.read_text(encoding="utf-8")))
    return {**manifest, name: renamed}
