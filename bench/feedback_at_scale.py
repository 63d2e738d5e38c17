"""`make bench`'s owners' tools part: the feedback report and the weekly digest at 1 million stored answers.

    .venv/bin/python bench/run.py --only feedback        # this part alone
    .venv/bin/python bench/feedback_at_scale.py 1000000  # on its own, any number of answers

Both count in SQL (`GROUP BY` page, section and content version) and read only the newest comments of
each version, so their time grows with the answers SQLite scans, not with rows handed to Python. The
answers are spread over the real guide's sections, half to each page's current version and half to an
earlier one, one in ten with a comment. SQLite, a file in a temporary folder; each figure is the median
of 3 runs.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from migration_guide.config import Settings  # noqa: E402
from migration_guide.content.loading import load_guide  # noqa: E402
from migration_guide.forms import digest, feedback  # noqa: E402
from migration_guide.forms.store import Database, timestamp  # noqa: E402
from migration_guide.web.manifest import SiteManifest  # noqa: E402

RUNS = 3
#: What the report and digest should take at a million answers, run weekly or by hand.
TARGET_SECONDS = 10.0


INSERT = "INSERT INTO feedback (page, section, answer, comment, content_version, created_at) VALUES (?, ?, ?, ?, ?, ?)"


def seed(path: Path, manifest: SiteManifest, answers: int) -> None:
    """`answers` rows over every section of the guide, straight into the SQLite file the store made."""
    sections = [(p, s, page.version) for p, page in manifest.pages.items() for s in page.sections]
    chance = random.Random(22)
    start = datetime.now(UTC) - timedelta(days=365)
    rows = (
        (
            page,
            section,
            "yes" if chance.random() < 0.6 else "no",
            f"Comment {number}" if number % 10 == 0 else "",
            version if number % 2 else "an-earlier-version",
            timestamp(start + timedelta(seconds=number * 30)),
        )
        for number in range(answers)
        for page, section, version in [sections[number % len(sections)]]
    )
    with sqlite3.connect(path) as connection:
        connection.executemany(INSERT, rows)


def median_seconds(work) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(answers: int = 1_000_000) -> list[tuple[str, str, str, str]]:
    """Summary rows: (figure, measured, target, verdict)."""
    settings = Settings.from_environment(content_dir=ROOT / "content")
    manifest = SiteManifest.from_guide(load_guide(settings), "")
    versions = {permalink: page.version for permalink, page in manifest.pages.items()}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "store.sqlite3"
        db = Database(f"sqlite:///{path}", Path(folder) / "unused.sqlite3")
        db.migrate()
        started = time.perf_counter()
        seed(path, manifest, answers)
        print(f"  seeded {answers:,} answers over {len(versions)} pages in {time.perf_counter() - started:.1f} s")
        sections = feedback.report(db, versions)
        print(f"  {len(sections)} sections, {sum(s.needs_review for s in sections)} need review")
        report_s = median_seconds(lambda: feedback.report(db, versions))
        digest_s = median_seconds(lambda: digest.digests(db, manifest, "https://guide", date.today()))
        db.close()
    rows = []
    for name, seconds in (("report", report_s), ("digest", digest_s)):
        print(f"  {name} at {answers:,} answers: {seconds:.2f} s (median of {RUNS})")
        verdict = "met" if seconds <= TARGET_SECONDS else "missed"
        rows.append((f"{name} at {answers:,} answers", f"{seconds:.2f} s", f"≤ {TARGET_SECONDS:.0f} s", verdict))
    return rows


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
