"""The Jinja set-up shared by Flask and the Markdown component renderer.

nhsuk-frontend-jinja templates end in `.jinja`, which Flask does not autoescape
by default, and they need `ChainableUndefined`. Both are set here, once.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import (
    BaseLoader,
    BytecodeCache,
    ChainableUndefined,
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    ModuleLoader,
    PackageLoader,
    TemplateNotFound,
    meta,
)

AUTOESCAPED_EXTENSIONS = ("html", "htm", "xml", "jinja", "svg")


def autoescape(template_name: str | None) -> bool:
    # Strings rendered with no file name (from_string) are escaped too.
    if template_name is None:
        return True
    return template_name.rsplit(".", 1)[-1] in AUTOESCAPED_EXTENSIONS


def template_loader(templates_dir: Path) -> ChoiceLoader:
    return ChoiceLoader([FileSystemLoader(str(templates_dir)), PackageLoader("nhsuk_frontend_jinja")])


class SharedBytecodeCache(BytecodeCache):
    """Compiled templates shared by every Jinja environment in the process.

    Compiling the nhsuk-frontend-jinja macros takes about half a second; without
    this, every new app (each test, each worker) pays it again. Buckets are keyed
    by template name and source checksum, so an edited template is compiled afresh.
    """

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        compiled = self._compiled.get(bucket.key)
        if compiled is not None:
            bucket.bytecode_from_string(compiled)

    def dump_bytecode(self, bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


JINJA_OPTIONS: dict[str, Any] = {
    "undefined": ChainableUndefined,
    "autoescape": autoescape,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "bytecode_cache": SharedBytecodeCache(),
}


def standalone_environment(templates_dir: Path, bytecode_dir: Path | None = None) -> Environment:
    """An environment without Flask, for rendering components inside Markdown (also in worker processes).

    With `bytecode_dir`, compiled templates are kept there, as a build keeps the app's: each new
    process (every build, every worker) then loads the components' macros instead of compiling them."""
    options = dict(JINJA_OPTIONS)
    if bytecode_dir is not None:
        bytecode_dir.mkdir(parents=True, exist_ok=True)
        options["bytecode_cache"] = FileSystemBytecodeCache(str(bytecode_dir))
    return Environment(loader=template_loader(templates_dir), **options)


# Templates compiled ahead of time, for the form functions' cold start.

CHECKSUMS_FILE = "checksums.json"


def _checksum(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def _compiled_reachable(environment: Environment, entry_names):
    """`(name, checksum of its source, Python module source)` of the entries and every template
    they extend, include or import: each parsed once, for its references and its code."""
    seen: set[str] = set()
    waiting = list(entry_names)
    while waiting:
        name = waiting.pop()
        if name in seen:
            continue
        seen.add(name)
        source, filename, _ = environment.loader.get_source(environment, name)
        parsed = environment.parse(source, name, filename)
        yield name, _checksum(source), environment.compile(parsed, name, filename, raw=True, defer_init=True)
        waiting.extend(child for child in meta.find_referenced_templates(parsed) if child)


def _compiled_checksums(folder: Path) -> dict | None:
    try:
        recorded = json.loads((folder / CHECKSUMS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return recorded if recorded.get("jinja") == jinja2.__version__ else None


def precompile(templates_dir: Path, folder: Path, entry_names) -> bool:
    """Compile the templates reachable from `entry_names` into `folder` as Python modules.

    The functions render pages (thanks, errors) with nhsuk-frontend-jinja macros whose
    compiling is most of a cold start; shipped compiled, a new process only imports them.
    Returns False when `folder` already holds them compiled from the same sources.
    """
    environment = standalone_environment(templates_dir)
    recorded = _compiled_checksums(folder)
    if (
        recorded
        and set(entry_names) <= recorded["templates"].keys()
        and all(_up_to_date(environment, name, checksum) for name, checksum in recorded["templates"].items())
    ):
        return False
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-"))
    checksums = {}
    for name, checksum, module in _compiled_reachable(environment, entry_names):
        (staging / ModuleLoader.get_module_filename(name)).write_text(module, encoding="utf-8")
        checksums[name] = checksum
    (staging / CHECKSUMS_FILE).write_text(
        json.dumps({"jinja": jinja2.__version__, "templates": checksums}, sort_keys=True)
    )
    shutil.rmtree(folder, ignore_errors=True)
    staging.replace(folder)  # a process starting meanwhile finds no folder and compiles from source
    return True


def _up_to_date(environment: Environment, name: str, checksum: str) -> bool:
    try:
        source, _, _ = environment.loader.get_source(environment, name)
    except TemplateNotFound:
        return False
    return _checksum(source) == checksum


class PrecompiledLoader(BaseLoader):
    """Loads templates compiled by `precompile`, and compiles from source any that has changed since.

    Each template's source is still read and compared with its checksum, so an edited
    template is never served stale; only the compiling is saved.
    """

    def __init__(self, folder: Path, sources: BaseLoader):
        recorded = _compiled_checksums(folder)
        self.checksums: dict[str, str] = recorded["templates"] if recorded else {}
        self.modules = ModuleLoader(str(folder))
        self.sources = sources

    def get_source(self, environment, name):
        return self.sources.get_source(environment, name)

    def list_templates(self):
        return self.sources.list_templates()

    def load(self, environment, name, globals=None):
        source, _, _ = self.sources.get_source(environment, name)
        if self.checksums.get(name) == _checksum(source):
            try:
                return self.modules.load(environment, name, globals)
            except TemplateNotFound:
                pass
        return super().load(environment, name, globals)
