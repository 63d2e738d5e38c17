"""Markdown to HTML for guide pages: headings with ids, NHS.UK components, canonical links.

One `MarkdownRenderer` renders every page of a build. Rendering a page needs
nothing from other pages: what a page links to is recorded, and checked later
against the whole guide (see `validation`). Rendering is pure: no Flask.
"""

from __future__ import annotations

import html as html_lib
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from ..templating import standalone_environment
from .facts import FACT
from .links import is_internal, parse_internal
from .model import Heading, LinkRef, RenderedPage, Section
from .phases import GROUP as KEY_PHASES

COMPONENT_OPEN = re.compile(r"^:::\s*(?P<name>[A-Za-z][\w-]*)\s*(?P<title>.*?)\s*$")
COMPONENT_CLOSE = re.compile(r"^:::\s*$")
COMPONENTS = {"inset", "warning", "details", "action-link", "button", "steps"}
COMPONENTS_NEEDING_TITLE = {"details", "steps"}
#: Table elements and the nhsuk-table element class each takes.
TABLE_PARTS = {"th": "header", "td": "cell", "tr": "row", "thead": "head", "tbody": "body"}
#: `{phase:initial-data-production.when}`: a fact from a key phase's file, quoted so pages cannot drift
#: from the timeline. FIELD is `when` (from the week offsets), `duration`, or any other key of the file.
PHASE_FACT = re.compile(r"\{phase:(?P<slug>[a-z0-9-]+)\.(?P<field>[a-z0-9_]+)\}")
MARKDOWN_LINK = re.compile(r"^\s*\[(?P<text>[^\]]+)\]\((?P<href>[^)\s]+)\)\s*$")


@dataclass(frozen=True)
class StepView:
    """What the timeline needs of a step, already rendered."""

    title: str
    href: str
    duration: str
    summary_html: str
    #: When the step happens relative to go-live, such as "16 to 15 weeks before go-live".
    when: str = ""


class _RenderState:
    """What one render collects; reset before each page."""

    def __init__(self) -> None:
        self.links: list[LinkRef] = []
        self.steps_groups: list[str] = []
        self.problems: list[tuple[int, str]] = []
        self.terms: list[Heading] = []


class _LinkRewriter(Treeprocessor):
    """Points internal links at canonical URLs under the base path; leaves external links alone."""

    def __init__(self, md, state: _RenderState, base_path: str):
        super().__init__(md)
        self.state = state
        self.base_path = base_path

    def run(self, root):
        for element in root.iter("a"):
            href = element.get("href", "")
            if not is_internal(href):
                continue
            link = parse_internal(href)
            self.state.links.append(LinkRef(href, link.path, link.fragment))
            element.set("href", link.href(self.base_path))


class _HeadingDecorator(Treeprocessor):
    """Adds a heading link to each h2/h3 and NHS.UK classes to tables.

    The heading link is a real, focusable link with text for screen readers,
    so it works without JavaScript or a mouse.
    """

    def run(self, root):
        for element in root.iter():
            if element.tag in ("h2", "h3") and element.get("id"):
                text = "".join(element.itertext()).strip()
                # Not part of the heading's text for search (Pagefind names a result after its heading).
                link = etree.SubElement(
                    element,
                    "a",
                    {"class": "app-heading-link", "href": "#" + element.get("id"), "data-pagefind-ignore": "all"},
                )
                hidden = etree.SubElement(link, "span", {"class": "nhsuk-u-visually-hidden"})
                hidden.text = f"Link to the section: {text}"
                mark = etree.SubElement(link, "span", {"aria-hidden": "true"})
                mark.text = "#"
            elif element.tag == "table":
                _responsive_table(element)


#: Terms that must not break at their hyphen in a narrow table cell ("go- / live").
_UNBREAKABLE = re.compile(r"\b(go)-(live)\b", re.IGNORECASE)


def _unbreakable(text: str | None) -> str | None:
    return _UNBREAKABLE.sub("\\1\u2011\\2", text) if text else text


def _responsive_table(table) -> None:
    """nhsuk-frontend's responsive table, as its `table` macro writes it with `responsive: true`.

    On phones each row stacks, each cell led by its column's heading (`nhsuk-table__heading`,
    hidden from screen readers, which have the roles instead); from the desktop breakpoint on it
    is an ordinary table. A cell's content goes in one span, so the heading and it are two flex items.
    """
    table.set("class", "nhsuk-table nhsuk-table--responsive")
    table.set("role", "table")
    headings: list[str] = []
    for part in table:
        if part.tag == "thead":
            part.set("role", "rowgroup")
            for row in part.iter("tr"):
                headings = ["".join(cell.itertext()).strip() for cell in row]
                for cell in row:
                    cell.set("role", "columnheader")
                    cell.set("scope", "col")
        for row in part.iter("tr"):
            row.set("role", "row")
            if part.tag != "tbody":
                continue
            for index, cell in enumerate(row):
                cell.set("role", "cell")
                for node in cell.iter():
                    if node.tag != "code":  # code is copied as it is written
                        node.text = _unbreakable(node.text)
                    if node is not cell:
                        node.tail = _unbreakable(node.tail)
                value = etree.Element("span")
                value.text, cell.text = cell.text, None
                for child in list(cell):
                    cell.remove(child)
                    value.append(child)
                if index < len(headings) and headings[index]:
                    heading = etree.SubElement(cell, "span", {"class": "nhsuk-table__heading", "aria-hidden": "true"})
                    heading.text = headings[index] + " "
                cell.append(value)
    for element in table.iter():
        if element.tag in TABLE_PARTS:
            element.set("class", f"nhsuk-table__{TABLE_PARTS[element.tag]}")


