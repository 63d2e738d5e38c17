"""The key phases of a migration, each placed in whole weeks before go-live.

The week offsets live in the front matter of `content/steps/key-phases/*.md`
(`starts_weeks_before_go_live`, `ends_weeks_before_go_live`; negative means after go-live).
The timeline on /guide/, the planner at /plan/ and the help request form all read them
from here, so every page states one timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .links import is_internal, parse_internal
from .model import Guide, Step
from .working_days import bank_holidays, next_working_day, previous_working_day

GROUP = "key-phases"
START_KEY = "starts_weeks_before_go_live"
END_KEY = "ends_weeks_before_go_live"
#: A phase that needs action carries a calendar reminder: `reminder: {days_before: 7, of: start}`
#: (`of: end` for a deadline such as the end of old-system access). Content adds one without code.
REMINDER_KEY = "reminder"
REMINDER_OF = ("start", "end")
#: A phase may hold a meeting dated from final data production: `meeting: {title, weeks_before_final_data_production}`.
MEETING_KEY = "meeting"
MEETING_WEEKS_KEY = "weeks_before_final_data_production"
FINAL_DATA_PRODUCTION = "final-data-production"
#: What a checklist item says (`on: cut-over-planning-meeting`) to be dated by the meeting, not its phase.
MEETING_SLUG = "cut-over-planning-meeting"
MEETING_REMINDER_DAYS = 7


def is_week_offset(value) -> bool:
    """Whole weeks only: `True` is an int to Python but not a number of weeks."""
    return isinstance(value, int) and not isinstance(value, bool)


def describe_weeks(weeks: int) -> str:
    """'3 weeks before go-live', '1 week after go-live', 'at go-live'."""
    if weeks == 0:
        return "at go-live"
    count = abs(weeks)
    return f"{count} week{'' if count == 1 else 's'} {'before' if weeks > 0 else 'after'} go-live"


def describe_span(starts: int, ends: int) -> str:
    """When a phase happens, in words: '16 to 15 weeks before go-live', 'from go-live to 2 weeks after go-live'."""
    if starts == ends:
        return describe_weeks(starts)
    if starts > 0 and ends > 0:
        # "8 to 1 weeks" reads wrongly: a span that ends 1 week out names both ends in full.
        return (
            f"from {starts} weeks to 1 week before go-live" if ends == 1 else f"{starts} to {ends} weeks before go-live"
        )
    if starts < 0 and ends < 0:
        return (
            f"from 1 week to {-ends} weeks after go-live"
            if starts == -1
            else f"{-starts} to {-ends} weeks after go-live"
        )

    def point(weeks: int) -> str:
        return "go-live" if weeks == 0 else describe_weeks(weeks)

    return f"from {point(starts)} to {point(ends)}"


def describe_step(meta: dict) -> str:
    """When a step happens, from its week offsets; "" for steps without them."""
    starts, ends = meta.get(START_KEY), meta.get(END_KEY)
    return describe_span(starts, ends) if is_week_offset(starts) and is_week_offset(ends) else ""


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def phase_date(go_live: date, weeks_before: int) -> date:
    return go_live - timedelta(weeks=weeks_before)


@dataclass(frozen=True)
class Phase:
    title: str
    #: The guide section the phase links to, under the base path.
    href: str
    starts_weeks: int
    ends_weeks: int
    summary: str
    #: The step file's name without its number, such as "initial-data-production".
    slug: str = ""
    #: Days before the phase's start (or end) that calendars remind the reader, or None for no reminder.
    reminder_days: int | None = None
    reminder_of: str = "start"

    @property
    def when(self) -> str:
        return describe_span(self.starts_weeks, self.ends_weeks)

    @property
    def starts_text(self) -> str:
        return sentence_case(describe_weeks(self.starts_weeks))

    @property
    def ends_text(self) -> str:
        return sentence_case(describe_weeks(self.ends_weeks))

    def dates(self, go_live: date, bank: dict[date, str] | None = None) -> tuple[date, date]:
        """First and last day of the phase (both inclusive), on working days: a start on a weekend or bank
        holiday moves to the next working day, a finish to the previous one. The go-live day the reader
        chose is kept as it is (the warnings say when it is not a working day)."""
        if bank is None:
            bank = bank_holidays(range(go_live.year - 1, go_live.year + 2))
        start, end = phase_date(go_live, self.starts_weeks), phase_date(go_live, self.ends_weeks)
        if start != go_live:
            start = next_working_day(start, bank)
        if end != go_live:
            end = previous_working_day(end, bank)
        return start, max(start, end)  # a one-day phase on a Saturday: its Monday, not the Friday before

    def as_data(self) -> dict:
        return {
            "title": self.title,
            "href": self.href,
            "slug": self.slug,
            "startsWeeks": self.starts_weeks,
            "endsWeeks": self.ends_weeks,
            "startsText": self.starts_text,
            "endsText": self.ends_text,
            "summary": self.summary,
            "reminder": None
            if self.reminder_days is None
            else {"daysBefore": self.reminder_days, "of": self.reminder_of},
        }


def phases(guide: Guide, base_path: str = "") -> list[Phase]:
    """The key phases in timeline order. Validation guarantees their offsets are whole numbers."""
    return [_phase(step, base_path) for step in guide.steps.get(GROUP, [])]


def _phase(step: Step, base_path: str) -> Phase:
    href = parse_internal(step.title_url).href(base_path) if is_internal(step.title_url) else step.title_url
    summary = " ".join(step.body.split())
    reminder = step.meta.get(REMINDER_KEY) or {}
    days = reminder.get("days_before") if isinstance(reminder, dict) else None
    return Phase(
        step.title,
        href,
        int(step.meta[START_KEY]),
        int(step.meta[END_KEY]),
        summary,
        step.slug,
        int(days) if is_week_offset(days) else None,
        str(reminder.get("of") or "start") if isinstance(reminder, dict) else "start",
    )


@dataclass(frozen=True)
class Meeting:
    """The cut-over planning meeting: at least N weeks before final data production starts."""

    title: str
    #: Weeks before go-live, worked out from final data production's start.
    weeks_before_go_live: int
    #: The phase it belongs to, such as "plan-cut-over".
    phase_slug: str
    weeks_before_final_data_production: int = 4
    slug: str = MEETING_SLUG
    reminder_days: int = MEETING_REMINDER_DAYS

    def day(self, go_live: date, bank: dict[date, str]) -> date:
        """Its day: moved back to the working day before, so it is never less than N weeks ahead."""
        return previous_working_day(phase_date(go_live, self.weeks_before_go_live), bank)

    def as_data(self) -> dict:
        return {
            "title": self.title,
            "slug": self.slug,
            "phaseSlug": self.phase_slug,
            "weeksBeforeGoLive": self.weeks_before_go_live,
            "weeksBeforeFinalDataProduction": self.weeks_before_final_data_production,
            "weeksText": sentence_case(describe_weeks(self.weeks_before_go_live)),
            "reminder": {"daysBefore": self.reminder_days, "of": "start"},
        }


def meeting(guide: Guide) -> Meeting | None:
    """The meeting a key phase's front matter names, or None. Validation guarantees its fields."""
    steps = guide.steps.get(GROUP, [])
    final = next((step for step in steps if step.slug == FINAL_DATA_PRODUCTION), None)
    for step in steps:
        found = step.meta.get(MEETING_KEY)
        if isinstance(found, dict) and final is not None and is_week_offset(found.get(MEETING_WEEKS_KEY)):
            weeks = int(final.meta[START_KEY]) + int(found[MEETING_WEEKS_KEY])
            return Meeting(str(found.get("title") or ""), weeks, step.slug, int(found[MEETING_WEEKS_KEY]))
    return None


def plan(
    go_live: date, guide_phases: list[Phase], bank: dict[date, str] | None = None
) -> list[tuple[Phase, date, date]]:
    """Each phase with its first and last working day, for a go-live date."""
    if bank is None:
        bank = bank_holidays(range(go_live.year - 1, go_live.year + 2))
    return [(phase, *phase.dates(go_live, bank)) for phase in guide_phases]
