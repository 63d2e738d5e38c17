"""Every check that stops bad content being published, each naming the file and line.

Rendering records what each page links to; here those links are checked
against the whole guide at once.
"""

from __future__ import annotations

import re
from datetime import date

from . import changes
from .checklists import Checklist
from .directory import Directory
from .links import APP_PATHS, canonical_path, is_internal, parse_internal
from .model import Guide, Page
from .ownership import Review, owner_addresses, owner_problems
from .phases import (
    END_KEY,
    FINAL_DATA_PRODUCTION,
    GROUP,
    MEETING_KEY,
    MEETING_SLUG,
    MEETING_WEEKS_KEY,
    REMINDER_KEY,
    REMINDER_OF,
    START_KEY,
    is_week_offset,
)
from .problems import Problem

#: A timing relative to go-live written out ("about 10 weeks before go-live", "2 to 3 weeks after go-live"):
#: pages quote the phase data instead (`{phase:SLUG.when}`), so text and planner cannot disagree.
STATED_TIMING = re.compile(r"\b\d+(?:\s*(?:to|and|-|–)\s*\d+)?\s+weeks?\s+(?:before|after)\s+go-live", re.IGNORECASE)


def validate(
    guide: Guide, production: bool = False, review_grace_days: int = 30, today: date | None = None
) -> list[Problem]:
    problems: list[Problem] = []
    if "icbs" in guide.data or "delivery_partners" in guide.data:
        source = guide.content_dir / "data"
        problems.extend(
            Problem(source, None, message) for message in Directory.from_data(guide.data).problems(production)
        )
    if "owners" in guide.data:
        owners = [str(page.meta["owner"]) for page in guide.pages.values() if page.meta.get("owner")]
        problems.extend(
            Problem(guide.content_dir / "data" / "owners.yml", None, message)
            for message in owner_problems(owners, owner_addresses(guide.data), production)
        )
    if production:
        problems.extend(_check_reviews(guide, review_grace_days, today or date.today()))
    for page in guide.pages.values():
        problems.extend(_check_changes(guide, page, today or date.today()))
        problems.extend(_check_page_references(guide, page))
        problems.extend(_check_links(guide, page))
        problems.extend(_check_stated_timings(page))
    problems.extend(_check_steps(guide))
    problems.extend(_check_phase_offsets(guide))
    problems.extend(_check_phase_reminders(guide))
    problems.extend(_check_meeting(guide))
    problems.extend(_check_navigation(guide))
    problems.extend(_check_checklists(guide))
    for old, permalink in guide.redirects.items():
        if old in guide.pages:
            problems.append(
                Problem(guide.pages[permalink].source, None, f"redirect_from {old} is the address of a page")
            )
    return problems


def _check_changes(guide: Guide, page: Page, today: date) -> list[Problem]:
    """Change notes need a real date, not in the future, and a one-line note (on the `changes:` line)."""
    line = page.meta_lines.get(changes.KEY)
    return [
        Problem(page.source, line, message)
        for message in changes.problems(page.meta, set(guide.element_ids(page)), today)
    ]


def _target_problem(guide: Guide, href: str) -> str | None:
    """Why an internal address leads nowhere, or None when it is fine."""
    link = parse_internal(href)
    if link.path in APP_PATHS or link.path.startswith("/assets/"):
        return None
    if link.path in guide.redirects:
        return f"link to {href} goes through a redirect; link to {guide.redirects[link.path]} instead"
    target = guide.pages.get(link.path)
    if target is None:
        return f"link to {href}: no page has the permalink {link.path}"
    if link.fragment and link.fragment not in guide.element_ids(target):
        return f"link to {href}: {target.source.name} has no heading with the id '{link.fragment}'"
    return None


def _check_links(guide: Guide, page: Page) -> list[Problem]:
    problems = []
    for link in page.rendered.links:
        if not link.path and link.fragment:
            continue
        message = _target_problem(guide, link.raw)
        if message:
            problems.append(Problem(page.source, page.line_of(link.raw), message))
    return problems


def _check_stated_timings(page: Page) -> list[Problem]:
    return [
        Problem(
            page.source,
            number,
            f"'{found[0]}' states a phase's timing: quote the timeline with "
            "{phase:SLUG.when} (see docs/authoring.md) so the page and the planner cannot disagree",
        )
        for number, line in enumerate(page.body.splitlines(), start=page.body_line)
        if (found := STATED_TIMING.search(line))
    ]


def _check_reviews(guide: Guide, grace_days: int, today: date) -> list[Problem]:
    """The live site never carries a page its owner has left unreviewed for long."""
    problems = []
    for page in guide.pages.values():
        days = Review.of(page, guide.content_dir).days_overdue(today)
        if days > grace_days:
            problems.append(
                Problem(
                    page.source,
                    page.meta_lines.get("review_due"),
                    f"review_due {page.review_due} passed {days} days ago, more than the {grace_days} a production "
                    "build allows (REVIEW_GRACE_DAYS): review the page, then set last_reviewed and review_due",
                )
            )
    return problems


