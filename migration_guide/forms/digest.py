"""The owners' weekly digest: each page owner's flagged sections, overdue pages and facts to re-check, one email each.

Runs on AWS Lambda (`functions/digest.py`) from the build's manifest, and as `guide digest` from
the content: never the Markdown. A section is listed when `feedback.report` says it needs review, the
one rule the report uses too: on the answers given since its page last changed, so an owner who has
reworked a section is not asked about it again until readers say so. An owner with nothing to hear about gets no email.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from ..content.ownership import Review, overdue, owner_addresses
from ..web.manifest import SiteManifest
from . import feedback
from .notify_text import fill, plain
from .outbox import Message
from .store import Database

log = logging.getLogger(__name__)

#: The key of the digest's id in the NOTIFY_TEMPLATE_* settings.
TEMPLATE = "digest"
LATEST_COMMENTS = 3
COMMENT_LENGTH = 300
#: The Notify template to set up for NOTIFY_TEMPLATE_DIGEST; `guide digest --dry-run` fills it in the same way.
NOTIFY_SUBJECT = "GP practice migration guide: ((summary))"
NOTIFY_BODY = """\
Hello ((owner)),

((summary)).

# Sections readers flagged
((flagged_sections))

# Pages overdue for review
((overdue_pages))

# Facts to check against their source
((stale_facts))

