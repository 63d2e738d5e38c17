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

from ..forms.feedback import FLAG_MIN_NO, SectionReport, Tally
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
    #: Answers to earlier versions of the page and to its current one; None when the page is gone.
    before: Tally | None
    after: Tally | None

    @property
    def label(self) -> str:
        return f"{self.page_title}: {self.section_title}"

    @property
    def anchor(self) -> str:
        return "section-" + "".join(c if c.isalnum() else "-" for c in f"{self.report.page}-{self.report.section}")


def rows_for(sections: list[SectionReport], pages: Mapping[str, PageSections]) -> list[Row]:
    rows = []
    for section in sections:
        page = pages.get(section.page)
        before, after = section.before_and_after(page.version) if page else (None, None)
        rows.append(
            Row(
                section,
                page.title if page else section.page,
                page.sections.get(section.section, section.section) if page else section.section,
                before,
                after,
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
    """Short enough to leave the bars room; the table beside the chart has the whole name."""
    title = row.section_title if len(row.section_title) <= LABEL_LENGTH else row.section_title[: LABEL_LENGTH - 1] + "…"
    return f"Flagged: {title}" if row.report.flagged else title


def helpfulness_chart(rows: list[Row]) -> str:
    chart = _chart(
        pygal.HorizontalBar,
        "Bar chart of % helpful for each section; the table beside it has the same figures.",
        height=80 + 30 * len(rows),
        show_legend=False,
    )
    rows = rows[::-1]  # pygal draws the first bar at the bottom; the table reads from the top
    chart.x_labels = [_label(row) for row in rows]
    chart.add(
        "% helpful",
        [{"value": row.report.helpful_percent, "color": RED if row.report.flagged else BLUE} for row in rows],
    )
    return chart.render(is_unicode=True)


def before_after_chart(rows: list[Row]) -> str:
    chart = _chart(
        pygal.HorizontalBar,
        "Bar chart of % helpful before and since each flagged section's page last changed; "
        "the table beside it has the same figures.",
        height=130 + 60 * len(rows),
        style=BEFORE_AFTER_STYLE,
        legend_at_bottom=True,
        legend_at_bottom_columns=1,
    )
    rows = rows[::-1]
    chart.x_labels = [_label(row).removeprefix("Flagged: ") for row in rows]
    chart.add("Before the last change", [row.before.helpful_percent if row.before.answers else None for row in rows])
    chart.add("Since the last change", [row.after.helpful_percent if row.after.answers else None for row in rows])
    return chart.render(is_unicode=True)


def html_report(
    sections: list[SectionReport],
    pages: Mapping[str, PageSections],
    since: str | None = None,
    generated: datetime | None = None,
) -> str:
    """The whole report: charts with their tables, then every page's sections with their comments."""
    rows = rows_for(sections, pages)
    flagged = [row for row in rows if row.report.flagged]
    comparable = [row for row in flagged if row.before is not None]
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
    return environment.get_template("feedback_report.html.jinja").render(
        rows=rows,
        flagged=flagged,
        comparable=comparable,
        gone=[row for row in flagged if row.before is None],
        by_page=by_page,
        since=since,
        generated=generated or datetime.now(),
        answers=sum(row.report.answers for row in rows),
        flag_min_no=FLAG_MIN_NO,
        helpfulness_svg=helpfulness_chart(rows) if rows else "",
        before_after_svg=before_after_chart(comparable) if comparable else "",
    )
