"""Dropping the CSS rules no page can use: how a guide page stays under 30 KB.

Compiling only the nhsuk-frontend components the guide uses still ships every variant of each
(every card type, every header layout, every spacing utility). After the site is frozen,
PurgeCSS (assets/purge.mjs, one Node process per build) cuts the stylesheet down to the rules
whose class names, tags and attributes appear as words somewhere they can come from:

- the frozen pages' class attributes, and the built JavaScript (nhsuk-frontend's scripts name
  the classes they add);
- our templates and Python (pages the functions render, such as error pages, use them);
- every rule of the form components (FORM_BLOCKS), which the functions render in states no
  frozen page shows (errors), whole.

Rules that name no class (element rules, `[hidden]`, `[open]`), `@font-face` and `@keyframes`
are always kept. The cut stylesheet gets its own content-hashed name, and the frozen pages are
pointed at it. `guide serve` still sends the whole stylesheet.

Node and PurgeCSS take most of a second, and an edit to a page's text changes none of their
inputs, so the result is kept (in `Settings.purged_css_dir`, beside the compiled assets) under a
hash of every input (the stylesheet, the class names in use, the words of the scripts, templates
and Python, the safelist and the script itself): a build runs PurgeCSS only when one changed.

Nor is each page written twice. The cut's name is known only once every page is frozen, so the
name the last build of the same content folder ended with is recorded (`expected_cut`), and
the build freezes its pages naming that file. Only when the cut turns out different are pages
rewritten; a page Frozen-Flask finds unchanged on disk is then not written at all.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from ..config import PROJECT_ROOT, Settings
from ..fingerprints import PACKAGE_DIR
from ..web.assets import AssetError

#: Components the functions render in states the frozen pages never show: kept whole.
FORM_BLOCKS = frozenset(
    {
        "nhsuk-back-link",
        "nhsuk-character-count",
        "nhsuk-checkboxes",
        "nhsuk-date-input",
        "nhsuk-error-message",
        "nhsuk-error-summary",
        "nhsuk-fieldset",
        "nhsuk-form-group",
        "nhsuk-hint",
        "nhsuk-input",
        "nhsuk-label",
        "nhsuk-panel",
        "nhsuk-radios",
        "nhsuk-select",
        "nhsuk-summary-list",
        "nhsuk-textarea",
    }
)
#: PurgeCSS keeps a selector when each of its parts is found in the content or matches one of these.
SAFELIST = {
    "standard": [
        # The form components' classes: their blocks, elements and modifiers count as used.
        rf"^(?:{'|'.join(sorted(FORM_BLOCKS))})(?:$|__|--)",
        # Element and attribute names (table, [hidden], [aria-current=page]), so that only classes are
        # purged: every class in the stylesheet has a hyphen and starts with nhsuk- or app-.
        r"^[a-z][a-z0-9]*$",
        r"^(?:aria|data)-",
    ]
}
SCRIPT = PROJECT_ROOT / "assets" / "purge.mjs"
#: Cuts kept in the cache folder, the newest.
KEPT_CUTS = 8
#: In the cache folder: each content folder's last cut, by the full stylesheet's name.
LAST_CUTS = "last-cuts.json"
#: Content folders remembered there, the most recently built.
KEPT_LAST_CUTS = 32


#: In HTML a class can only match through a class attribute: words elsewhere on a page are no class.
#: (Starting at the literal `class=` is three times faster than a leading `\s`; that it also
#: reads `data-class=` only keeps a rule more.)
CLASS_ATTRIBUTE = re.compile(r"""class=(?:"([^"]*)"|'([^']*)')""")


def page_classes(html: str) -> set[str]:
    return {name for found in CLASS_ATTRIBUTE.findall(html) for name in "".join(found).split()}


def purge(
    css_file: Path,
    content: list[Path],
    classes: frozenset[str] | set[str] = frozenset(),
    node_modules: Path = PROJECT_ROOT / "node_modules",
) -> str:
    """The rules of `css_file` that `classes` and the words of `content` can use (see the module docstring)."""
    node = shutil.which("node")
    if not node or not (node_modules / "purgecss").is_dir():
        raise AssetError("PurgeCSS needs Node.js and node_modules/purgecss: run 'npm ci' (or 'make install')")
    options = {
        "css": str(css_file),
        "content": [str(path) for path in content],
        "classes": sorted(classes),
        "safelist": SAFELIST,
    }
    result = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps(options),
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=PROJECT_ROOT,
    )
    if result.returncode != 0:
        raise AssetError(f"PurgeCSS failed on {css_file.name}:\n{result.stderr.strip() or result.stdout[-2000:]}")
    return result.stdout


