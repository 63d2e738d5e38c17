"""The date planner: its arithmetic, the week offsets it reads, the page without JavaScript, and the
browser's own arithmetic and calendar file (assets/js/plan-core.mjs, run here in Node) held to Python's."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from datetime import date, timedelta

import pytest
from conftest import REAL_CONTENT, page

from migration_guide.config import PROJECT_ROOT, Settings
from migration_guide.content.loading import load_guide
from migration_guide.content.phases import Phase, describe_span, describe_weeks, meeting, phases, plan, sentence_case
from migration_guide.content.problems import ContentError
from migration_guide.content.working_days import bank_holidays
from migration_guide.pages.app import create_app
from migration_guide.pages.planner import roles

PLAN_CORE = PROJECT_ROOT / "assets" / "js" / "plan-core.mjs"


@pytest.fixture(scope="module")
def guide(tmp_path_factory):
    return load_guide(Settings.from_environment(content_dir=REAL_CONTENT, instance_dir=tmp_path_factory.mktemp("i")))


def phase(starts: int, ends: int, title: str = "Phase") -> Phase:
    return Phase(title, "/guide/", starts, ends, "Summary.")


# Date arithmetic


def test_dates_are_counted_back_from_go_live_in_whole_weeks():
    go_live = date(2027, 4, 26)  # a Monday
    [(_, start, end)] = plan(go_live, [phase(16, 15)])
    assert (start, end) == (date(2027, 1, 4), date(2027, 1, 11))
    assert start.weekday() == end.weekday() == go_live.weekday()


def test_go_live_itself_and_phases_after_it():
    go_live = date(2027, 4, 26)
    planned = plan(go_live, [phase(0, 0), phase(0, -2), phase(-2, -6)])
    assert [(start, end) for _, start, end in planned] == [
        (go_live, go_live),
        (go_live, date(2027, 5, 10)),
        (date(2027, 5, 10), date(2027, 6, 7)),
    ]


def test_dates_cross_year_ends_leap_days_and_clock_changes():
    assert plan(date(2028, 3, 6), [phase(1, 1)])[0][1] == date(2028, 2, 28)  # 2028 is a leap year
    # 28 December 2026 stands in for Boxing Day (a Saturday): the phase starts on the next working day.
    assert plan(date(2027, 1, 11), [phase(2, 2)])[0][1] == date(2026, 12, 29)
    assert plan(date(2027, 4, 5), [phase(2, 2)])[0][1] == date(2027, 3, 22)  # across the March clock change


def test_weeks_in_words():
    assert [describe_weeks(n) for n in (16, 1, 0, -1, -6)] == [
        "16 weeks before go-live",
        "1 week before go-live",
        "at go-live",
        "1 week after go-live",
        "6 weeks after go-live",
    ]
    assert describe_span(16, 15) == "16 to 15 weeks before go-live"
    assert describe_span(13, 13) == "13 weeks before go-live"
    assert describe_span(1, 0) == "from 1 week before go-live to go-live"
    assert describe_span(0, -2) == "from go-live to 2 weeks after go-live"
    assert describe_span(-2, -6) == "2 to 6 weeks after go-live"
    assert describe_span(8, 1) == "from 8 weeks to 1 week before go-live"
    assert describe_span(-1, -3) == "from 1 week to 3 weeks after go-live"


# One source of truth: the key-phases steps


def test_the_phases_are_the_key_phases_steps_with_their_front_matter_offsets(guide):
    steps = guide.steps["key-phases"]
    found = phases(guide)
    assert [p.title for p in found] == [step.title for step in steps]
    assert [(p.starts_weeks, p.ends_weeks) for p in found] == [
        (step.meta["starts_weeks_before_go_live"], step.meta["ends_weeks_before_go_live"]) for step in steps
    ]
    assert found[2].href == "/guide/kick-off/"
    assert phases(guide, "/base")[2].href == "/base/guide/kick-off/"


def test_the_timeline_on_the_guide_shows_the_same_offsets(guide):
    html = guide.pages["/guide/"].html
    for item in phases(guide):
        assert f"When: {item.when}" in html


def test_roles_come_from_the_home_page_checklists(guide):
    assert [(role.value, role.checklist_href) for role in roles(guide, "/base")] == [
        ("practice-staff", "/base/practice-staff/"),
        ("project-managers", "/base/project-managers/"),
        ("integrated-care-boards", "/base/integrated-care-boards/"),
    ]


def test_the_guide_links_to_the_planner_from_its_key_phases(guide):
    assert "/plan/" in [link.path for link in guide.pages["/guide/"].rendered.links]


# Validation


def key_phase(**front_matter) -> str:
    lines = ["title: Kick-off", "order: 1", "title_url: /a/"] + [
        f"{key}: {value}" for key, value in front_matter.items()
    ]
    return "---\n" + "\n".join(lines) + "\n---\nText.\n"


def problems_for(settings, write_content, step: str) -> list[str]:
    content = write_content({"a.md": page("A", "/a/"), "steps/key-phases/01-kick-off.md": step})
    with pytest.raises(ContentError) as caught:
        load_guide(settings.with_overrides(content_dir=content))
    return [str(problem).replace(str(content) + "/", "") for problem in caught.value.problems]


def test_a_key_phase_without_week_offsets_is_refused_naming_the_file(settings, write_content):
    assert problems_for(settings, write_content, key_phase()) == [
        "steps/key-phases/01-kick-off.md:1: starts_weeks_before_go_live is missing (negative means after go-live)",
        "steps/key-phases/01-kick-off.md:1: ends_weeks_before_go_live is missing (negative means after go-live)",
    ]


def test_week_offsets_must_be_whole_numbers(settings, write_content):
    problems = problems_for(
        settings, write_content, key_phase(starts_weeks_before_go_live="2.5", ends_weeks_before_go_live="soon")
    )
    assert problems == [
        "steps/key-phases/01-kick-off.md:5: starts_weeks_before_go_live must be a whole number of weeks, not 2.5"
        " (negative means after go-live)",
        "steps/key-phases/01-kick-off.md:6: ends_weeks_before_go_live must be a whole number of weeks, not 'soon'"
        " (negative means after go-live)",
    ]


def test_a_phase_cannot_finish_before_it_starts(settings, write_content):
    problems = problems_for(
        settings, write_content, key_phase(starts_weeks_before_go_live=5, ends_weeks_before_go_live=8)
    )
    assert problems == [
        "steps/key-phases/01-kick-off.md:6: ends_weeks_before_go_live (8) is more than "
        "starts_weeks_before_go_live (5): the phase would finish before it starts"
    ]


def test_other_steps_groups_need_no_offsets(settings, write_content):
    content = write_content(
        {"a.md": page("A", "/a/"), "steps/other/01.md": "---\ntitle: X\ntitle_url: /a/\n---\nText.\n"}
    )
    load_guide(settings.with_overrides(content_dir=content))


# The page without JavaScript


@pytest.fixture
def plan_html(tmp_path):
    settings = Settings.from_environment(
        content_dir=REAL_CONTENT, instance_dir=tmp_path / "instance", base_path="/base"
    )
    response = (
        create_app(settings).test_client().get("/plan/")
    )  # the app serves at the root; the base path is in its links
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_without_javascript_the_page_shows_every_phase_in_weeks_before_go_live(plan_html, guide):
    rows = re.findall(r'<tr class="nhsuk-table__row" role="row" data-phase="\d+">(.*?)</tr>', plan_html, re.S)
    assert len(rows) == len(guide.steps["key-phases"])
    assert '<a href="/base/guide/#decision-to-migrate-and-funding">Decide to migrate and secure funding</a>' in rows[0]
    assert nowrap("17 weeks before go-live") in rows[0] and nowrap("16 weeks before go-live") in rows[0]
    for row, step in zip(rows, guide.steps["key-phases"], strict=True):
        starts, ends = step.meta["starts_weeks_before_go_live"], step.meta["ends_weeks_before_go_live"]
        assert f">{nowrap(sentence_case(describe_weeks(starts)))}</span></td>" in row, step.title
        assert f">{nowrap(sentence_case(describe_weeks(ends)))}</span></td>" in row, step.title
    assert any(nowrap("At go-live") in row for row in rows) and any(nowrap("after go-live") in row for row in rows)
    # The form only works with JavaScript: the stylesheet shows it only where scripts run
    # (@media (scripting: enabled)), from the first paint, so nothing moves when the script starts.
    assert '<div class="app-planner__form app-js-only" id="plan-form-area"' in plan_html
    assert 'id="plan-form-area" hidden' not in plan_html


def nowrap(text: str) -> str:
    """The planner keeps "go-live" on one line in its narrow cells."""
    return text.replace("go-live", '<span class="app-nowrap">go-live</span>')


def test_the_planner_table_is_nhsuk_responsive_and_its_print_button_has_one_type(plan_html):
    table = '<table class="nhsuk-table nhsuk-table--responsive app-plan-table" id="plan-table" role="table">'
    assert table in plan_html
    assert plan_html.count('<span class="nhsuk-table__heading" aria-hidden="true">Starts </span>') == len(
        re.findall(r"data-(?:phase=|meeting>)", plan_html)  # each phase, and the cut-over planning meeting
    )
    button = re.search(r'<button[^>]*id="print-plan"[^>]*>', plan_html)[0]
    assert button.count("type=") == 1 and 'type="button"' in button


def test_the_page_carries_its_data_as_json_and_no_inline_script(plan_html, guide):
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", plan_html, re.S)
    executable = [attributes for attributes, body in scripts if 'type="application/json"' not in attributes]
    assert all('type="module" src="/base/assets/' in attributes for attributes in executable)
    assert any("/assets/build/planner." in attributes for attributes in executable)
    [data] = [json.loads(body) for attributes, body in scripts if 'id="plan-data"' in attributes]
    assert [p["title"] for p in data["phases"]] == [step.title for step in guide.steps["key-phases"]]
    assert data["phases"][0] | {"summary": ""} == {
        "title": "Decide to migrate and secure funding",
        "href": "/base/guide/#decision-to-migrate-and-funding",
        "startsWeeks": 17,
        "endsWeeks": 16,
        "startsText": "17 weeks before go-live",
        "endsText": "16 weeks before go-live",
        "summary": "",
        "slug": "decision",
        "reminder": None,
    }
    assert "style=" not in plan_html and "<style" not in plan_html


# The browser's arithmetic and files, run in Node


def run_plan_core(node, go_live: date, plan_phases: list[Phase], role=None, plan_id="d3b07384", practice="") -> dict:
    script = f"""
