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
    versions = {"/guide/first-step/": current_version, "/guide/": "any"}
    check_dates = next(s for s in feedback.report(seeded, versions) if s.section == "check-dates")
    assert (check_dates.before.yes, check_dates.before.no, check_dates.before.helpful_percent) == (1, 4, 20)
    assert (check_dates.since.yes, check_dates.since.no, check_dates.since.helpful_percent) == (3, 1, 75)
    assert not check_dates.needs_review  # rewritten, and readers now find it helpful: in the report as in the digest


@pytest.fixture
def flagged_html(database, current_version, settings, database_url, tmp_path, monkeypatch):
    """Check dates: 0 of 3 helpful since the page last changed (2 comments), 2 of 2 before. Key phases: all
    helpful. The report as the CLI writes it."""
    for answer, comment in [("yes", "Clear before"), ("yes", "")]:
        feedback.save(database, "/guide/first-step/", "check-dates", answer, comment, "old1")
    for answer, comment in [("no", "Now too long"), ("no", ""), ("no", "Where did the dates go?")]:
        feedback.save(database, "/guide/first-step/", "check-dates", answer, comment, current_version)
    for _ in range(3):
        feedback.save(database, "/guide/", "key-phases", "yes", "", load_guide(settings).pages["/guide/"].version)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path / "instance"))
    result = CliRunner().invoke(main, ["feedback", "report", "--format", "html", "--content", str(FIXTURE_CONTENT)])
    assert result.exit_code == 0, result.output
    return result.output


def test_every_row_and_chart_label_names_its_page_and_section(flagged_html):
    table = flagged_html.split('<h2 id="helpfulness">')[1].split("</table>")[0]
    assert ">First step: Check dates</a></th>" in table and ">Get started: Key phases</a></th>" in table
    chart = table.split("</svg>")[0]
    assert "Flagged: First step: Check dates" in chart and "Get started: Key phases" in chart


def test_answer_counts_beside_each_percentage_and_a_0_percent_bar_is_drawn(flagged_html):
    table = flagged_html.split('<h2 id="helpfulness">')[1].split("</table>")[0]
    assert re.search(r"Check dates</a></th><td class=\"number\">0% of 3</td><td class=\"number\">100% of 2</td>", table)
    chart = table.split("</svg>")[0]
    assert "0% of 3" in chart and "100% of 3" in chart
    # Each bar, the 0% one included, is a rectangle with a width, not left out.
    bars = [float(width) for width in re.findall(r'<rect [^>]*width="([\d.]+)"[^>]*class="rect reactive', chart)]
    assert len(bars) == 2 and min(bars) > 0


def test_sections_are_sorted_by_need(flagged_html):
    table = flagged_html.split('<h2 id="helpfulness">')[1].split("</svg>")[1].split("</table>")[0]
    assert table.index("Check dates") < table.index("Key phases")


def test_comments_show_their_date_answer_and_whether_they_came_before_the_change(flagged_html):
    comments = flagged_html.split("Check dates</th>")[1].split("</ul>")[0]
    assert "3 comments, newest first" in comments
    assert re.search(
        r"\d{4}-\d{2}-\d{2}, answered No, since the last change:</span> Where did the dates go\?", comments
    )
    assert re.search(r"\d{4}-\d{2}-\d{2}, answered Yes, before the last change:</span> Clear before", comments)
    assert comments.index("Where did the dates go?") < comments.index("Now too long") < comments.index("Clear before")


def test_the_report_can_be_only_one_owners_pages(database, current_version, database_url, tmp_path, monkeypatch):
    feedback.save(database, "/guide/first-step/", "check-dates", "no", "", current_version)
    monkeypatch.setenv("DATABASE_URL", database_url)
    base = ["feedback", "report", "--format", "html", "--content", str(FIXTURE_CONTENT)]
    unknown = CliRunner().invoke(main, [*base, "--owner", "Nobody"])
    assert unknown.exit_code == 2 and "no page is owned by 'Nobody'" in unknown.output


def test_one_owners_report_with_a_real_owner_from_the_guides_front_matter(
    database, settings, database_url, tmp_path, monkeypatch
):
    """The real guide: its pages' owner, read from their front matter, gets a report of their pages only."""
    from migration_guide.config import PROJECT_ROOT, Settings

    guide = load_guide(Settings.from_environment(content_dir=PROJECT_ROOT / "content"))
    kick_off = guide.pages["/guide/kick-off/"]
    owner = kick_off.meta["owner"]
    assert owner, "the kick-off page names its owner in its front matter"
    section = next(ident for ident in re.findall(r'<h2 id="([^"]+)"', kick_off.html))
    for answer in ["no", "no", "no"]:
        feedback.save(database, "/guide/kick-off/", section, answer, "Too long", kick_off.version)
    feedback.save(database, "/gone/", "intro", "no", "", "any")  # a page no longer in the guide has no owner
    monkeypatch.setenv("DATABASE_URL", database_url)
    result = CliRunner().invoke(
        main, ["feedback", "report", "--format", "html", "--owner", owner, "--content", str(PROJECT_ROOT / "content")]
    )
    assert result.exit_code == 0, result.output
    assert f"<h1>Section feedback for {owner}</h1>" in result.output
    assert f"3 answers about 1 section, on the pages {owner} looks after" in result.output
    assert f"{kick_off.title}: " in result.output.split('<h2 id="flagged">')[1].split("</ul>")[0]
    assert "/gone/" not in result.output
    assert 'name="owner"' not in result.output  # one owner's report has nothing to filter