class _TermIds(Treeprocessor):
    """Gives each defined term (`<dt>` of a definition list, as in the glossary) an id, so a link,
    the search results and the A to Z can lead to the term itself rather than the top of its page."""

    def __init__(self, md, state: _RenderState):
        super().__init__(md)
        self.state = state

    def run(self, root):
        terms = [element for element in root.iter("dt") if not element.get("id")]
        if not terms:
            return
        taken = {element.get("id") for element in root.iter() if element.get("id")}
        for term in terms:
            text = " ".join("".join(term.itertext()).split())
            base = "term-" + (re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "entry")
            ident, number = base, 1
            while ident in taken:
                number += 1
                ident = f"{base}-{number}"
            taken.add(ident)
            term.set("id", ident)
            self.state.terms.append(Heading(0, ident, text))


class _ComponentBlocks(Preprocessor):
    """Turns `:::name title` … `:::` blocks into NHS.UK components rendered by their Jinja macros."""

    def __init__(self, md, renderer: MarkdownRenderer, state: _RenderState):
        super().__init__(md)
        self.renderer = renderer
        self.state = state

    def run(self, lines):
        output: list[str] = []
        index = 0
        while index < len(lines):
            opening = COMPONENT_OPEN.match(lines[index])
            if not opening:
                output.append(lines[index])
                index += 1
                continue
            start = index
            name, title = opening["name"], opening["title"]
            body: list[str] = []
            index += 1
            while index < len(lines) and not COMPONENT_CLOSE.match(lines[index]):
                body.append(lines[index])
                index += 1
            if index == len(lines):
                self.state.problems.append((start + 1, f"component ':::{name}' is never closed with ':::'"))
                output.extend(lines[start:])
                break
            index += 1  # the closing line
            html = self.renderer.render_component(name, title, "\n".join(body), start + 1, self.state)
            output.extend(["", self.md.htmlStash.store(html), ""])
        return output


class _PhaseFacts(Preprocessor):
    """Replaces `{phase:SLUG.FIELD}` with that fact of the key phase, and `{fact:NAME}` with that figure of the
    facts file, as plain text."""

    def __init__(self, md, renderer: MarkdownRenderer, state: _RenderState):
        super().__init__(md)
        self.renderer = renderer
        self.state = state

    def run(self, lines):
        facts = self.renderer.phase_facts

        def fact(match: re.Match, number: int) -> str:
            slug, field = match["slug"], match["field"]
            if slug not in facts:
                known = ", ".join(sorted(facts)) or "none"
                self.state.problems.append((number, f"{match[0]}: no key phase '{slug}' (known: {known})"))
            elif field not in facts[slug]:
                known = ", ".join(sorted(facts[slug]))
                self.state.problems.append((number, f"{match[0]}: phase '{slug}' has no '{field}' (known: {known})"))
            else:
                return facts[slug][field]
            return match[0]

        def figure(match: re.Match, number: int) -> str:
            if match["name"] in self.renderer.facts:
                return self.renderer.facts[match["name"]]
            known = ", ".join(sorted(self.renderer.facts)) or "none"
            self.state.problems.append(
                (number, f"{match[0]}: no fact '{match['name']}' in data/facts.yml (known: {known})")
            )
            return match[0]

        lines = [
            PHASE_FACT.sub(lambda match, n=number: fact(match, n), line) if "{phase:" in line else line
            for number, line in enumerate(lines, start=1)
        ]
        return [
            FACT.sub(lambda match, n=number: figure(match, n), line) if "{fact:" in line else line
            for number, line in enumerate(lines, start=1)
        ]


class _GuideExtension(Extension):
    def __init__(self, renderer: MarkdownRenderer, state: _RenderState, with_components: bool):
        super().__init__()
        self.renderer = renderer
        self.state = state
        self.with_components = with_components

    def extendMarkdown(self, md):
        if self.with_components:
            md.preprocessors.register(_PhaseFacts(md, self.renderer, self.state), "guide_phase_facts", 29)
            md.preprocessors.register(_ComponentBlocks(md, self.renderer, self.state), "guide_components", 28)
        md.treeprocessors.register(_LinkRewriter(md, self.state, self.renderer.base_path), "guide_links", 4)
        md.treeprocessors.register(_HeadingDecorator(md), "guide_headings", 3)
        md.treeprocessors.register(_TermIds(md, self.state), "guide_terms", 2)


