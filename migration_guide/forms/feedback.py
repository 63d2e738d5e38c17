"""Section feedback: the form, storing an answer, and the report that tells editors which sections need work.

A reader answers in two steps, as on GOV.UK's "Is this page useful?": first Yes or No (one post,
one row), then, if they want to, a comment. The answer's reply carries a token: the new row's id,
with its page and section, signed with a key only the store knows (`secrets`), and valid for a
day. The comment's post brings the token back and the comment is written into that row, once:
a comment can only ever go on the answer it was offered for, and nothing is counted twice.

Each answer form also carries an idempotency key, random for each time the form is shown (feedback.mjs
makes one in the browser, as the frozen page is the same for every reader; a page the function renders
brings its own). A post whose response was lost and that is sent again with the same key is the same
answer: the store's unique index keeps it once, and the retry is thanked with the first post's token.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import Form, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp

from .fields import ChoiceRadioField, readable_text, stripped
from .spreadsheet import write_csv
from .store import Database, timestamp, utc_now

COMMENT_LIMIT = 1200
#: How long after answering a reader may add a comment to that answer.
COMMENT_WINDOW_SECONDS = 24 * 60 * 60
_TOKEN_SALT = "feedback-comment"
#: An idempotency key: letters, digits, `-` and `_`, long enough that readers' random keys never meet.
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"

#: What every comment passes, optional or not.
_COMMENT_CHECKS = [
    Length(max=COMMENT_LIMIT, message=f"Your comment must be {COMMENT_LIMIT:,} characters or fewer"),
    readable_text,
]


class _SectionForm(Form):
    """What both steps carry: the section they are about, and a honeypot."""

    page = StringField("Page", filters=[stripped], validators=[InputRequired(), Length(max=300)])
    section = StringField("Section", filters=[stripped], validators=[InputRequired(), Length(max=300)])
    #: A honeypot: hidden from people, filled in by bots.
    website = StringField("Leave this field empty")


class FeedbackForm(_SectionForm):
    """The first step: Yes or No."""

    answer = ChoiceRadioField(
        "Was this section helpful?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        validators=[InputRequired(message="Select yes if this section was helpful, or no if it was not")],
    )
    comment = TextAreaField("Your comment", filters=[stripped], validators=_COMMENT_CHECKS)
    #: Hidden; empty when the browser ran no JavaScript (then a resent post is a new answer, as before).
    idempotency_key = StringField(
        "Idempotency key",
        filters=[stripped],
        validators=[
            Optional(),
            Regexp(IDEMPOTENCY_KEY_PATTERN, message="We could not save your answer. Select yes or no again"),
        ],
    )


def new_idempotency_key() -> str:
    """A fresh key for an answer form the function renders (an error page, say)."""
    return secrets.token_urlsafe(16)


class CommentForm(_SectionForm):
    """The second step: a comment on the answer the token names."""

    token = StringField("Token", filters=[stripped], validators=[Length(max=500)])
    comment = TextAreaField(
        "Your comment",
        filters=[stripped],
        validators=[InputRequired(message="Enter your comment"), *_COMMENT_CHECKS],
    )


def _signer(cursor) -> URLSafeTimedSerializer:
    """Signs comment tokens with a key made on first use and kept in the store, never in the code."""
    return URLSafeTimedSerializer(cursor.secret("feedback_token_key"), salt=_TOKEN_SALT)


def save(
    db: Database,
    page: str,
    section: str,
    answer: str,
    comment: str,
    content_version: str,
    idempotency_key: str = "",
) -> str | None:
    """Stores one answer; returns the token that lets its reader add a comment to it.

    An answer already stored under `idempotency_key` is not stored again: its token is returned, so a
    retried post is thanked as the first was. None: the key belongs to an answer on another section.
    """
    with db.transaction() as cursor:
        # ON CONFLICT waits for a concurrent post with the same key to finish, then stores nothing.
        inserted = cursor.execute(
            "INSERT INTO feedback (page, section, answer, comment, content_version, created_at, idempotency_key)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
            (page, section, answer, comment, content_version, utc_now(), idempotency_key or None),
        ).one()
        if inserted is None:
            first = cursor.execute(
                "SELECT id, page, section FROM feedback WHERE idempotency_key = ?", (idempotency_key,)
            ).one()
            if first is None or (first["page"], first["section"]) != (page, section):
                return None
            inserted = first
        return _signer(cursor).dumps([inserted["id"], page, section])


def add_comment(db: Database, token: str, page: str, section: str, comment: str) -> bool | None:
    """Writes `comment` into the answer `token` names, if that answer is on `page` and `section` and has none yet.

    None: the token is forged, expired or for another section (nothing stored). False: that answer
    already has its comment (a second click, say; nothing stored). True: stored.
    """
    with db.transaction() as cursor:
        try:
            row_id, token_page, token_section = _signer(cursor).loads(token, max_age=COMMENT_WINDOW_SECONDS)
        except (BadSignature, ValueError, TypeError):
            return None
        if (token_page, token_section) != (page, section) or not isinstance(row_id, int):
            return None
        cursor.execute(
            "UPDATE feedback SET comment = ? WHERE id = ? AND page = ? AND section = ? AND comment = ''",
            (comment, row_id, page, section),
        )
        return cursor.rowcount == 1


def forget_old_comments(db: Database, older_than_days: int, now: datetime | None = None) -> int:
    """Blanks comments older than the given number of days: readers may have typed personal details into
    them. The yes and no answers stay, so the report's counts do not change. Returns how many went."""
    cutoff = timestamp((now or datetime.now(UTC)) - timedelta(days=older_than_days))
    with db.transaction() as cursor:
        forgotten = cursor.execute(
            "UPDATE feedback SET comment = '' WHERE created_at < ? AND comment <> ''", (cutoff,)
        ).rowcount
    db.compact()
    return forgotten


