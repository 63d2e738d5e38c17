"""The planner's warnings and working days: one table of cases (tests/fixtures/plan-warnings.json)
held against Python (content/plan_warnings.py) and the browser (assets/js/plan-core.mjs, run in Node),
so the page, the CSV and the calendar say the same thing on both sides."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import REAL_CONTENT
from support.plan_files import csv_warnings, ics_warnings

from migration_guide.config import PROJECT_ROOT, Settings
from migration_guide.content.loading import load_guide
from migration_guide.content.phases import Phase, phases, plan
from migration_guide.content.plan_warnings import plan_warnings
from migration_guide.content.working_days import bank_holidays, planner_years

PLAN_CORE = PROJECT_ROOT / "assets" / "js" / "plan-core.mjs"
CASES = json.loads((Path(__file__).parent / "fixtures" / "plan-warnings.json").read_text())["cases"]
BANK = bank_holidays(range(2019, 2031))


@pytest.fixture(scope="module")
def guide_phases(tmp_path_factory):
    settings = Settings.from_environment(content_dir=REAL_CONTENT, instance_dir=tmp_path_factory.mktemp("i"))
    return phases(load_guide(settings))


def python_warnings(case: dict, found: list[Phase]) -> list[dict]:
    go_live = date.fromisoformat(case["goLive"])
    planned = plan(go_live, found, BANK)
    return [warning.as_data() for warning in plan_warnings(date.fromisoformat(case["today"]), go_live, planned, BANK)]


def browser(node, script: str, data) -> object:
    program = f"import * as core from {json.dumps(PLAN_CORE.as_uri())};\n" + script
    result = subprocess.run(
        [node, "--input-type=module", "-e", program, json.dumps(data)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


BROWSER_WARNINGS = """
const input = JSON.parse(process.argv[1]);
const day = (text) => core.makeDay(...text.split("-").map(Number));
const goLive = day(input.goLive);
const planned = core.planDates(goLive, input.phases, input.bank);
console.log(JSON.stringify(core.planWarnings(day(input.today), goLive, planned, input.bank)));
"""


def assert_case(case: dict, warnings: list[dict]):
    assert [warning["key"] for warning in warnings] == case["keys"], case["name"]
    by_key = {warning["key"]: warning["text"] for warning in warnings}
    for key, words in case["says"].items():
        assert words in by_key[key], case["name"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_each_warning_rule_in_python(case, guide_phases):
    assert_case(case, python_warnings(case, guide_phases))


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_browser_gives_the_same_warnings_word_for_word(case, guide_phases, node):
    data = {
        **case,
        "phases": [item.as_data() for item in guide_phases],
        "bank": {day.isoformat(): name for day, name in BANK.items()},
    }
    warnings = browser(node, BROWSER_WARNINGS, data)
    assert_case(case, warnings)
    assert warnings == python_warnings(case, guide_phases)


# Working days


def one_phase(weeks: int) -> list[Phase]:
    return [Phase("Phase", "/guide/", weeks, weeks, "Summary.")]


@pytest.mark.parametrize(
    ("go_live", "weeks", "expected", "why"),
    [
        (date(2026, 4, 10), 1, date(2026, 4, 7), "Good Friday 2026 moves past Easter Monday to the Tuesday"),
        (date(2027, 4, 2), 1, date(2027, 3, 30), "Good Friday 2027 moves past Easter Monday to the Tuesday"),
        (date(2027, 1, 8), 2, date(2026, 12, 29), "Christmas Day 2026 moves past the Boxing Day stand-in (28th)"),
        (date(2027, 1, 3), 1, date(2026, 12, 29), "Sunday 27 December 2026 moves past the Boxing Day stand-in"),
        (date(2027, 1, 8), 1, date(2027, 1, 4), "New Year's Day 2027, a Friday, moves to Monday 4 January"),
        (date(2028, 1, 3), 1, date(2027, 12, 29), "27 and 28 December 2027 stand in for a weekend Christmas"),
        (date(2027, 3, 29), 0, date(2027, 3, 29), "a go-live on Easter Monday is kept as the reader chose it"),
    ],
)
def test_a_phase_that_would_start_on_a_weekend_or_bank_holiday_starts_on_the_next_working_day(
    go_live, weeks, expected, why
):
    [(_, start, _)] = plan(go_live, one_phase(weeks), BANK)
    assert start == expected, why


def test_a_finish_on_a_bank_holiday_moves_back_to_the_working_day_before():
    # 3 to 2 weeks before Monday 12 April 2027 would finish on Easter Monday, 29 March: it moves back
    # past the weekend and Good Friday to Thursday 25 March.
    phase = Phase("Phase", "/guide/", 3, 2, "Summary.")
    [(_, start, end)] = plan(date(2027, 4, 12), [phase], BANK)
    assert (start, end) == (date(2027, 3, 22), date(2027, 3, 25))


def test_a_one_day_phase_on_a_saturday_moves_to_the_monday_not_before_its_start():
    [(_, start, end)] = plan(date(2027, 9, 11), one_phase(1), BANK)  # 4 September 2027 is a Saturday
    assert (start, end) == (date(2027, 9, 6), date(2027, 9, 6))


def test_the_browser_moves_dates_by_the_same_working_days(guide_phases, node):
    go_lives = [date(2027, 1, 8), date(2027, 4, 9), date(2027, 4, 12), date(2027, 12, 31), date(2027, 9, 4)]
    script = """