For every section's figures and comments, run: guide feedback report --format html
"""


@dataclass(frozen=True)
class FlaggedSection:
    page_title: str
    section_title: str
    url: str
    #: Answers since the page last changed, and how many of them said "no".
    no: int
    answers: int
    #: Newest first.
    latest_comments: tuple[str, ...]


@dataclass(frozen=True)
class StaleFact:
    name: str
    checked: str
    source_url: str
    #: The owner's pages that quote it.
    pages: tuple[str, ...]


@dataclass(frozen=True)
class Digest:
    owner: str
    #: "" when data/owners.yml has no address for the owner: then nothing can be sent.
    email: str
    flagged: tuple[FlaggedSection, ...]
    overdue: tuple[Review, ...]
    stale_facts: tuple[StaleFact, ...] = ()

    def personalisation(self, today: date) -> dict[str, str]:
        return {
            "owner": plain(self.owner),
            "summary": self.summary(),
            "flagged_sections": "\n\n".join(_describe_section(s) for s in self.flagged) or "None this week.",
            "overdue_pages": "\n\n".join(_describe_review(r, today) for r in self.overdue) or "None.",
            "stale_facts": "\n\n".join(_describe_fact(f) for f in self.stale_facts) or "None.",
        }

    def summary(self) -> str:
        parts = []
        if self.flagged:
            parts.append(f"{_count(len(self.flagged), 'section')} flagged for review")
        if self.overdue:
            parts.append(f"{_count(len(self.overdue), 'page')} overdue for review")
        if self.stale_facts:
            parts.append(f"{_count(len(self.stale_facts), 'fact')} to check")
        return " and ".join(parts)

    def text(self, today: date) -> str:
        """The email as NOTIFY_SUBJECT and NOTIFY_BODY make it."""
        fields = self.personalisation(today)
        return f"Subject: {fill(NOTIFY_SUBJECT, fields)}\n\n{fill(NOTIFY_BODY, fields)}"


def _count(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


def _describe_section(section: FlaggedSection) -> str:
    lines = [
        plain(f"{section.page_title}: {section.section_title}"),
        f"{section.no} of {section.answers} answers since the page last changed said it was not helpful.",
        section.url,
    ]
    if section.latest_comments:
        lines.append("Latest comments:")
        lines += [f"“{plain(comment)}”" for comment in section.latest_comments]
    return "\n".join(lines)


def _describe_review(review: Review, today: date) -> str:
    reviewed = f"last reviewed {review.last_reviewed}" if review.last_reviewed else "never reviewed"
    days = review.days_overdue(today)
    title = plain(review.title)
    return f"{title} ({review.permalink}): review was due {review.due}, {_count(days, 'day')} ago; {reviewed}."


def _describe_fact(fact: StaleFact) -> str:
    return f"{fact.name}: last checked {fact.checked}, quoted on {', '.join(fact.pages)}. Source: {fact.source_url}"


def _stale_facts(manifest: SiteManifest, today: date, max_age_days: int) -> dict[str, list[StaleFact]]:
    """Owner → the facts their pages quote that were last checked more than `max_age_days` ago."""
    found: dict[str, list[StaleFact]] = {}
    for name, fact in sorted(manifest.facts.items(), key=lambda item: item[1]["checked"]):
        if (today - date.fromisoformat(fact["checked"])).days <= max_age_days:
            continue
        owners: dict[str, list[str]] = {}
        for permalink, page in manifest.pages.items():
            if name in page.quoted_facts and page.owner:
                owners.setdefault(page.owner, []).append(permalink)
        for owner, pages in owners.items():
            found.setdefault(owner, []).append(StaleFact(name, fact["checked"], fact["url"], tuple(pages)))
    return found


def _short(comment: str) -> str:
    text = " ".join(comment.split())  # one line: a comment cannot lay out the email
    return text if len(text) <= COMMENT_LENGTH else text[: COMMENT_LENGTH - 1] + "…"


def digests(
    db: Database, manifest: SiteManifest, site_url: str, today: date, fact_max_age_days: int = 183
) -> list[Digest]:
    """One digest for each owner with something to say, in owner order."""
    addresses = owner_addresses(manifest.data)
    flagged: dict[str, list[FlaggedSection]] = {}
    versions = {permalink: page.version for permalink, page in manifest.pages.items()}
    for section in feedback.report(db, versions, comments_per_version=LATEST_COMMENTS):
        page = manifest.pages.get(section.page)
        if page is None or not page.owner or not section.needs_review:
            continue  # a page no longer in the guide, one nobody owns, or one readers are content with
        latest = [comment.text for comment in section.comments if comment.since_change][:LATEST_COMMENTS]
        flagged.setdefault(page.owner, []).append(
            FlaggedSection(
                page.title,
                page.sections.get(section.section, section.section),
                f"{site_url}{manifest.base_path}{section.page}#{section.section}",
                section.since.no,
                section.since.answers,
                tuple(_short(comment) for comment in latest),
            )
        )
    late: dict[str, list[Review]] = {}
    for review in overdue(manifest.reviews(), today):
        if review.owner:
            late.setdefault(review.owner, []).append(review)
    stale = _stale_facts(manifest, today, fact_max_age_days)
    return [
        Digest(
            owner,
            addresses.get(owner, ""),
            tuple(flagged.get(owner, ())),
            tuple(late.get(owner, ())),
            tuple(stale.get(owner, ())),
        )
        for owner in sorted(set(flagged) | set(late) | set(stale))
    ]


@dataclass(frozen=True)
class Sending:
    owner: str
    status: str  # "sent", "failed" or "no address"


def send(digests_to_send: list[Digest], sender, today: date) -> list[Sending]:
    """Sends each digest on its own: one owner's failure does not stop the others'."""
    outcomes = []
    for number, digest in enumerate(digests_to_send, start=1):
        if not digest.email:
            log.warning("digest for %s not sent: no address in data/owners.yml", digest.owner)
            outcomes.append(Sending(digest.owner, "no address"))
            continue
        message = Message(
            number, f"digest-{today.isoformat()}", "owner", digest.email, TEMPLATE, digest.personalisation(today)
        )
        try:
            sender.send(message)
        except Exception as error:  # a weekly note: the next run brings it again, so no queue
            log.warning("digest for %s not sent: %s", digest.owner, type(error).__name__)
            outcomes.append(Sending(digest.owner, "failed"))
        else:
            outcomes.append(Sending(digest.owner, "sent"))
    return outcomes
