"""Working days in England, so no phase of a plan starts or finishes on a weekend or a bank holiday.

Bank holidays come from the `holidays` library (England), never a list of our own. The build writes
them into the planner's data, so the browser moves dates by the same days Python does.

Asking the library loads every country it knows, a tenth of a second or more, and every build
renders the planner: so the days it gives are kept in `BANK_HOLIDAYS_DIR`, under the library's
version and the years asked for, and read from there by the next process. Where that folder cannot
be written (a read-only Lambda bundle), the library is simply asked each time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from datetime import date, timedelta

from ..config import BANK_HOLIDAYS_DIR

#: The planner accepts go-live dates from this year...
FIRST_YEAR = 2020
#: ...to this many years after today.
YEARS_AHEAD = 3
#: Phases run up to 17 weeks before and 7 weeks after go-live: one year either side covers them.
MARGIN_YEARS = 1


def planner_years(today: date) -> range:
    """Every year a plan the planner accepts can touch."""
    return range(FIRST_YEAR - MARGIN_YEARS, today.year + YEARS_AHEAD + MARGIN_YEARS + 1)


def _library_stamp() -> str:
    """Which release of `holidays` is installed, without importing it (or reading every package's metadata):
    its files' size and time, which an upgrade changes."""
    spec = importlib.util.find_spec("holidays")
    stat = os.stat(spec.origin) if spec and spec.origin else None
    return f"{stat.st_size}:{stat.st_mtime_ns}" if stat else ""


def bank_holidays(years) -> dict[date, str]:
    """England's bank holidays (substitute days included) in those years, by date."""
    years = sorted(set(years))
    asked = hashlib.sha256(json.dumps([_library_stamp(), years]).encode()).hexdigest()[:16]
    kept = BANK_HOLIDAYS_DIR / f"{asked}.json"
    try:
        return {date.fromisoformat(day): name for day, name in json.loads(kept.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError, AttributeError):
        pass  # not kept yet, or unreadable: ask the library
    import holidays  # only when not kept: importing it is a tenth of a build's imports

    found = dict(holidays.country_holidays("GB", subdiv="ENG", years=years))
    try:
        BANK_HOLIDAYS_DIR.mkdir(parents=True, exist_ok=True)
        temporary = kept.with_name(f".{kept.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps({day.isoformat(): name for day, name in found.items()}), encoding="utf-8")
        temporary.replace(kept)  # another process reads the whole file or none
    except OSError:
        pass
    return found


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
