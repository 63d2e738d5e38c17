"""Working days in England, so no phase of a plan starts or finishes on a weekend or a bank holiday.

Bank holidays come from the `holidays` library (England), never a list of our own. The build writes
them into the planner's data, so the browser moves dates by the same days Python does.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays

#: The planner accepts go-live dates from this year...
FIRST_YEAR = 2020
#: ...to this many years after today.
YEARS_AHEAD = 3
#: Phases run up to 17 weeks before and 7 weeks after go-live: one year either side covers them.
MARGIN_YEARS = 1


def planner_years(today: date) -> range:
    """Every year a plan the planner accepts can touch."""
    return range(FIRST_YEAR - MARGIN_YEARS, today.year + YEARS_AHEAD + MARGIN_YEARS + 1)


def bank_holidays(years) -> dict[date, str]:
    """England's bank holidays (substitute days included) in those years, by date."""
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=list(years)))


def is_working_day(day: date, bank: dict[date, str]) -> bool:
    return day.weekday() < 5 and day not in bank


def next_working_day(day: date, bank: dict[date, str]) -> date:
    while not is_working_day(day, bank):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date, bank: dict[date, str]) -> date:
    while not is_working_day(day, bank):
        day -= timedelta(days=1)
    return day
