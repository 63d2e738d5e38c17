"""Internal addresses under the base path: the one way templates and views build links."""

from __future__ import annotations

from flask import current_app

from ..content.links import canonical_path


def page_url(path: str) -> str:
    """A page's address under the base path."""
    return current_app.config["SETTINGS"].base_path + canonical_path(path)


def absolute_url(path: str) -> str:
    return current_app.config["SETTINGS"].site_url + page_url(path)
