"""The Jinja set-up shared by Flask and the Markdown component renderer.

nhsuk-frontend-jinja templates end in `.jinja`, which Flask does not autoescape
by default, and they need `ChainableUndefined`. Both are set here, once.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, PackageLoader

AUTOESCAPED_EXTENSIONS = ("html", "htm", "xml", "jinja", "svg")


def autoescape(template_name: str | None) -> bool:
    # Strings rendered with no file name (from_string) are escaped too.
    if template_name is None:
        return True
    return template_name.rsplit(".", 1)[-1] in AUTOESCAPED_EXTENSIONS


def template_loader(templates_dir: Path) -> ChoiceLoader:
    return ChoiceLoader([FileSystemLoader(str(templates_dir)), PackageLoader("nhsuk_frontend_jinja")])


JINJA_OPTIONS = {"undefined": ChainableUndefined, "autoescape": autoescape, "trim_blocks": True, "lstrip_blocks": True}


def standalone_environment(templates_dir: Path) -> Environment:
    """An environment without Flask, for rendering components inside Markdown (also in worker processes)."""
    return Environment(loader=template_loader(templates_dir), **JINJA_OPTIONS)