def purge_key(css_file: Path, content: list[Path], classes: set[str]) -> str:
    """A hash of everything PurgeCSS reads: equal keys give equal results."""
    digest = hashlib.sha256()
    for path in [SCRIPT, css_file, *sorted(content)]:
        digest.update(str(path.name).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(json.dumps([sorted(classes), SAFELIST]).encode())
    return digest.hexdigest()


def cached_purge(cache_dir: Path | None, css_file: Path, content: list[Path], classes: set[str]) -> str:
    """`purge`, run only when its inputs changed since a build that used `cache_dir`; None turns the cache off."""
    if cache_dir is None:
        return purge(css_file, content, classes)
    cached = cache_dir / f"{purge_key(css_file, content, classes)}.css"
    with contextlib.suppress(FileNotFoundError):  # another build may replace it meanwhile: then purge again
        return cached.read_text(encoding="utf-8")
    purged = purge(css_file, content, classes)
    cache_dir.mkdir(parents=True, exist_ok=True)
    # A few recent cuts (several content folders, a branch switched back), not every cut ever made.
    for old in sorted(cache_dir.glob("*.css"), key=_modified)[: -KEPT_CUTS + 1]:
        old.unlink(missing_ok=True)
    _write_atomically(cached, purged)
    return purged


def _modified(path: Path) -> float:
    """When `path` was written; 0 if another build removed it meanwhile."""
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def class_sources(settings: Settings) -> list[Path]:
    """Where class names can come from besides the frozen pages: every template, and every module of
    the package at any depth (the functions render pages the build never freezes)."""
    return [*settings.templates_dir.rglob("*.jinja"), *PACKAGE_DIR.rglob("*.py")]


def _pages(out_dir: Path):
    """The site's HTML files, not looking inside the search index, which Pagefind writes meanwhile."""
    for folder, subfolders, files in os.walk(out_dir):
        subfolders[:] = [name for name in subfolders if name != "pagefind"]
        yield from (Path(folder) / name for name in files if name.endswith(".html"))


def _write_atomically(path: Path, text: str) -> None:
    """Readers (Pagefind runs meanwhile) see the old file or the new one, never half of one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def _last_cuts(cache_dir: Path) -> dict[str, str]:
    try:
        recorded = json.loads((cache_dir / LAST_CUTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def _cut_key(content_dir: Path, original: str) -> str:
    return f"{content_dir.resolve()}|{original}"


def expected_cut(
    cache_dir: Path | None, content_dir: Path, manifest: dict[str, str], name: str = "app.css"
) -> str | None:
    """The cut stylesheet's name the last build of `content_dir` ended with, for the same full stylesheet:
    what the pages are likely to name again. None when there is no such build."""
    if cache_dir is None or name not in manifest:
        return None
    return _last_cuts(cache_dir).get(_cut_key(content_dir, manifest[name]))


def purge_site_stylesheet(
    out_dir: Path,
    manifest: dict[str, str],
    source_files,
    name: str = "app.css",
    cache_dir: Path | None = None,
    content_dir: Path | None = None,
) -> dict[str, str]:
    """Cuts the frozen site's stylesheet down, points every page at it; returns the new asset manifest.

    With `cache_dir`, an unchanged set of inputs reuses the last cut, and with `content_dir` too, the cut's
    name is recorded for `expected_cut` (see the module docstring)."""
    assets = out_dir / "assets"
    original = manifest.get(name)
    if not original or not (assets / original).is_file():
        return manifest
    folder, stem, suffix = str(Path(original).parent), Path(original).name.split(".", 1)[0], Path(original).suffix
    reference = re.compile(re.escape(folder) + "/" + re.escape(stem) + r"\.[0-9a-f]{10}" + re.escape(suffix))

    pages = {path: path.read_text(encoding="utf-8") for path in _pages(out_dir)}
    classes = set().union(*map(page_classes, pages.values()))  # read once, here: the pages are rewritten below
    purged = cached_purge(cache_dir, assets / original, [*(assets / folder).glob("*.js"), *source_files], classes)
    renamed = f"{folder}/{stem}.{hashlib.sha256(purged.encode()).hexdigest()[:10]}{suffix}"
    (assets / renamed).write_text(purged, encoding="utf-8")
    if renamed != original:
        (assets / original).unlink()
    # Every page names the new file, including pages a warm rebuild kept from the last build.
    for html_file, text in pages.items():
        if (found := set(reference.findall(text))) and found != {renamed}:
            _write_atomically(html_file, reference.sub(renamed, text))
    if cache_dir is not None and content_dir is not None:
        last_cuts, key = _last_cuts(cache_dir), _cut_key(content_dir, original)
        if last_cuts.get(key) != renamed:
            last_cuts.pop(key, None)
            last_cuts[key] = renamed  # last: the newest are kept
            cache_dir.mkdir(parents=True, exist_ok=True)
            kept = dict(list(last_cuts.items())[-KEPT_LAST_CUTS:])
            _write_atomically(cache_dir / LAST_CUTS, json.dumps(kept, indent=1))
    return {**manifest, name: renamed}