#: A section needs review when, of the answers given since its page last changed, at least this many…
REVIEW_MIN_ANSWERS = 3
#: …and less than this share said it was helpful.
REVIEW_HELPFUL_BELOW = 0.5
#: The newest comments kept for each version of each section: the report shows them, the digest its latest few.
COMMENTS_PER_VERSION = 20


@dataclass(frozen=True)
class Tally:
    """Answers counted: yes and no."""

    yes: int = 0
    no: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.yes + other.yes, self.no + other.no)

    @property
    def answers(self) -> int:
        return self.yes + self.no

    @property
    def helpful_percent(self) -> int:
        return round(100 * self.yes / self.answers) if self.answers else 0


@dataclass(frozen=True)
class Comment:
    """A comment with what its reader answered, when, and whether the page has changed since."""

    text: str
    answer: str
    created_at: str
    #: True when it was given to the page as it is now; False when to an earlier version.
    since_change: bool

    @property
    def date(self) -> str:
        return self.created_at[:10]


@dataclass(kw_only=True)
class SectionReport:
    """One section's answers, split at its page's last change: "before" is never mixed into "since"."""

    page: str
    section: str
    #: False when the page is no longer in the guide: all its answers are "before", and nothing can be rewritten.
    in_guide: bool
    before: Tally = field(default_factory=Tally)
    since: Tally = field(default_factory=Tally)
    #: Newest first; at most COMMENTS_PER_VERSION for each version of the page.
    comments: list[Comment] = field(default_factory=list)
    #: Every comment stored, including those not kept in `comments`.
    comment_count: int = 0

    @property
    def total(self) -> Tally:
        return self.before + self.since

    @property
    def needs_review(self) -> bool:
        """The one rule the report and the digest share."""
        since = self.since
        return since.answers >= REVIEW_MIN_ANSWERS and since.yes < REVIEW_HELPFUL_BELOW * since.answers

    def need(self) -> tuple:
        """Sorts the sections most in need of a rewrite first: flagged, least helpful, most "no" answers."""
        return (
            not self.needs_review,
            not self.in_guide,
            self.since.helpful_percent if self.since.answers else 101,
            -self.since.no,
            self.page,
            self.section,
        )