def _check_page_references(guide: Guide, page: Page) -> list[Problem]:
    problems = []
    for key in ("nextpage", "previouspage", "breadcrumbparent"):
        value = page.meta.get(key)
        if value and canonical_path(str(value)) not in guide.pages:
            problems.append(
                Problem(page.source, page.meta_lines.get(key), f"{key} {value} is not the permalink of any page")
            )
    return problems


def _check_steps(guide: Guide) -> list[Problem]:
    problems = []
    for group, steps in guide.steps.items():
        if not steps:
            problems.append(Problem(guide.content_dir / "steps" / group, None, "steps group has no steps"))
        for step in steps:
            if is_internal(step.title_url):
                message = _target_problem(guide, step.title_url)
                if message:
                    problems.append(Problem(step.source, None, f"title_url: {message}"))
    return problems


def _check_phase_offsets(guide: Guide) -> list[Problem]:
    """The date planner and the timeline need each key phase's start and end in whole weeks."""
    problems = []
    for step in guide.steps.get(GROUP, []):
        line_of = step.meta_lines.get
        values = {key: step.meta.get(key) for key in (START_KEY, END_KEY)}
        for key, value in values.items():
            if not is_week_offset(value):
                problem = "is missing" if value is None else f"must be a whole number of weeks, not {value!r}"
                problems.append(
                    Problem(step.source, line_of(key) or 1, f"{key} {problem} (negative means after go-live)")
                )
        if all(is_week_offset(value) for value in values.values()) and values[START_KEY] < values[END_KEY]:
            problems.append(
                Problem(
                    step.source,
                    line_of(END_KEY),
                    f"{END_KEY} ({values[END_KEY]}) is more than "
                    f"{START_KEY} ({values[START_KEY]}): the phase would finish before it starts",
                )
            )
    return problems


def _check_phase_reminders(guide: Guide) -> list[Problem]:
    """A key phase's calendar reminder: `reminder: {days_before: N, of: start|end}`, N a whole number of days."""
    problems = []
    for step in guide.steps.get(GROUP, []):
        if REMINDER_KEY not in step.meta:
            continue
        reminder = step.meta[REMINDER_KEY]
        line = step.meta_lines.get(REMINDER_KEY)
        usage = "(for example reminder: {days_before: 7, of: start})"
        if not isinstance(reminder, dict):
            problems.append(Problem(step.source, line, f"reminder must have days_before and of {usage}"))
            continue
        days = reminder.get("days_before")
        if not is_week_offset(days) or days < 0:
            problems.append(
                Problem(step.source, line, f"reminder days_before must be a whole number of days, not {days!r}")
            )
        if reminder.get("of", "start") not in REMINDER_OF:
            problems.append(Problem(step.source, line, f"reminder of must be start or end, not {reminder.get('of')!r}"))
        unknown = sorted(set(reminder) - {"days_before", "of"})
        if unknown:
            problems.append(Problem(step.source, line, f"reminder has unknown keys: {', '.join(unknown)} {usage}"))
    return problems


def _check_meeting(guide: Guide) -> list[Problem]:
    """The cut-over planning meeting: a title, whole weeks before final data production, and that phase."""
    problems = []
    steps = guide.steps.get(GROUP, [])
    usage = f"(for example meeting: {{title: Cut-over planning meeting, {MEETING_WEEKS_KEY}: 4}})"
    holders = [step for step in steps if MEETING_KEY in step.meta]
    for step in holders:
        found = step.meta[MEETING_KEY]
        line = step.meta_lines.get(MEETING_KEY)
        if not any(other.slug == FINAL_DATA_PRODUCTION for other in steps):
            problems.append(
                Problem(
                    step.source, line, f"meeting needs a key phase named {FINAL_DATA_PRODUCTION} to count back from"
                )
            )
        if not isinstance(found, dict):
            problems.append(Problem(step.source, line, f"meeting must have a title and {MEETING_WEEKS_KEY} {usage}"))
            continue
        if not str(found.get("title") or "").strip():
            problems.append(Problem(step.source, line, f"meeting needs a title {usage}"))
        weeks = found.get(MEETING_WEEKS_KEY)
        if not is_week_offset(weeks) or weeks < 0:
            problems.append(
                Problem(
                    step.source, line, f"meeting {MEETING_WEEKS_KEY} must be a whole number of weeks, not {weeks!r}"
                )
            )
        unknown = sorted(set(found) - {"title", MEETING_WEEKS_KEY})
        if unknown:
            problems.append(Problem(step.source, line, f"meeting has unknown keys: {', '.join(unknown)} {usage}"))
        if not any(other.slug == FINAL_DATA_PRODUCTION for other in steps):
            problems.append(
                Problem(
                    step.source, line, f"meeting needs a key phase named {FINAL_DATA_PRODUCTION} to count back from"
                )
            )
    for step in holders[1:]:
        problems.append(
            Problem(step.source, step.meta_lines.get(MEETING_KEY), "only one key phase may hold the meeting")
        )
    return problems