const input = JSON.parse(process.argv[1]);
const dates = (goLive) => core.planDates(core.makeDay(...goLive), input.phases, input.bank)
  .map((p) => [core.isoDate(p.start), core.isoDate(p.end)]);
console.log(JSON.stringify(input.goLives.map(dates)));
"""
    data = {
        "goLives": [[day.year, day.month, day.day] for day in go_lives],
        "phases": [item.as_data() for item in guide_phases],
        "bank": {day.isoformat(): name for day, name in BANK.items()},
    }
    expected = [[[s.isoformat(), e.isoformat()] for _, s, e in plan(day, guide_phases, BANK)] for day in go_lives]
    assert browser(node, script, data) == expected
    for dates in expected:
        for start, end in dates:
            assert start <= end


def test_bank_holidays_come_from_the_holidays_library_for_every_year_the_planner_accepts():
    years = planner_years(date(2026, 12, 1))
    assert years.start <= 2019 and years.stop - 1 >= 2030
    found = bank_holidays(years)
    assert found[date(2026, 12, 28)] == "Boxing Day (observed)"
    assert found[date(2027, 3, 26)] == "Good Friday" and date(2027, 3, 29) in found
    assert date(2027, 3, 17) not in found  # St Patrick's Day is a bank holiday in Northern Ireland, not England


# The plan's files carry the page's warnings, word for word

BROWSER_FILES = """
const input = JSON.parse(process.argv[1]);
const day = (text) => core.makeDay(...text.split("-").map(Number));
const goLive = day(input.goLive);
const planned = core.planDates(goLive, input.phases, input.bank);
const warnings = core.planWarnings(day(input.today), goLive, planned, input.bank);
const absolute = (href) => new URL(href, "https://guide.example.org").href;
console.log(JSON.stringify({
  warnings,
  ics: core.toIcs(planned, { absolute, now: Date.UTC(2026, 11, 1, 9), id: "d3b07384", warnings }),
  csv: core.toCsv(planned, { absolute, warnings }),
}));
"""


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_calendar_file_and_the_csv_carry_the_warnings_the_page_shows(case, guide_phases, node):
    data = {
        **case,
        "phases": [item.as_data() for item in guide_phases],
        "bank": {day.isoformat(): name for day, name in BANK.items()},
    }
    output = browser(node, BROWSER_FILES, data)
    shown = [{"title": warning["title"], "text": warning["text"]} for warning in python_warnings(case, guide_phases)]
    assert [{"title": w["title"], "text": w["text"]} for w in output["warnings"]] == shown
    in_calendar, on_go_live = ics_warnings(output["ics"])
    assert in_calendar == shown, case["name"]
    assert on_go_live == shown, case["name"]
    assert csv_warnings(output["csv"]) == shown, case["name"]
    if not shown:
        assert "X-WR-CALDESC" not in output["ics"] and "Warning" not in output["csv"]


# Plain English: no warning sentence over 25 words, whatever the dates

ALL_KEYS = {"go-live-passed", "not-enough-time", "started", "not-a-working-day", "christmas", "qof-year-end"}
ALL_KEYS |= {"winter", "icb-change"}
TODAYS = [date(2026, 12, 1), date(2020, 3, 2), date(2022, 6, 1)]  # 2022: the state funeral's long holiday name


def every_go_live(today: date) -> list[date]:
    """Each day the form accepts from 8 weeks before today to 3 years ahead."""
    return [today + timedelta(days=offset) for offset in range(-56, 3 * 365)]


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text)


EVERY_BROWSER_WARNING = """
const input = JSON.parse(process.argv[1]);
const day = (text) => core.makeDay(...text.split("-").map(Number));
const texts = new Set();
for (const [today, goLives] of input.days) {
  for (const goLive of goLives) {
    const planned = core.planDates(day(goLive), input.phases, input.bank);
    for (const warning of core.planWarnings(day(today), day(goLive), planned, input.bank)) {
      texts.add(JSON.stringify([warning.key, warning.text]));
    }
  }
}
console.log(JSON.stringify([...texts].map((text) => JSON.parse(text))));
"""


def test_no_warning_sentence_runs_past_25_words_on_either_side(guide_phases, node):
    python = set()
    for today in TODAYS:
        for go_live in every_go_live(today):
            for warning in plan_warnings(today, go_live, plan(go_live, guide_phases, BANK), BANK):
                python.add((warning.key, warning.text))
    assert {key for key, _ in python} == ALL_KEYS  # every rule had its say
    data = {
        "days": [[today.isoformat(), [day.isoformat() for day in every_go_live(today)]] for today in TODAYS],
        "phases": [item.as_data() for item in guide_phases],
        "bank": {day.isoformat(): name for day, name in BANK.items()},
    }
    assert {tuple(found) for found in browser(node, EVERY_BROWSER_WARNING, data)} == python
    too_long = sorted({sentence for _, text in python for sentence in sentences(text) if len(sentence.split()) > 25})
    assert too_long == []


def test_bank_holidays_are_kept_so_the_next_process_need_not_ask_the_library(tmp_path, monkeypatch):
    import holidays

    from migration_guide.content import working_days

    monkeypatch.setattr(working_days, "BANK_HOLIDAYS_DIR", tmp_path / "kept")
    years = range(2025, 2028)
    from_library = dict(holidays.country_holidays("GB", subdiv="ENG", years=list(years)))
    assert bank_holidays(years) == from_library
    assert list((tmp_path / "kept").glob("*.json")), "the days were not kept"

    def no_library(*args, **kwargs):
        raise AssertionError("the library was asked again for days already kept")

    monkeypatch.setattr(holidays, "country_holidays", no_library)
    assert bank_holidays(years) == from_library
    with pytest.raises(AssertionError, match="asked again"):
        bank_holidays(range(2025, 2029))  # other years are not the kept ones

    # A damaged file is not trusted: the library is asked, and its answer kept again.
    monkeypatch.undo()
    monkeypatch.setattr(working_days, "BANK_HOLIDAYS_DIR", tmp_path / "kept")
    for kept in (tmp_path / "kept").glob("*.json"):
        kept.write_text('{"not a date": "Boxing Day"}')
    assert bank_holidays(years) == from_library
