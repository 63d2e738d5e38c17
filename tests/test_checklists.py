"""Checklists by role: read from content/checklists/*.yml, checked when the guide loads (each problem naming its
file and line), rendered on the role's page, offered as a spreadsheet without JavaScript, and the browser's
spreadsheet and calendar file (assets/js/checklist-core.mjs, run here in Node) read back with csv and icalendar."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import textwrap
from datetime import date, timedelta

import pytest
from conftest import REAL_CONTENT, page

from migration_guide.config import PROJECT_ROOT, Settings
from migration_guide.content.loading import load_guide
from migration_guide.content.phases import phases, plan
from migration_guide.content.problems import ContentError
from migration_guide.content.working_days import bank_holidays
from migration_guide.pages.app import create_app

CHECKLIST_CORE = PROJECT_ROOT / "assets" / "js" / "checklist-core.mjs"
PLAN_CORE = PROJECT_ROOT / "assets" / "js" / "plan-core.mjs"


def key_phase(order: int, starts: int, ends: int) -> str:
    return (
        f"---\ntitle: Phase {order}\norder: {order}\ntitle_url: /guide/\n"
        f"starts_weeks_before_go_live: {starts}\nends_weeks_before_go_live: {ends}\n---\nText.\n"
    )


CHECKLIST = """\
role: Practice staff
page: /staff/
summary: For practice staff.
heading: Key questions
phases:
  - phase: kick-off
    groups:
      - question: Have you met?
        id: have-you-met
        items:
          - id: meet
            text: Hold the kick-off
            link: /guide/#meeting
          - id: plan
            text: Write the plan
            link: /guide/
  - phase: go-live
    groups:
      - question: Are you live?
        id: are-you-live
        items:
          - id: go
            text: Go live
            link: /prm-practice-migration/guide#meeting
