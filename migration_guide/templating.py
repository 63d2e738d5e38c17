"""The Jinja set-up shared by Flask and the Markdown component renderer.

nhsuk-frontend-jinja templates end in `.jinja`, which Flask does not autoescape
by default, and they need `ChainableUndefined`. Both are set here, once.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import BytecodeCache, ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, PackageLoader

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


JINJA_OPTIONS = {
    "undefined": ChainableUndefined,
    "autoescape": autoescape,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "bytecode_cache": SharedBytecodeCache(),
}


def standalone_environment(templates_dir: Path) -> Environment:
    """An environment without Flask, for rendering components inside Markdown (also in worker processes)."""
    return Environment(loader=template_loader(templates_dir), **JINJA_OPTIONS)
