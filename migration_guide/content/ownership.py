"""Who looks after each page: its owner, the owner's address, and when the page is next due for review.

Plain data, so the form functions (the owners' digest) can use it with the build's manifest
instead of the Markdown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from .directory import is_example_address
from .model import Page, as_date


@dataclass(frozen=True)
class Review:
    """A page's owner and review dates (front matter `owner`, `last_reviewed`, `review_due`)."""

    permalink: str
    title: str
    #: The page's file, relative to the content folder; "" where only the manifest is known.
    source: str
    owner: str
    last_reviewed: date | None
    due: date | None

    @classmethod
    def of(cls, page: Page, content_dir: Path) -> Review:
        source = page.source.relative_to(content_dir) if page.source.is_relative_to(content_dir) else page.source
        return cls(
            page.permalink,
            page.title,
            str(source),
            str(page.meta.get("owner") or ""),
            page.last_reviewed,
            page.review_due,
        )

    @classmethod
    def from_text(cls, permalink: str, title: str, owner: str, last_reviewed: str, due: str) -> Review:
        return cls(permalink, title, "", owner, as_date(last_reviewed), as_date(due))

    def days_overdue(self, today: date) -> int:
        """Days since `review_due`: 0 or less while it has not passed (and for a page without one)."""
        return (today - self.due).days if self.due else 0


def due_within(reviews: Iterable[Review], today: date, days: int) -> list[Review]:
    """Pages whose review is due by `days` from today, those overdue included: the most overdue first."""
    horizon = today + timedelta(days=days)
    return sorted((r for r in reviews if r.due and r.due <= horizon), key=lambda r: (r.due, r.permalink))


def overdue(reviews: Iterable[Review], today: date) -> list[Review]:
    """Pages whose `review_due` has passed."""
    return due_within(reviews, today, -1)


def owner_addresses(data: dict) -> dict[str, str]:
    """Owner name → email address, from content/data/owners.yml."""
    owners = (data.get("owners") or {}).get("owners") or {}
    return {str(name): str(email) for name, email in owners.items()}


def owner_problems(owners: Iterable[str], addresses: dict[str, str], production: bool) -> list[str]:
    """Owners the digest could not write to; in production, example addresses too."""
    found = []
    for owner in sorted(set(owners)):
        email = addresses.get(owner, "")
        if "@" not in email:
            found.append(f"owner '{owner}' has no email address in data/owners.yml")
        elif production and is_example_address(email):
            found.append(f"owner '{owner}' still has the example address {email} in data/owners.yml")
    return found
