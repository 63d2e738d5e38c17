"""The feedback report as one HTML page that stands alone, for the people who run the guide.

It opens from a file or an email attachment: no script, no external resource, the styles in the
page. Charts are drawn by pygal as inline SVG (pure Python, no browser); each sits beside a table
of the same figures, which is what a screen reader reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pygal
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pygal.style import Style

from ..forms.feedback import REVIEW_HELPFUL_BELOW, REVIEW_MIN_ANSWERS, SectionReport, Tally
from ..web.manifest import PageSections

# NHS.UK colours: blue for answers, red for a section flagged for review, grey for "before".
BLUE, RED, GREY, TEXT, BORDER = "#005eb8", "#d5281b", "#768692", "#212b32", "#d8dde0"
CHART_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground=TEXT,
    foreground_strong=TEXT,
    foreground_subtle=BORDER,
    colors=(BLUE, GREY),
    font_family="Arial, Helvetica, sans-serif",
    label_font_size=14,
    major_label_font_size=14,
    value_font_size=14,
    legend_font_size=14,
    title_font_size=16,
)
#: Before in grey, since in blue: the eye goes to how the page reads now.
BEFORE_AFTER_STYLE = Style(**{**CHART_STYLE.to_dict(), "colors": (GREY, BLUE)})
SVG = "{http://www.w3.org/2000/svg}"
LABEL_LENGTH = 34


@dataclass(frozen=True)
class Row:
    """One section as the report shows it."""

    report: SectionReport
    page_title: str
    section_title: str
    owner: str

    @property
    def label(self) -> str:
        return f"{self.page_title}: {self.section_title}"

    @property
    def anchor(self) -> str:
        return "section-" + "".join(c if c.isalnum() else "-" for c in f"{self.report.page}-{self.report.section}")


def rows_for(sections: list[SectionReport], pages: Mapping[str, PageSections]) -> list[Row]:
    """Each section named by its page and its heading, in the order `feedback.report` gave: most in need first."""
    rows = []
    for section in sections:
        page = pages.get(section.page)
        rows.append(
            Row(
                section,
                page.title if page else section.page,
                page.sections.get(section.section, section.section) if page else section.section,
                page.owner if page else "",
            )
        )
    return rows


def accessible_svg(label: str):
    """A pygal xml filter: no script (pygal adds one for its tooltips), and a name for the picture."""

    def apply(root):
        for parent in list(root.iter()):
            for child in list(parent):
                if child.tag in ("script", f"{SVG}script"):
                    parent.remove(child)
        root.set("role", "img")
        root.set("aria-label", label)
        return root

    return apply


def _chart(chart_class, label: str, height: int, style: Style = CHART_STYLE, **options):
    chart = chart_class(
        style=style,
        js=[],
        disable_xml_declaration=True,
        width=640,
        height=height,
        range=(0, 100),
        y_labels=[0, 25, 50, 75, 100],
        truncate_label=-1,
        truncate_legend=-1,
        print_values=True,
        value_formatter=lambda value: f"{value:.0f}%",
        show_y_guides=True,
        **options,
    )
    chart.add_xml_filter(accessible_svg(label))
    return chart


def _label(row: Row) -> str:
    """Page and section, short enough to leave the bars room; the table beside the chart has the whole name."""
    label = row.label if len(row.label) <= LABEL_LENGTH else row.label[: LABEL_LENGTH - 1] + "…"
    return f"Flagged: {label}" if row.report.needs_review else label


def _bar(tally: Tally, color: str | None = None):
    """A bar labelled with its share and its count. A 0% bar is drawn as a sliver, so it is seen, not missed;
    a section with no answers has no bar."""
    if not tally.answers:
        return None
    text = f"{tally.helpful_percent}% of {tally.answers}"
    bar = {"value": max(tally.helpful_percent, 1), "formatter": lambda _value: text}
    if color:
        bar["color"] = color
    return bar


def helpfulness_chart(rows: list[Row]) -> str:
    chart = _chart(
        pygal.HorizontalBar,
        "Bar chart of % helpful since each section's page last changed, with the number of answers; "
        "the table beside it has the same figures.",
        height=80 + 30 * len(rows),
        show_legend=False,
    )
    rows = rows[::-1]  # pygal draws the first bar at the bottom; the table reads from the top
    chart.x_labels = [_label(row) for row in rows]
    chart.add(
        "% helpful since the last change",
        [_bar(row.report.since, RED if row.report.needs_review else BLUE) for row in rows],
    )
    return chart.render(is_unicode=True)


def before_after_chart(rows: list[Row]) -> str:
    chart = _chart(
        pygal.HorizontalBar,
        "Bar chart of % helpful before and since each flagged section's page last changed, with the number "
        "of answers; the table beside it has the same figures.",
        height=130 + 60 * len(rows),
        style=BEFORE_AFTER_STYLE,
        legend_at_bottom=True,
        legend_at_bottom_columns=1,
    )
    rows = rows[::-1]
    chart.x_labels = [_label(row).removeprefix("Flagged: ") for row in rows]
    chart.add("Before the last change", [_bar(row.report.before) for row in rows])
    chart.add("Since the last change", [_bar(row.report.since) for row in rows])
    return chart.render(is_unicode=True)


def html_report(
    sections: list[SectionReport],
    pages: Mapping[str, PageSections],
    since: str | None = None,
    generated: datetime | None = None,
    owner: str | None = None,
) -> str:
    """The whole report: charts with their tables, then every page's sections with their comments."""
    rows = rows_for(sections, pages)
    flagged = [row for row in rows if row.report.needs_review]
    by_page: dict[str, list[Row]] = {}
    for row in sorted(rows, key=lambda r: (r.page_title.lower(), r.report.page, r.section_title.lower())):
        by_page.setdefault(row.report.page, []).append(row)
    environment = Environment(
        loader=FileSystemLoader(Path(__file__).parent),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Without --owner and with more than one owner, the page can show one owner's rows at a time: radio
    # buttons and a CSS rule per owner (:has), so it stays one file with no script. Keys, not names, go in
    # the CSS, so no name can break out of a selector.
    owners = sorted({row.owner for row in rows if row.owner}, key=str.lower)
    owner_keys = {name: f"owner-{index}" for index, name in enumerate(owners, start=1)}
    return environment.get_template("feedback_report.html.jinja").render(
        rows=rows,
        owner_keys=owner_keys if owner is None and len(owners) > 1 else {},
        flagged=flagged,
        gone=[row for row in rows if not row.report.in_guide],
        by_page=by_page,
        since=since,
        owner=owner,
        generated=generated or datetime.now(),
        answers=sum(row.report.total.answers for row in rows),
        review_min_answers=REVIEW_MIN_ANSWERS,
        review_helpful_below=REVIEW_HELPFUL_BELOW,
        helpfulness_svg=helpfulness_chart(rows) if rows else "",
        before_after_svg=before_after_chart(flagged) if flagged else "",
    )