import {{ planDates, makeDay, isoDate, toIcs, toCsv }} from {json.dumps(PLAN_CORE.as_uri())};
const input = JSON.parse(process.argv[1]);
const goLive = makeDay(...input.goLive);
const planned = planDates(goLive, input.phases, input.bank);
const absolute = (href) => new URL(href, "https://guide.example.org").href;
console.log(JSON.stringify({{
  dates: planned.map((p) => [isoDate(p.start), isoDate(p.end)]),
  ics: toIcs(planned, {{ absolute, now: Date.UTC(2026, 10, 27, 9, 30), checklist: input.role,
    id: input.planId, practice: input.practice }}),
  csv: toCsv(planned, {{ absolute }}),
}}));
"""
    data = json.dumps(
        {
            "goLive": [go_live.year, go_live.month, go_live.day],
            "phases": [p.as_data() for p in plan_phases],
            "role": role,
            "planId": plan_id,
            "practice": practice,
            "bank": {day.isoformat(): name for day, name in bank_holidays(range(2019, 2031)).items()},
        }
    )
    result = subprocess.run(
        [node, "--input-type=module", "-e", script, data], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize("go_live", [date(2027, 4, 26), date(2028, 3, 6), date(2027, 1, 4), date(2027, 10, 31)])
def test_the_browser_counts_the_same_dates_as_python(node, guide, go_live):
    found = phases(guide)
    output = run_plan_core(node, go_live, found)
    assert output["dates"] == [[start.isoformat(), end.isoformat()] for _, start, end in plan(go_live, found)]


def test_the_calendar_file_parses_with_a_calendar_library(node, guide):
    from icalendar import Calendar

    go_live = date(2027, 4, 26)
    found = [
        *phases(guide),
        Phase(
            "Long, awkward; title \\ with “quotes” and ünïcödé " * 3,
            "/guide/kick-off/",
            1,
            1,
            "Line one.\nLine two, with a comma; and a semicolon.",
        ),
    ]
    role = {"value": "practice-staff", "label": "Practice managers and staff", "checklistHref": "/practice-staff/"}
    output = run_plan_core(node, go_live, found, role)
    ics = output["ics"]
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    assert "\n" not in ics.replace("\r\n", "")

    calendar = Calendar.from_ical(ics)
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    events = calendar.walk("VEVENT")
    assert len(events) == len(found)
    assert len({str(event["UID"]) for event in events}) == len(events)
    for event, (item, start, end) in zip(events, plan(go_live, found), strict=False):
        assert str(event["SUMMARY"]) == item.title
        assert event.decoded("DTSTART") == start and not hasattr(event.decoded("DTSTART"), "hour")
        assert event.decoded("DTEND") == end + timedelta(days=1)
        assert str(event["URL"]) == "https://guide.example.org" + item.href
        description = str(event["DESCRIPTION"])
        assert item.summary in description and "https://guide.example.org" + item.href in description
        assert "Your checklist (Practice managers and staff): https://guide.example.org/practice-staff/" in description


def test_the_calendar_files_uids_name_the_phase_not_the_date_so_a_re_import_updates(node, guide):
    from icalendar import Calendar

    found = phases(guide)
    first, moved = (
        Calendar.from_ical(run_plan_core(node, go_live, found)["ics"]).walk("VEVENT")
        for go_live in (date(2027, 4, 26), date(2027, 9, 6))
    )
    assert [str(event["UID"]) for event in first] == [str(event["UID"]) for event in moved]
    assert [str(event["UID"]) for event in first] == [
        f"plan-d3b07384-{item.slug}@gp-practice-migration-guide" for item in found
    ]
    assert first[0].decoded("DTSTART") != moved[0].decoded("DTSTART")


def test_the_csv_has_a_row_per_phase(node, guide):
    go_live = date(2027, 4, 26)
    found = phases(guide)
    rows = list(csv.reader(io.StringIO(run_plan_core(node, go_live, found)["csv"].lstrip("\ufeff"))))
    assert rows[0] == [
        "Phase",
        "Starts",
        "Finishes",
        "Starts (from go-live)",
        "Finishes (from go-live)",
        "Guide",
    ]
    assert rows[1:] == [
        [
            item.title,
            start.isoformat(),
            end.isoformat(),
            describe_weeks(item.starts_weeks),  # "2 weeks after go-live", not "-2": the words the pages use
            describe_weeks(item.ends_weeks),
            "https://guide.example.org" + item.href,
        ]
        for item, start, end in plan(go_live, found)
    ]
    assert any(row[3].endswith("after go-live") for row in rows) and any(row[4] == "at go-live" for row in rows)


def test_true_is_not_a_number_of_weeks(settings, write_content):
    problems = problems_for(
        settings, write_content, key_phase(starts_weeks_before_go_live="true", ends_weeks_before_go_live=1)
    )
    assert problems == [
        "steps/key-phases/01-kick-off.md:5: starts_weeks_before_go_live must be a whole number of weeks, not True"
        " (negative means after go-live)"
    ]


def test_uids_are_stable_for_one_plan_and_differ_for_another_device_or_practice(node, guide):
    from icalendar import Calendar

    found = phases(guide)

    def uids(**options) -> list[str]:
        events = Calendar.from_ical(run_plan_core(node, date(2027, 4, 26), found, **options)["ics"]).walk("VEVENT")
        return [str(event["UID"]) for event in events]

    same = uids(plan_id="d3b07384", practice="The Surgery")
    assert same == uids(plan_id="d3b07384", practice="The Surgery")
    assert same[0] == f"plan-d3b07384-the-surgery-{found[0].slug}@gp-practice-migration-guide"
    assert set(same).isdisjoint(uids(plan_id="d3b07384", practice="Y01234"))  # another practice, same device
    assert set(same).isdisjoint(uids(plan_id="6f1ed002", practice="The Surgery"))  # another device


def test_reminders_go_on_the_phases_that_need_action_with_their_lead_times(node, guide):
    from icalendar import Calendar

    found = phases(guide)
    calendar = Calendar.from_ical(run_plan_core(node, date(2027, 4, 26), found)["ics"])
    alarms = {}
    for event in calendar.walk("VEVENT"):
        [alarm] = event.walk("VALARM") or [None]
        if alarm is not None:
            assert str(alarm["ACTION"]) == "DISPLAY"
            assert str(alarm["DESCRIPTION"]) == f"Reminder: {event['SUMMARY']}"
            related = alarm["TRIGGER"].params.get("RELATED", "START")
            alarms[str(event["SUMMARY"])] = (alarm.decoded("TRIGGER"), related)
    assert alarms == {
        "Request the data extract": (timedelta(days=-7), "START"),
        "Final data production and cut-over": (timedelta(days=-7), "START"),
        "Go live": (timedelta(days=-2), "START"),
        "End of the migration": (timedelta(days=-14), "END"),
    }
    assert {item.title for item in found if item.reminder_days is not None} == set(alarms)


def test_a_practice_name_titles_the_events_and_cannot_break_the_calendar_file(node, guide):
    from icalendar import Calendar

    hostile = "Oak Surgery\r\nBEGIN:VEVENT\rUID:evil\n;,<b>"
    ics = run_plan_core(node, date(2027, 4, 26), phases(guide), practice=hostile)["ics"]
    assert "\n" not in ics.replace("\r\n", "") and "\r" not in ics.replace("\r\n", "")
    calendar = Calendar.from_ical(ics)
    events = calendar.walk("VEVENT")
    assert len(events) == len(phases(guide))
    assert str(events[0]["SUMMARY"]).startswith("Oak Surgery\nBEGIN:VEVENT\nUID:evil\n;,<b>: ")
    assert str(events[0]["UID"]).startswith("plan-d3b07384-oak-surgery-begin-vevent-uid-evil-b-")
    assert str(calendar["X-WR-CALNAME"]).endswith(": GP practice migration plan")


def test_a_reminder_must_be_days_before_the_start_or_end(settings, write_content):
    step = key_phase(starts_weeks_before_go_live=2, ends_weeks_before_go_live=1).replace(
        "---\nText", "reminder:\n  days_before: soon\n  of: middle\n  when: 9am\n---\nText"
    )
    assert problems_for(settings, write_content, step) == [
        "steps/key-phases/01-kick-off.md:7: reminder days_before must be a whole number of days, not 'soon'",
        "steps/key-phases/01-kick-off.md:7: reminder of must be start or end, not 'middle'",
        "steps/key-phases/01-kick-off.md:7: reminder has unknown keys: when "
        "(for example reminder: {days_before: 7, of: start})",
    ]


# The cut-over planning meeting


def test_the_meeting_is_dated_from_final_data_production_and_moved_back_to_a_working_day(guide):
    found = meeting(guide)
    final = next(item for item in phases(guide) if item.slug == "final-data-production")
    assert (found.title, found.phase_slug) == ("Cut-over planning meeting", "plan-cut-over")
    assert found.weeks_before_go_live == final.starts_weeks + 4
    bank = bank_holidays(range(2026, 2029))
    assert found.day(date(2027, 4, 26), bank) == date(2027, 3, 22)  # 5 weeks before a Monday go-live
    # 5 weeks before Tuesday 4 May 2027 is Tuesday 30 March; before Friday 30 April 2027 it is Good
    # Friday, 26 March: it moves back to Thursday 25 March, keeping at least 4 weeks' notice.
    assert found.day(date(2027, 4, 30), bank) == date(2027, 3, 25)


def run_meeting(node, go_live: date, guide) -> dict:
    script = f"""
