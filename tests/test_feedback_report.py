"""The HTML feedback report: one page that stands alone, with every section, its flag and comments, and charts
each beside its table: helpfulness by section, and each flagged section before and since its page last changed."""

import re

import pytest
from click.testing import CliRunner
from conftest import FIXTURE_CONTENT

from migration_guide.cli import main
from migration_guide.content.loading import load_guide
from migration_guide.forms import feedback

HOSTILE = '<script>alert("x")</script> & <img src=https://evil.example/x.png>'


@pytest.fixture
def current_version(settings):
    return load_guide(settings).pages["/guide/first-step/"].version


@pytest.fixture
def seeded(database, current_version):
    """Check dates: 1 of 5 helpful before the page last changed, 3 of 4 since. Key phases: all helpful.
    A page since removed from the guide: flagged."""
    for answer in ["no", "no", "no", "no", "yes"]:
        feedback.save(database, "/guide/first-step/", "check-dates", answer, HOSTILE if answer == "no" else "", "old1")
    for answer in ["yes", "yes", "yes", "no"]:
        comment = "Much clearer now" if answer == "yes" else ""
        feedback.save(database, "/guide/first-step/", "check-dates", answer, comment, current_version)
    for _ in range(3):
        feedback.save(database, "/guide/", "key-phases", "yes", "", "any")
        feedback.save(database, "/gone/", "intro", "no", "", "any")
    return database


@pytest.fixture
def report_html(seeded, database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path / "instance"))
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        main, ["feedback", "report", "--format", "html", "--output", str(out), "--content", str(FIXTURE_CONTENT)]
    )
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_answers_split_by_the_version_of_the_page_they_were_given_to(seeded, current_version):
    check_dates = next(s for s in feedback.report(seeded) if s.section == "check-dates")
    before, since = check_dates.before_and_after(current_version)
    assert (before.yes, before.no, before.helpful_percent) == (1, 4, 20)
    assert (since.yes, since.no, since.helpful_percent, since.flagged) == (3, 1, 75, False)
    assert (check_dates.yes, check_dates.no, check_dates.flagged) == (4, 5, True)  # the table and CSV count all


def test_every_page_and_section_with_answers_helpful_share_and_flag(report_html):
    assert "<h1>Section feedback</h1>" in report_html
    assert "15 answers about 3 sections" in report_html and "2 flagged for review" in report_html
    pages = report_html.split('<h2 id="pages">')[1]
    first_step = pages.split("<h3>First step")[1].split("</table>")[0]
    assert re.search(r"Check dates</th>\s*<td class=\"number\">9</td><td class=\"number\">4</td>", first_step)
    assert '<td class="number">44%</td><td><span class="flag">Review</span>' in first_step
    get_started = pages.split("<h3>Get started")[1].split("</table>")[0]
    assert "Key phases</th>" in get_started and "100%</td><td></td>" in get_started


def test_flagged_sections_are_listed_first_with_their_counts(report_html):
    flagged = report_html.split('<h2 id="flagged">')[1].split("</ul>")[0]
    assert "First step: Check dates</a>: 5 of 9 said it was not helpful" in flagged
    assert "/gone/: intro</a>: 3 of 3 said it was not helpful" in flagged
    assert "Key phases" not in flagged


def test_flagged_sections_before_and_since_their_last_content_change(report_html):
    part = report_html.split('<h2 id="before-and-after">')[1].split('<h2 id="pages">')[0]
    row = part.split("<tbody>")[1].split("</tr>")[0]
    assert "First step: Check dates" in row
    assert "20% of 5" in row and "75% of 4" in row and "+55 points" in row
    assert "Not compared, because the page is no longer in the guide: /gone/#intro." in part


def test_comments_are_escaped_and_newest_first(report_html):
    assert "<script" not in report_html
    assert (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img src=https://evil.example/x.png&gt;"
        in report_html
    )
    comments = report_html.split("Check dates</th>")[1].split("</ul>")[0]
    assert comments.index("Much clearer now") < comments.index("&lt;script&gt;")


def test_nothing_is_loaded_from_anywhere_else(report_html):
    unescaped = re.sub(r"&lt;.*?&gt;", "", report_html)  # the hostile comment, shown as text
    for attribute in re.findall(r"""\b(?:src|href|xlink:href|action|srcset|data)\s*=\s*["']?([^"'\s>]*)""", unescaped):
        assert attribute.startswith("#"), attribute  # links inside the page only
    for element in ("<script", "<link", "<img", "<iframe", "<object", "<embed", "@import", "url("):
        assert element not in unescaped, element
    assert "<style>" in report_html


def test_each_chart_is_an_inline_svg_beside_a_table_of_the_same_figures(report_html):
    blocks = report_html.split('<div class="with-table">')[1:]
    assert len(blocks) == 2 == report_html.count("<svg")
    for block in blocks:
        block = block.split("</table>")[0]
        assert block.count("<svg") == 1 and block.count("<table>") == 1
        assert re.search(r'<svg [^>]*role="img"[^>]*aria-label="[^"]+"', block)
        assert block.index("</svg>") < block.index("<table>")
    helpfulness, before_after = (block.split("</svg>")[0] for block in blocks)
    for figure in ("44%", "100%"):
        assert figure in helpfulness
    for figure in ("20%", "75%"):
        assert figure in before_after
    assert "Before the last change" in before_after and "Since the last change" in before_after


def test_with_no_feedback_the_report_says_so(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["feedback", "report", "--format", "html", "--content", str(FIXTURE_CONTENT)])
    assert result.exit_code == 0
    assert "<p>No feedback yet.</p>" in result.output and "<svg" not in result.output


def test_output_is_for_the_csv_and_html_formats(tmp_path):
    result = CliRunner().invoke(main, ["feedback", "report", "--output", str(tmp_path / "x")])
    assert result.exit_code == 2 and "--format csv or --format html" in result.output
