"""The guide's side navigation, drawn in Python: the same on every page but for the current item.

Drawn twice on each guide page (beside the text, and folded near the top for phones), it was
half the time of rendering a page as a Jinja macro. Here it is one pass over the sections, every
text escaped, on one line: so the NHS details component that folds it leaves it as it is (its
`indent` filter changes nothing on one line), and the fold can be stamped (see `stamping`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

from ..content.model import Page
from ..content.navigation import NavSection
from .urls import page_url


def side_nav(
    sections: Sequence[NavSection],
    current: Page,
    pages: Mapping[str, Page],
    label: str = "Guide",
    heading_tag: str = "h2",
) -> Markup:
    """`<nav class="app-side-nav">`: each section's heading, then a link to each of its pages."""
    tag = escape(heading_tag)
    parts = [f'<nav class="app-side-nav" aria-label="{escape(label)}">']
    for section in sections:
        parts.append(f'<{tag} class="app-side-nav__heading">{escape(section.heading)}</{tag}>')
        parts.append('<ul class="app-side-nav__list">')
        for permalink in section.permalinks:
            href, title = escape(page_url(permalink)), escape(pages[permalink].title)
            if permalink == current.permalink:
                parts.append(
                    '<li class="app-side-nav__item app-side-nav__item--current">'
                    f'<a href="{href}" aria-current="page">{title}</a></li>'
                )
            else:
                parts.append(f'<li class="app-side-nav__item"><a href="{href}">{title}</a></li>')
        parts.append("</ul>")
    parts.append("</nav>")
    return Markup("".join(parts))