@pytest.fixture
def two_owners_content(tmp_path):
    """The fixture guide with two owners: Get started looked after by the guide team, First step by the ICB team."""
    import shutil

    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    for name, owner in [("index.md", "Guide team"), ("first-step.md", "ICB <team> & co")]:
        page = content / "guide" / name
        page.write_text(page.read_text().replace("---\n", f"---\nowner: {owner}\n", 1), encoding="utf-8")
    (content / "data").mkdir(exist_ok=True)
    (content / "data" / "owners.yml").write_text(
        "owners:\n  Guide team: guide-team@nhs.net\n  ICB <team> & co: icb-team@nhs.net\n", encoding="utf-8"
    )
    return content


def test_the_html_report_filters_by_owner_without_a_script(
    database, two_owners_content, database_url, tmp_path, monkeypatch
):
    from migration_guide.config import Settings

    pages = load_guide(Settings.from_environment(content_dir=two_owners_content)).pages
    for _ in range(3):
        feedback.save(database, "/guide/first-step/", "check-dates", "no", "", pages["/guide/first-step/"].version)
        feedback.save(database, "/guide/", "key-phases", "yes", "", pages["/guide/"].version)
    monkeypatch.setenv("DATABASE_URL", database_url)
    base = ["feedback", "report", "--format", "html", "--content", str(two_owners_content)]

    only = CliRunner().invoke(main, [*base, "--owner", "Guide team"])
    assert only.exit_code == 0, only.output
    assert "Key phases" in only.output and "Check dates" not in only.output

    every = CliRunner().invoke(main, base)
    assert every.exit_code == 0, every.output
    html = every.output
    assert "<script" not in html
    # A radio button per owner, their names escaped, and every owner first.
    assert '<input type="radio" name="owner" id="owner-all" checked><label for="owner-all">Every owner</label>' in html
    assert '<label for="owner-1">Guide team</label>' in html
    assert '<label for="owner-2">ICB &lt;team&gt; &amp; co</label>' in html
    # Each owner's choice hides every other owner's rows, lists and page cards, by a rule in the page's styles.
    assert 'body:has(#owner-1:checked) [data-owner]:not([data-owner="owner-1"]) { display: none; }' in html
    assert 'body:has(#owner-2:checked) [data-owner]:not([data-owner="owner-2"]) { display: none; }' in html
    helpfulness = html.split('<h2 id="helpfulness">')[1].split("</table>")[0]
    assert re.search(r'<tr data-owner="owner-2"><th scope="row"><a [^>]*>First step: Check dates', helpfulness)
    assert re.search(r'<tr data-owner="owner-1"><th scope="row"><a [^>]*>Get started: Key phases', helpfulness)
    flagged = html.split('<h2 id="flagged">')[1].split("</ul>")[0]
    assert '<li data-owner="owner-2"><a href="#section--guide-first-step--check-dates">' in flagged
    cards = html.split('<h2 id="pages">')[1]
    assert '<div class="card" data-owner="owner-2">\n<h3>First step' in cards


def test_every_page_and_section_with_answers_helpful_share_and_flag(report_html):
    assert "<h1>Section feedback</h1>" in report_html
    assert "15 answers about 3 sections" in report_html and "0 flagged for review" in report_html
    pages = report_html.split('<h2 id="pages">')[1]
    first_step = pages.split("<h3>First step")[1].split("</table>")[0]
    assert re.search(
        r"Check dates</th><td class=\"number\">75% of 4</td><td class=\"number\">3</td><td class=\"number\">1</td>"
        r"<td class=\"number\">20% of 5</td><td></td>",
        first_step,
    )
    get_started = pages.split("<h3>Get started")[1].split("</table>")[0]
    assert "Key phases</th>" in get_started and "100% of 3" in get_started


def test_flagged_sections_are_listed_first_with_their_counts_since_the_change(flagged_html):
    flagged = flagged_html.split('<h2 id="flagged">')[1].split("</ul>")[0]
    assert "First step: Check dates</a>: 3 of 3 since the page last changed said it was not helpful" in flagged
    assert "Key phases" not in flagged


def test_flagged_sections_before_and_since_their_last_content_change(flagged_html):
    part = flagged_html.split('<h2 id="before-and-after">')[1].split('<h2 id="pages">')[0]
    row = part.split("<tbody>")[1].split("</tr>")[0]
    assert "First step: Check dates" in row
    assert "100% of 2" in row and "0% of 3" in row and "-100 points" in row


def test_a_page_no_longer_in_the_guide_is_not_flagged(report_html):
    assert "Not flagged, because the page is no longer in the guide: /gone/#intro." in report_html


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


def test_each_chart_is_an_inline_svg_beside_a_table_of_the_same_figures(flagged_html):
    blocks = flagged_html.split('<div class="with-table">')[1:]
    assert len(blocks) == 2 == flagged_html.count("<svg")
    for block in blocks:
        block = block.split("</table>")[0]
        assert block.count("<svg") == 1 and block.count("<table>") == 1
        assert re.search(r'<svg [^>]*role="img"[^>]*aria-label="[^"]+"', block)
        assert block.index("</svg>") < block.index("<table>")
    helpfulness, before_after = (block.split("</svg>")[0] for block in blocks)
    for figure in ("0% of 3", "100% of 3"):
        assert figure in helpfulness
    for figure in ("100% of 2", "0% of 3"):
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
