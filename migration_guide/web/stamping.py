"""Rendering a macro once and stamping its output: the build's cheapest way to repeat a component.

A guide page repeats some components many times with only a few values changed: the
"Was this section helpful?" form comes once per section, built from nhsuk-frontend-jinja's
radios, textarea and button macros, which are slow to run. `stamped(macro, *args)` runs the
macro once with placeholder arguments, keeps the HTML, and from then on fills the placeholders
with each call's arguments, escaped as Jinja would escape them.

It checks itself: the first calls are also rendered normally and compared, and a macro whose
output is not a plain substitution of its arguments (one that changes case, slugifies or
measures an argument, say) is rendered normally from then on. So output never differs.

In templates: `{{ stamped(feedback.section_feedback, page.permalink, section.id, section.title) }}`.
"""

from __future__ import annotations

import re
import threading

from markupsafe import Markup, escape

#: Calls compared with a normal rendering before a stamp is trusted.
CHECKED_CALLS = 3
_PLACEHOLDER = "\x1astamp{}\x1a"
_PLACEHOLDERS = re.compile("\x1astamp(\\d+)\x1a")


class _Stamp:
    __slots__ = ("checked", "parts", "trusted")

    def __init__(self, html: str):
        # Alternating literal text and argument numbers: ["<p>", 0, "</p>"].
        self.parts: list[str | int] = []
        position = 0
        for match in _PLACEHOLDERS.finditer(html):
            self.parts.append(html[position : match.start()])
            self.parts.append(int(match[1]))
            position = match.end()
        self.parts.append(html[position:])
        self.checked = 0
        self.trusted = True

    def fill(self, args: tuple) -> str:
        values = [str(escape(arg)) for arg in args]
        return "".join(part if isinstance(part, str) else values[part] for part in self.parts)


class Stamper:
    """Stamps for one app (their HTML depends on its settings, such as the base path)."""

    def __init__(self):
        self._stamps: dict[tuple, _Stamp] = {}
        self._lock = threading.Lock()

    def __call__(self, macro, *args) -> Markup:
        # A macro imported "with context" is a new object on every render; its compiled code is not.
        key = (getattr(getattr(macro, "_func", None), "__code__", None) or id(macro), len(args))
        stamp = self._stamps.get(key)
        if stamp is None:
            placeholders = [_PLACEHOLDER.format(number) for number in range(len(args))]
            stamp = _Stamp(str(macro(*placeholders)))
            with self._lock:
                self._stamps.setdefault(key, stamp)
        if not stamp.trusted:
            return Markup(macro(*args))
        if stamp.checked < CHECKED_CALLS:
            rendered = str(macro(*args))
            stamp.checked += 1
            if rendered != stamp.fill(args):
                stamp.trusted = False
            return Markup(rendered)
        return Markup(stamp.fill(args))


def _frozen(value):
    """A hashable copy of a component's parameters; Markup kept apart from plain text."""
    if isinstance(value, Markup):
        return ("markup", str(value))
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(key), _frozen(item)) for key, item in value.items())))
    if isinstance(value, (list, tuple)):
        return ("list", tuple(_frozen(item) for item in value))
    raise TypeError(f"not a plain parameter: {type(value).__name__}")


class Memo:
    """`memo(macro, params)`: a component rendered once for each set of parameters.

    For nhsuk-frontend-jinja components, which are imported without context and so depend on
    their parameters alone: the header and footer are the same on every page but for which
    menu item is current, and took a good part of each page's rendering.
    """

    LIMIT = 512

    def __init__(self):
        self._rendered: dict[tuple, Markup] = {}

    def __call__(self, macro, *args) -> Markup:
        try:
            key = (getattr(getattr(macro, "_func", None), "__code__", None) or id(macro), _frozen(args))
        except TypeError:
            return Markup(macro(*args))
        html = self._rendered.get(key)
        if html is None:
            html = Markup(macro(*args))
            if len(self._rendered) < self.LIMIT:
                self._rendered[key] = html
        return html