def _check_navigation(guide: Guide) -> list[Problem]:
    source = guide.content_dir / "data" / "navigation.yml"
    problems = []
    links = [link.href for link in guide.navigation.header + guide.navigation.footer]
    links += [permalink for section in guide.navigation.sidebar for permalink in section.permalinks]
    if guide.navigation.feedback_href:
        links.append(guide.navigation.feedback_href)
    for href in links:
        if is_internal(href):
            message = _target_problem(guide, href)
            if message:
                problems.append(Problem(source, None, message))
    return problems


def _check_checklists(guide: Guide) -> list[Problem]:
    """Each checklist's phases are key phases in timeline order, its ids are unique on its page, and every
    item's link lands on a page and heading; each page that names a checklist names one that exists."""
    problems = []
    shown_on: dict[str, str] = {}
    for page in guide.pages.values():
        name = page.meta.get("checklist")
        line = page.meta_lines.get("checklist") or page.meta_lines.get("layout")
        if page.layout == "checklist" and not name:
            problems.append(
                Problem(page.source, line, "layout checklist needs 'checklist: NAME' (a file in content/checklists/)")
            )
        elif name and str(name) not in guide.checklists:
            known = ", ".join(sorted(guide.checklists)) or "none"
            problems.append(
                Problem(page.source, line, f"checklist {name} is not in content/checklists/ (there: {known})")
            )
        elif name and page.layout != "checklist":
            problems.append(Problem(page.source, line, "a page with a checklist needs 'layout: checklist' to show it"))
        elif name:
            shown_on[str(name)] = page.permalink
    slugs = [step.slug for step in guide.steps.get(GROUP, [])]
    has_meeting = any(MEETING_KEY in step.meta for step in guide.steps.get(GROUP, []))
    for checklist in guide.checklists.values():
        problems.extend(_check_checklist(guide, checklist, slugs, shown_on.get(checklist.name)))
        for item in checklist.items:
            if item.on and item.on != MEETING_SLUG:
                message = f"on: {item.on} is not something an item can be dated by (known: {MEETING_SLUG})"
                problems.append(Problem(checklist.source, item.on_line, message))
            elif item.on and not has_meeting:
                message = f"on: {item.on} needs a key phase with a meeting (meeting: in content/steps/{GROUP}/)"
                problems.append(Problem(checklist.source, item.on_line, message))
    return problems


def _check_checklist(guide: Guide, checklist: Checklist, slugs: list[str], shown_on: str | None) -> list[Problem]:
    source = checklist.source
    problems = []
    page_line = checklist.key_lines.get("page")
    if checklist.page and canonical_path(checklist.page) != shown_on:
        problems.append(
            Problem(
                source,
                page_line,
                f"page {checklist.page}: no page has this permalink with 'checklist: {checklist.name}'"
                if canonical_path(checklist.page) not in guide.pages or shown_on is None
                else f"page {checklist.page} is not where it is shown ({shown_on})",
            )
        )
    position = -1
    seen_phases: set[str] = set()
    for phase in checklist.phases:
        if phase.slug not in slugs:
            problems.append(
                Problem(source, phase.line, f"phase {phase.slug} is not a key phase (one of: {', '.join(slugs)})")
            )
            continue
        if phase.slug in seen_phases:
            problems.append(Problem(source, phase.line, f"phase {phase.slug} is listed twice: put its groups together"))
        elif slugs.index(phase.slug) < position:
            problems.append(Problem(source, phase.line, f"phase {phase.slug} is out of timeline order"))
        seen_phases.add(phase.slug)
        position = max(position, slugs.index(phase.slug))

    page = guide.pages.get(canonical_path(checklist.page)) if checklist.page else None
    taken = set(page.rendered.element_ids) if page and page.rendered else set()
    item_ids: dict[str, int] = {}
    for phase in checklist.phases:
        for group in phase.groups:
            if group.id in taken:
                problems.append(Problem(source, group.line, f"id {group.id} is used twice on the page"))
            taken.add(group.id)
            for item in group.items:
                if item.id in item_ids:
                    problems.append(
                        Problem(source, item.line, f"item id {item.id} is also used on line {item_ids[item.id]}")
                    )
                elif item.input_id in taken:
                    problems.append(Problem(source, item.line, f"id {item.input_id} is used twice on the page"))
                item_ids.setdefault(item.id, item.line)
                taken.add(item.input_id)
                if item.link and not is_internal(item.link):
                    problems.append(Problem(source, item.link_line, f"link {item.link}: link to a page of the guide"))
                elif item.link:
                    message = _target_problem(guide, item.link)
                    if message:
                        problems.append(Problem(source, item.link_line, message))
    return problems