import {{ planDates, makeDay, isoDate, meetingDate, toIcs, toCsv }} from {json.dumps(PLAN_CORE.as_uri())};
const input = JSON.parse(process.argv[1]);
const goLive = makeDay(...input.goLive);
const planned = planDates(goLive, input.phases, input.bank);
const meeting = {{ ...input.meeting, day: meetingDate(goLive, input.meeting, input.bank) }};
const absolute = (href) => new URL(href, "https://guide.example.org").href;
console.log(JSON.stringify({{
  day: isoDate(meeting.day),
  ics: toIcs(planned, {{ absolute, id: "d3b07384", meeting }}),
  csv: toCsv(planned, {{ absolute, meeting }}),
}}));
"""
    data = {
        "goLive": [go_live.year, go_live.month, go_live.day],
        "phases": [item.as_data() for item in phases(guide)],
        "meeting": meeting(guide).as_data(),
        "bank": {day.isoformat(): name for day, name in bank_holidays(range(2019, 2031)).items()},
    }
    result = subprocess.run(
        [node, "--input-type=module", "-e", script, json.dumps(data)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize("go_live", [date(2027, 4, 26), date(2027, 4, 30), date(2028, 1, 31)])
def test_the_browser_dates_the_meeting_as_python_does_and_puts_it_in_the_csv_and_calendar(node, guide, go_live):
    from icalendar import Calendar

    found = meeting(guide)
    day = found.day(go_live, bank_holidays(range(2019, 2031)))
    output = run_meeting(node, go_live, guide)
    assert output["day"] == day.isoformat()

    rows = list(csv.reader(io.StringIO(output["csv"].lstrip("\ufeff"))))
    titles = [row[0] for row in rows]
    assert titles.index("Cut-over planning meeting") == titles.index("Plan the cut-over and train staff") + 1
    assert rows[titles.index("Cut-over planning meeting")][1:5] == [
        day.isoformat(),
        day.isoformat(),
        "5 weeks before go-live",
        "5 weeks before go-live",
    ]

    [event] = [e for e in Calendar.from_ical(output["ics"]).walk("VEVENT") if e["SUMMARY"] == found.title]
    assert str(event["UID"]) == "plan-d3b07384-cut-over-planning-meeting@gp-practice-migration-guide"
    assert event.decoded("DTSTART") == day and event.decoded("DTEND") == day + timedelta(days=1)
    assert "at least 4 weeks before final data production" in str(event["DESCRIPTION"])
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == timedelta(days=-7)


def test_the_page_without_javascript_shows_the_meeting_after_its_phase(plan_html):
    rows = re.findall(r'<tr class="nhsuk-table__row" role="row" data-(phase="\d+"|meeting)>(.*?)</tr>', plan_html, re.S)
    kinds = [kind for kind, _ in rows]
    assert kinds.count("meeting") == 1
    meeting_row = rows[kinds.index("meeting")][1]
    assert "Cut-over planning meeting" in meeting_row and nowrap("5 weeks before go-live") in meeting_row
    assert "Plan the cut-over and train staff" in rows[kinds.index("meeting") - 1][1]


@pytest.mark.parametrize(
    ("meeting_yaml", "problem"),
    [
        (
            "meeting:\n  title: Cut-over planning meeting\n  weeks_before_final_data_production: soon",
            "7: meeting weeks_before_final_data_production must be a whole number of weeks, not 'soon'",
        ),
        (
            "meeting:\n  weeks_before_final_data_production: 4",
            "7: meeting needs a title (for example meeting: {title: Cut-over planning meeting, "
            "weeks_before_final_data_production: 4})",
        ),
        (
            "meeting: next Tuesday",
            "7: meeting must have a title and weeks_before_final_data_production (for example meeting: "
            "{title: Cut-over planning meeting, weeks_before_final_data_production: 4})",
        ),
    ],
)
def test_a_bad_meeting_is_refused_with_file_and_line(settings, write_content, meeting_yaml, problem):
    step = key_phase(starts_weeks_before_go_live=2, ends_weeks_before_go_live=1).replace(
        "---\nText", meeting_yaml + "\n---\nText"
    )
    problems = problems_for(settings, write_content, step)
    assert f"steps/key-phases/01-kick-off.md:{problem}" in problems
    # The fixture has no final data production phase to count back from: that is said too.
    assert (
        "steps/key-phases/01-kick-off.md:7: meeting needs a key phase named final-data-production to count back from"
        in problems
    )