"""


def guide_files(checklist: str = CHECKLIST, **pages) -> dict[str, str]:
    files = {
        "guide.md": page("Guide", "/guide/", "## Meeting {#meeting}\n\nText."),
        "staff.md": page("Staff", "/staff/", "Intro.", layout="checklist", checklist="staff"),
        "steps/key-phases/01-kick-off.md": key_phase(1, 3, 2),
        "steps/key-phases/02-go-live.md": key_phase(2, 0, 0),
        "checklists/staff.yml": checklist,
    }
    files.update(pages)
    return files


def problems_for(settings, write_content, files) -> list[str]:
    content = write_content(files)
    with pytest.raises(ContentError) as caught:
        load_guide(settings.with_overrides(content_dir=content))
    return [str(problem).replace(str(content) + "/", "") for problem in caught.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_a_good_checklist_loads_and_its_ids_can_be_linked_to(settings, write_content):
    files = guide_files(**{"other.md": page("Other", "/other/", "[Met?](/staff/#have-you-met) [Go](/staff/#item-go)")})
    guide = load_guide(settings.with_overrides(content_dir=write_content(files)))
    checklist = guide.checklists["staff"]
    assert [phase.slug for phase in checklist.phases] == ["kick-off", "go-live"]
    assert [item.id for item in checklist.items] == ["meet", "plan", "go"]
    assert guide.checklist_of(guide.pages["/staff/"]) is checklist
    assert checklist.heading_id == "key-questions"


def test_a_broken_item_link_fails_loading_naming_the_file_and_the_line_of_the_link(settings, write_content):
    broken = CHECKLIST.replace("link: /guide/#meeting", "link: /guide/#no-such-heading").replace(
        "link: /guide/\n", "link: /nowhere/\n"
    )
    problems = problems_for(settings, write_content, guide_files(broken))
    assert problems == [
        f"checklists/staff.yml:{line_of(broken, '#no-such-heading')}: link to /guide/#no-such-heading: "
        "guide.md has no heading with the id 'no-such-heading'",
        f"checklists/staff.yml:{line_of(broken, '/nowhere/')}: link to /nowhere/: no page has the permalink /nowhere/",
    ]


def test_an_unknown_phase_a_repeated_item_id_and_phases_out_of_order_are_refused(settings, write_content):
    bad = CHECKLIST.replace("phase: go-live", "phase: kick-off").replace("id: plan", "id: meet")
    bad += (
        "  - phase: decided\n    groups:\n      - question: Q?\n        id: q\n        items:\n"
        "          - id: x\n            text: X\n"
    )
    problems = problems_for(settings, write_content, guide_files(bad))
    lines = bad.splitlines()
    second_meet = [n for n, line in enumerate(lines, start=1) if "id: meet" in line][1]
    second_kick_off = [n for n, line in enumerate(lines, start=1) if "phase: kick-off" in line][1]
    assert problems == [
        f"checklists/staff.yml:{second_meet}: item id meet is also used on line {line_of(bad, 'id: meet')}",
        f"checklists/staff.yml:{second_kick_off}: phase kick-off is listed twice: put its groups together",
        f"checklists/staff.yml:{line_of(bad, 'phase: decided')}: "
        "phase decided is not a key phase (one of: kick-off, go-live)",
    ]


def test_a_page_must_name_a_checklist_that_exists_and_a_checklist_must_name_its_page(settings, write_content):
    files = guide_files(**{"staff.md": page("Staff", "/staff/", "Intro.", layout="checklist", checklist="nobody")})
    problems = problems_for(settings, write_content, files)
    assert problems == [
        "checklists/staff.yml:2: page /staff/: no page has this permalink with 'checklist: staff'",
        "staff.md:5: checklist nobody is not in content/checklists/ (there: staff)",
    ]


def test_a_question_id_may_not_repeat_a_heading_of_the_page_and_intro_is_not_read(settings, write_content):
    files = guide_files(
        "intro: Words.\n" + CHECKLIST,
        **{
            "staff.md": page(
                "Staff", "/staff/", "## Are you live? {#are-you-live}", layout="checklist", checklist="staff"
            )
        },
    )
    problems = problems_for(settings, write_content, files)
    assert problems == [
        "checklists/staff.yml:1: intro is not read: write the introduction in the role page's Markdown",
        f"checklists/staff.yml:{line_of(CHECKLIST, 'id: are-you-live') + 1}: id are-you-live is used twice on the page",
    ]


# The role page and its spreadsheet, from the real guide


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = Settings.from_environment(
        content_dir=REAL_CONTENT, instance_dir=tmp_path_factory.mktemp("instance"), base_path="/base"
    )
    return create_app(settings).test_client()


def test_each_item_is_a_checkbox_with_its_guide_link_outside_the_label(client):
    html = client.get("/practice-staff/").get_data(as_text=True)
    assert html.count('type="checkbox"') == html.count('<label class="nhsuk-label nhsuk-checkboxes__label"')
    item = html.split('id="item-request-data-extract"')[1].split("</div>\n    </div>")[0]
    label, hint = item.split("</label>")
    assert "<a " not in label
    assert 'href="/base/guide/early-prep-and-planning/#request-a-data-extract-from-your-existing-supplier"' in hint
    assert "/assets/build/checklist." in html
    assert "style=" not in html and "<style" not in html
    scripts = [part.split(">")[0] for part in html.split("<script")[1:]]
    assert all(
        'type="module" src="/base/assets/' in attributes or 'type="application/json"' in attributes
        for attributes in scripts
    )


def test_the_spreadsheet_without_javascript_lists_every_item_safely(client, tmp_path, settings, write_content):
    response = client.get("/checklists/practice-staff.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Role", "Phase", "Item", "Guide link", "Done", "Due date"]
    assert len(rows) - 1 >= 25
    assert rows[1][:3] == [
        "Practice managers and staff",
        "Decide to migrate and secure funding",
        "Read the guide in full",
    ]
    assert rows[1][3].endswith("/base/guide/")

    formula = CHECKLIST.replace("text: Hold the kick-off", 'text: "=HYPERLINK(\\"http://evil\\")"')
    content = write_content(guide_files(formula))
    app = create_app(settings.with_overrides(content_dir=content))
    text = app.test_client().get("/checklists/staff.csv").get_data(as_text=True)
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1][2] == '\'=HYPERLINK("http://evil")'


# The browser's files, run in Node


def run_core(node_path, script: str, data: dict) -> dict:
    module = f"""