class MarkdownRenderer:
    """Renders guide Markdown. Build one per build; it is reused for every page."""

    def __init__(
        self,
        templates_dir: Path,
        base_path: str = "",
        steps: dict[str, list[dict]] | None = None,
        facts: dict[str, str] | None = None,
        bytecode_dir: Path | None = None,
    ):
        self.base_path = base_path
        #: name → value, for `{fact:…}`: the figures of content/data/facts.yml.
        self.facts = facts or {}
        self.environment = standalone_environment(templates_dir, bytecode_dir)
        # A template module: its macros are attributes the checker cannot know.
        self.macros: Any = self.environment.get_template("components/markdown.jinja").module
        self._steps_source = steps or {}
        #: slug → field → text, for `{phase:…}`: the key phases' facts, from the files the planner reads.
        self.phase_facts: dict[str, dict[str, str]] = {
            step["slug"]: step["facts"] for step in self._steps_source.get(KEY_PHASES, []) if "slug" in step
        }
        self._steps_cache: dict[str, list[StepView]] = {}
        self._state = _RenderState()
        self._page_markdown = markdown.Markdown(
            extensions=[
                "tables",
                "attr_list",
                "def_list",
                "md_in_html",
                "toc",
                _GuideExtension(self, self._state, with_components=True),
            ],
            # No [TOC] marker: the page template draws "On this page", and looking for one walks every element.
            extension_configs={"toc": {"permalink": False, "toc_depth": "2-3", "marker": ""}},
        )
        self._inner_markdown = markdown.Markdown(
            extensions=["tables", "attr_list", "def_list", _GuideExtension(self, self._state, with_components=False)]
        )

    def render(self, text: str) -> RenderedPage:
        state = self._state
        state.__init__()  # type: ignore[misc]  # one state object, shared with the extension, reset per page
        md = self._page_markdown
        md.reset()
        html = md.convert(text)
        headings = [
            Heading(level, ident, html_lib.unescape(name)) for level, ident, name in _flatten_toc(md.toc_tokens)
        ]
        return RenderedPage(
            html=html,
            sections=_split_sections(html, headings),
            headings=headings,
            element_ids=frozenset(re.findall(r'\sid="([^"]+)"', html)),
            links=list(state.links),
            steps_groups=list(state.steps_groups),
            problems=list(state.problems),
            terms=list(state.terms),
        )

    def render_fragment(self, text: str) -> str:
        """Markdown inside a component or a step: links rewritten, no components, no contents."""
        self._inner_markdown.reset()
        return self._inner_markdown.convert(text)

    def render_component(self, name: str, title: str, body: str, line: int, state: _RenderState) -> str:
        if name not in COMPONENTS:
            state.problems.append((line, f"unknown component ':::{name}' (known: {', '.join(sorted(COMPONENTS))})"))
            return ""
        if name in COMPONENTS_NEEDING_TITLE and not title:
            state.problems.append((line, f"component ':::{name}' needs a title after its name"))
            return ""
        if name == "steps":
            state.steps_groups.append(title)
            steps = self.steps_for(title)
            if not steps:
                state.problems.append((line, f"steps group '{title}' has no steps in content/steps/{title}/"))
            return str(self.macros.steps(steps, title))
        if name in ("action-link", "button"):
            link = MARKDOWN_LINK.match(body.strip())
            if not link:
                state.problems.append(
                    (line, f"component ':::{name}' must hold one Markdown link, like [Text](/guide/)")
                )
                return ""
            href = link["href"]
            if is_internal(href):
                parsed = parse_internal(href)
                state.links.append(LinkRef(href, parsed.path, parsed.fragment))
                href = parsed.href(self.base_path)
            return str(getattr(self.macros, name.replace("-", "_"))(text=link["text"], href=href))
        html = self.render_fragment(body)
        return str(getattr(self.macros, name)(title=title, html=html))

    def steps_for(self, group: str) -> list[StepView]:
        if group not in self._steps_cache:
            views = []
            for step in self._steps_source.get(group, []):
                url = step["title_url"]
                href = parse_internal(url).href(self.base_path) if is_internal(url) else url
                views.append(
                    StepView(
                        step["title"],
                        href,
                        step.get("duration", ""),
                        self.render_fragment(step["body"]),
                        step.get("when", ""),
                    )
                )
            self._steps_cache[group] = views
        return self._steps_cache[group]


H2_START = re.compile(r'(?=<h2 id="([^"]+)")')


def _split_sections(html: str, headings: list[Heading]) -> list[Section]:
    titles = {heading.id: heading.text for heading in headings if heading.level == 2}
    starts = [(match.start(), match.group(1)) for match in H2_START.finditer(html)]
    sections = [Section(None, "", html[: starts[0][0]] if starts else html)]
    for index, (start, section_id) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(html)
        sections.append(Section(section_id, titles.get(section_id, ""), html[start:end]))
    return sections


def _flatten_toc(tokens, into=None):
    into = [] if into is None else into
    for token in tokens:
        into.append((token["level"], token["id"], token["name"]))
        _flatten_toc(token["children"], into)
    return into
