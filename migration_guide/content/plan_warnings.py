"""What a plan's dates warn about, worked out from today and the go-live date.

The same rules, with the same words, run in the browser (`planWarnings` in assets/js/plan-core.mjs):
tests/fixtures/plan-warnings.json is one table of cases that both sides are tested against.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from .phases import Phase
from .working_days import is_working_day

#: The phase whose late start means the go-live is too close: suppliers need the extract request early.
EXTRACT_SLUG = "request-data-extract"
#: ICB mergers decided in 2026 take effect then; a plan running across it may need approvals re-confirmed.
ICB_CHANGES = (date(2027, 4, 1),)
#: The QOF year ends on 31 March: go-live and its re-entry weeks should keep this far from it.
QOF_WEEKS = 6
#: The re-entry after go-live: keying in what happened during cut-over.
REENTRY_DAYS = 14
WINTER_MONTHS = (12, 1, 2)


@dataclass(frozen=True)
class PlanWarning:
    #: Names the rule, for tests and the page's markup.
    key: str
    title: str
    text: str

    def as_data(self) -> dict:
        return {"key": self.key, "title": self.title, "text": self.text}


def long_date(day: date) -> str:
    """'Monday 26 April 2027', as the browser writes it."""
    return f"{day:%A} {day.day} {day:%B} {day.year}"


def word_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def phase_list(titles: list[str]) -> str:
    """One or 2 phases by name; more as a count and the first and last, so no sentence runs past 25 words."""
    return word_list(titles) if len(titles) <= 2 else f"{len(titles)} phases, from {titles[0]} to {titles[-1]}"


def closed_day(label: str, day: date, bank: dict[date, str]) -> str:
    """One sentence for a key day that is not a working day: a bank holiday by its name, else the weekend."""
    if day in bank:
        return f"{label}, {long_date(day)}, is a bank holiday: {bank[day]}."
    return f"{label}, {long_date(day)}, falls at a weekend."


def _weeks(count: int) -> str:
    return f"{count} week{'' if count == 1 else 's'}"


def plan_warnings(
    today: date, go_live: date, planned: list[tuple[Phase, date, date]], bank: dict[date, str]
) -> list[PlanWarning]:
    """Every warning for this plan, most urgent first."""
    if go_live < today:
        return [
            PlanWarning(
                "go-live-passed",
                "Your go-live date has passed",
                f"{long_date(go_live)} is in the past. The plan shows when each phase should have happened. "
                "If your go-live has moved, enter the new date.",
            )
        ]
    found = []
    late = [phase.title for phase, start, _ in planned if start < today]
    extract = next((start for phase, start, _ in planned if phase.slug == EXTRACT_SLUG), None)
    if extract is not None and extract < today:
        short = math.ceil((today - extract).days / 7)
        found.append(
            PlanWarning(
                "not-enough-time",
                "There is not enough time before go-live",
                f"Your go-live is {_weeks(short)} sooner than the usual timings need. "
                f"The data extract request was due on {long_date(extract)}. "
                f"At risk: {phase_list(late)}. "
                "Request the data extract today, then ask your new supplier and your ICB (Integrated Care Board) "
                "if go-live can stay.",
            )
        )
    elif late:
        found.append(
            PlanWarning(
                "started",
                "Some phases should already have started",
                (
                    f"These phases start before today: {word_list(late)}. "
                    if len(late) <= 2
                    else f"{len(late)} phases start before today, from {late[0]} to {late[-1]}. "
                )
                + "Do them now, in the order shown, so the data extract request is not held up.",
            )
        )

    days = [("Go-live", go_live), ("The day after go-live", go_live + timedelta(days=1))]
    days.append(("2 days after go-live", go_live + timedelta(days=2)))
    closed = [closed_day(label, day, bank) for label, day in days if not is_working_day(day, bank)]
    # Final data production runs in the days just before go-live: a weekend then is usual, a bank holiday is not.
    before = go_live - timedelta(days=1)
    if before in bank:
        closed.insert(0, closed_day("The day before go-live (final data production)", before, bank))
    if closed:
        found.append(
            PlanWarning(
                "not-a-working-day",
                "Some key days are not working days",
                " ".join(closed)
                + " Support from suppliers and your ICB is thinner then. Check they will cover those days.",
            )
        )

    near_go_live = [go_live + timedelta(days=offset) for offset in range(-1, 3)]
    if any((day.month == 12 and day.day >= 24) or (day.month == 1 and day.day == 1) for day in near_go_live):
        found.append(
            PlanWarning(
                "christmas",
                "Go-live is in the Christmas and New Year break",
                "Practices, suppliers and ICBs have fewer staff from 24 December to 1 January. "
                "Choose a go-live after the break if you can.",
            )
        )

    reentry_end = go_live + timedelta(days=REENTRY_DAYS)
    for year in (go_live.year, reentry_end.year):
        year_end = date(year, 3, 31)
        if go_live <= year_end and reentry_end >= year_end - timedelta(weeks=QOF_WEEKS):
            found.append(
                PlanWarning(
                    "qof-year-end",
                    "Go-live is close to the QOF year-end",
                    f"The QOF (Quality and Outcomes Framework) year ends on {long_date(year_end)}. "
                    f"Keep go-live and the 2 weeks after it out of the {QOF_WEEKS} weeks before that date. "
                    "Otherwise data keyed in late may miss the year-end.",
                )
            )
            break

    if any(day.month in WINTER_MONTHS for day in (go_live, reentry_end)):
        found.append(
            PlanWarning(
                "winter",
                "Go-live is in winter",
                "December to February is the peak of flu season and winter pressure. "
                "Make sure you have enough staff cover for go-live and the weeks after it.",
            )
        )

    if planned:
        first = min(start for _, start, _ in planned)
        last = max(end for _, _, end in planned)
        for change in ICB_CHANGES:
            if first <= change <= last:
                found.append(
                    PlanWarning(
                        "icb-change",
                        "Your ICB may change during the plan",
                        f"ICB mergers take effect on {long_date(change)}, while your migration is running. "
                        "Approvals and funding may need to be confirmed again by the new ICB.",
                    )
                )
    return found
