"""What each page type (`layout:` in front matter) is, in one table: its template, whether its sections take
feedback, and whether it is in search, in the printed guide and in the sitemap.

Loading refuses a layout not in the table, the functions' manifest says which pages take feedback, the
views pick the template, and the templates show feedback forms and mark search text, all from here, so a
new layout that reuses a template cannot show forms whose posts the functions refuse.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Layout:
    name: str
    #: templates/layouts/<template>.jinja
    template: str
    #: Each section ends with the "Is this section helpful?" form, and the functions accept its posts.
    takes_feedback: bool = False
    #: Its text is indexed by Pagefind (the template marks it data-pagefind-body).
    in_search: bool = True
    #: Printed in /guide/print/ when the sidebar lists it.
    in_print: bool = True
    in_sitemap: bool = True


#: A page without `layout:` is a plain page.
DEFAULT = "page"

_GUIDE = Layout("guide", "guide", takes_feedback=True)

#: Front matter's `layout:` → the layout. `page_with_sidebar` is the older (Jekyll) name of `guide`.
LAYOUTS: dict[str, Layout] = {
    "home": Layout("home", "home", in_print=False),
    "page": Layout("page", "page"),
    "guide": _GUIDE,
    "page_with_sidebar": _GUIDE,
    # A role's page with its checklist (front matter `checklist: NAME`) after the text.
    "checklist": Layout("checklist", "checklist"),
    # The list of every role's checklist.
    "checklists": Layout("checklists", "checklists"),
}