def report(
    db: Database,
    current_versions: Mapping[str, str],
    since: str | None = None,
    comments_per_version: int = COMMENTS_PER_VERSION,
) -> list[SectionReport]:
    """Every section's answers (since an ISO date, if given), split at its page's current version, most in need
    first. `current_versions` maps each page in the guide to its content version.

    Counted in SQL (`GROUP BY` page, section and version), so it reads one row per version of each section
    and the newest few comments, never every answer ever stored.
    """
    where, params = ("WHERE created_at >= ?", (since,)) if since else ("", ())
    counts_sql = (
        "SELECT page, section, content_version,"
        " SUM(CASE WHEN answer = 'yes' THEN 1 ELSE 0 END) AS yes,"
        " SUM(CASE WHEN answer = 'no' THEN 1 ELSE 0 END) AS no,"
        " SUM(CASE WHEN comment <> '' THEN 1 ELSE 0 END) AS comments"
        f" FROM feedback {where} GROUP BY page, section, content_version"
    )
    comments_sql = (
        "SELECT page, section, content_version, answer, comment, created_at FROM ("
        " SELECT page, section, content_version, answer, comment, created_at, id, ROW_NUMBER() OVER"
        " (PARTITION BY page, section, content_version ORDER BY created_at DESC, id DESC) AS newest"
        f" FROM feedback WHERE comment <> ''{' AND created_at >= ?' if since else ''}"
        ") AS ranked WHERE newest <= ? ORDER BY created_at DESC, id DESC"
    )
    with db.transaction() as cursor:
        counts = cursor.execute(counts_sql, params).all()
        comments = cursor.execute(comments_sql, (*params, comments_per_version)).all()
    sections: dict[tuple[str, str], SectionReport] = {}

    def entry(row) -> SectionReport:
        key = (row["page"], row["section"])
        if key not in sections:
            sections[key] = SectionReport(page=key[0], section=key[1], in_guide=key[0] in current_versions)
        return sections[key]

    for row in counts:
        section = entry(row)
        tally = Tally(int(row["yes"]), int(row["no"]))
        if current_versions.get(row["page"]) == row["content_version"]:
            section.since += tally
        else:
            section.before += tally
        section.comment_count += int(row["comments"])
    for row in comments:
        since_change = current_versions.get(row["page"]) == row["content_version"]
        entry(row).comments.append(Comment(row["comment"], row["answer"], row["created_at"], since_change))
    return sorted(sections.values(), key=SectionReport.need)


def _comment_line(comment: Comment) -> str:
    return f"{comment.date} {comment.answer} {'since' if comment.since_change else 'before'} the change: {comment.text}"


def report_csv(sections: list[SectionReport]) -> str:
    out = io.StringIO()
    rows: list[list[object]] = [
        [
            "page",
            "section",
            "yes_since_change",
            "no_since_change",
            "percent_helpful_since_change",
            "yes_before_change",
            "no_before_change",
            "percent_helpful_before_change",
            "needs_review",
            "comments",
        ]
    ]
    rows += [
        [
            s.page,
            s.section,
            s.since.yes,
            s.since.no,
            s.since.helpful_percent if s.since.answers else "",
            s.before.yes,
            s.before.no,
            s.before.helpful_percent if s.before.answers else "",
            "yes" if s.needs_review else "no",
            "\n".join(
                f"{c.date} {c.answer} {'since' if c.since_change else 'before'} the change: {c.text}"
                for c in s.comments
            ),
        ]
        for s in sections
    ]
    write_csv(rows, out)
    return out.getvalue()