import {{ makeDay, meetingDate, planDates, planWarnings, toIcs }} from {json.dumps(PLAN_CORE.as_uri())};
import {{ checklistCsv, checklistIcs, progress }} from {json.dumps(CHECKLIST_CORE.as_uri())};
const input = JSON.parse(process.argv[1]);
const absolute = (href) => new URL(href, "https://guide.example.org").href;
{textwrap.dedent(script)}
"""
    result = subprocess.run(
        [node_path, "--input-type=module", "-e", module, json.dumps(data)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def real_guide(tmp_path_factory):
    return load_guide(Settings.from_environment(instance_dir=tmp_path_factory.mktemp("instance")))


def checklist_input(guide, name: str) -> dict:
    checklist = guide.checklists[name]
    timing = {phase.slug: phase for phase in phases(guide)}
    return {
        "name": name,
        "role": checklist.role,
        "page": checklist.page,
        "phases": [
            {
                **timing[phase.slug].as_data(),
                "items": [
                    {
                        "id": item.id,
                        "text": item.text,
                        "href": item.target.href() if item.target else "",
                        "on": item.on or "",
                    }
                    for item in phase.items
                ],
            }
            for phase in checklist.phases
        ],
        # As the page gives them: a phase that starts on a bank holiday moves to the next working day.
        "bankHolidays": {day.isoformat(): name for day, name in sorted(bank_holidays(range(2026, 2029)).items())},
    }


FILES = """
const ticked = new Set(input.ticked);
const files = (goLive) => {
  const bank = input.checklist.bankHolidays;
  const dated = { ...input.checklist, phases: planDates(makeDay(...goLive), input.checklist.phases, bank) };
  return checklistIcs(dated, ticked, { absolute, now: Date.UTC(2026, 10, 27, 9, 30), id: "d3b07384" });
};
console.log(JSON.stringify({
  csv: checklistCsv(input.checklist, ticked, { absolute }),
  datedCsv: checklistCsv({ ...input.checklist, phases: planDates(makeDay(...input.goLive), input.checklist.phases,
                                                              input.checklist.bankHolidays) },
                         ticked, { absolute }),
  ics: files(input.goLive),
  later: files(input.later),
  progress: progress(input.checklist.phases, ticked),
}));
"""


@pytest.mark.parametrize("name", ["practice-staff", "project-managers", "integrated-care-boards"])
def test_the_browser_files_match_the_checklist_and_keep_their_uids_when_the_date_moves(node, real_guide, name):
    from icalendar import Calendar

    data = checklist_input(real_guide, name)
    checklist = real_guide.checklists[name]
    ticked = [checklist.items[0].id, checklist.items[-1].id]
    go_live, later = date(2027, 4, 26), date(2027, 6, 7)
    output = run_core(
        node, FILES, {"checklist": data, "ticked": ticked, "goLive": [2027, 4, 26], "later": [2027, 6, 7]}
    )

    rows = list(csv.reader(io.StringIO(output["csv"].lstrip("\ufeff"))))
    assert rows[0] == ["Role", "Phase", "Item", "Guide link", "Done", "Due date"]
    titles = {phase.slug: phase.title for phase in phases(real_guide)}
    expected = [
        (checklist.role, titles[phase.slug], item.text, "Yes" if item.id in ticked else "No", "")
        for phase in checklist.phases
        for item in phase.items
    ]
    assert [(r[0], r[1], r[2], r[4], r[5]) for r in rows[1:]] == expected
    assert all(r[3].startswith("https://guide.example.org/") for r in rows[1:] if r[3])
    ends = {phase.slug: end for phase, _, end in plan(go_live, phases(real_guide))}
    dated = list(csv.reader(io.StringIO(output["datedCsv"].lstrip("\ufeff"))))
    assert [r[5] for r in dated[1:]] == [ends[p.slug].isoformat() for p in checklist.phases for _ in p.items]
    assert output["progress"]["done"] == 2 and output["progress"]["total"] == len(checklist.items)

    first, second = Calendar.from_ical(output["ics"]), Calendar.from_ical(output["later"])
    events, moved = first.walk("VEVENT"), second.walk("VEVENT")
    # The phases (the plan's own events), then one event per item.
    assert len(events) == len(checklist.phases) + len(checklist.items)
    assert [str(e["UID"]) for e in events] == [str(e["UID"]) for e in moved]  # a re-import updates, never duplicates
    assert len({str(e["UID"]) for e in events}) == len(events)
    planned = {phase.slug: (start, end) for phase, start, end in plan(go_live, phases(real_guide))}
    for event, phase in zip(events, checklist.phases, strict=False):
        start, end = planned[phase.slug]
        assert str(event["UID"]) == f"plan-d3b07384-{phase.slug}@gp-practice-migration-guide"
        assert event.decoded("DTSTART") == start and event.decoded("DTEND") == end + timedelta(days=1)
    items = events[len(checklist.phases) :]
    for event, (phase, item) in zip(items, [(p, i) for p in checklist.phases for i in p.items], strict=True):
        assert str(event["UID"]) == f"plan-d3b07384-{name}-{item.id}@gp-practice-migration-guide"
        assert str(event["SUMMARY"]) == item.text
        assert str(event["DESCRIPTION"]).startswith("Done." if item.id in ticked else "To do.")
        if not item.on:
            assert event.decoded("DTSTART") == planned[phase.slug][1]  # due on its phase's last day
        assert str(event["URL"]) == f"https://guide.example.org{checklist.page}#phase-{phase.slug}"
    # The later date moves each event to its phase's working days for that date.
    assert moved[0].decoded("DTSTART") == plan(later, phases(real_guide))[0][1] != events[0].decoded("DTSTART")


BOTH_FILES = """
const day = (text) => makeDay(...text.split("-").map(Number));
const goLive = day(input.goLive);
const planned = planDates(goLive, input.phases, input.bank);
const meeting = { ...input.meeting, day: meetingDate(goLive, input.meeting, input.bank) };
const warnings = planWarnings(day(input.today), goLive, planned, input.bank);
const options = { absolute, now: Date.UTC(2026, 11, 1, 9), id: "d3b07384", practice: "Oak Surgery", meeting, warnings };
const byPhase = new Map(planned.map((phase) => [phase.slug, phase]));
const dated = {
  ...input.checklist, phases: input.checklist.phases.map((phase) => ({ ...phase, ...byPhase.get(phase.slug) })),
};
console.log(JSON.stringify({
  plan: toIcs(planned, { ...options, checklist: { label: input.checklist.role, checklistHref: input.checklist.page } }),
  checklist: checklistIcs(dated, new Set(), { ...options, planned }),
}));
"""


@pytest.mark.parametrize("name", ["practice-staff", "project-managers", "integrated-care-boards"])
def test_importing_the_plan_and_a_checklist_gives_each_phase_once_and_each_item_once(node, real_guide, name):
    """A calendar client keys what it imports by UID: the same UID updates an event, a new one adds one."""
    import recurring_ical_events
    from icalendar import Calendar

    from migration_guide.content.phases import meeting
    from migration_guide.content.working_days import bank_holidays

    guide_meeting = meeting(real_guide)
    data = {
        "checklist": checklist_input(real_guide, name),
        "phases": [phase.as_data() for phase in phases(real_guide)],
        "meeting": guide_meeting.as_data(),
        "bank": {day.isoformat(): holiday for day, holiday in bank_holidays(range(2025, 2029)).items()},
        "goLive": "2027-03-15",
        "today": "2026-12-01",
    }
    output = run_core(node, BOTH_FILES, data)
    imported: dict[str, dict] = {}
    for text in (output["plan"], output["checklist"]):
        for event in recurring_ical_events.of(Calendar.from_ical(text)).between(date(2026, 1, 1), date(2028, 1, 1)):
            imported[str(event["UID"])] = {key: str(event[key]) for key in ("SUMMARY", "DTSTART", "DTEND")}
    checklist = real_guide.checklists[name]
    key_phases = phases(real_guide)
    assert len(imported) == len(key_phases) + 1 + len(checklist.items)  # the phases, the meeting, the items
    plan_events = Calendar.from_ical(output["plan"]).walk("VEVENT")
    checklist_events = {str(event["UID"]): event for event in Calendar.from_ical(output["checklist"]).walk("VEVENT")}
    for event in plan_events:  # the same event in both files, so either import leaves it as it was
        again = checklist_events[str(event["UID"])]
        assert [again.decoded(key) for key in ("SUMMARY", "DTSTART", "DTEND")] == [
            event.decoded(key) for key in ("SUMMARY", "DTSTART", "DTEND")
        ]
    # The warnings travel with the checklist's file too: importing it last still says what the plan said.
    assert str(Calendar.from_ical(output["checklist"])["DESCRIPTION"]) == str(
        Calendar.from_ical(output["plan"])["DESCRIPTION"]
    )
    assert "Warning: Some phases should already have started" in str(Calendar.from_ical(output["plan"])["DESCRIPTION"])


# Items dated by the cut-over planning meeting (`on:`), not by their phase

MEETING_PHASE = (
    "---\ntitle: Plan\norder: 1\ntitle_url: /guide/\nstarts_weeks_before_go_live: 3\nends_weeks_before_go_live: 2\n"
    "meeting:\n  title: Cut-over planning meeting\n  weeks_before_final_data_production: 4\n---\nText.\n"
)


def meeting_files(on: str, with_meeting: bool = True) -> dict[str, str]:
    checklist = CHECKLIST.replace("            link: /guide/\n", f"            link: /guide/\n            on: {on}\n")
    files = guide_files(checklist)
    if with_meeting:
        files["steps/key-phases/01-kick-off.md"] = MEETING_PHASE
        files["steps/key-phases/02-final-data-production.md"] = key_phase(2, 1, 0)
        files["steps/key-phases/03-go-live.md"] = files.pop("steps/key-phases/02-go-live.md")
    return files


def test_an_item_may_be_dated_by_the_cut_over_planning_meeting(settings, write_content):
    guide = load_guide(settings.with_overrides(content_dir=write_content(meeting_files("cut-over-planning-meeting"))))
    items = {item.id: item for item in guide.checklists["staff"].items}
    assert (items["plan"].on, items["meet"].on) == ("cut-over-planning-meeting", "")


def test_an_unknown_on_value_is_refused_with_the_line(settings, write_content):
    files = meeting_files("the-pub-quiz")
    line = line_of(files["checklists/staff.yml"], "on: the-pub-quiz")
    assert problems_for(settings, write_content, files) == [
        f"checklists/staff.yml:{line}: on: the-pub-quiz is not something an item can be dated by "
        "(known: cut-over-planning-meeting)"
    ]


def test_an_item_on_the_meeting_needs_a_phase_that_holds_one(settings, write_content):
    files = meeting_files("cut-over-planning-meeting", with_meeting=False)
    line = line_of(files["checklists/staff.yml"], "on: cut-over")
    assert problems_for(settings, write_content, files) == [
        f"checklists/staff.yml:{line}: on: cut-over-planning-meeting needs a key phase with a meeting "
        "(meeting: in content/steps/key-phases/)"
    ]


def test_the_real_item_on_the_meeting_says_so_without_javascript_and_carries_the_meeting_data(client):
    html = client.get("/project-managers/").get_data(as_text=True)
    item = html.split('id="item-agree-cut-over-dates"')[1].split("</div>\n    </div>")[0]
    said = "At the cut-over planning meeting: 5 weeks before go-live."
    assert f'<span data-item-date="cut-over-planning-meeting">{said}</span>' in item
    data = json.loads(html.split('<script type="application/json" id="checklist-data">')[1].split("</script>")[0])
    assert data["meeting"]["weeksBeforeGoLive"] == 5 and data["bankHolidays"]["2026-12-28"] == "Boxing Day (observed)"
