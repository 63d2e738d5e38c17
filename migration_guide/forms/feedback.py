"""Section feedback: the form, storing an answer, and the report that tells editors which sections need work.

A reader answers in two steps, as on GOV.UK's "Is this page useful?": first Yes or No (one post,
one row), then, if they want to, a comment. The answer's reply carries a token: the new row's id,
with its page and section, signed with a key only the store knows (`secrets`), and valid for a
day. The comment's post brings the token back and the comment is written into that row, once:
a comment can only ever go on the answer it was offered for, and nothing is counted twice.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import Form, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from .fields import ChoiceRadioField, readable_text, stripped
from .spreadsheet import write_csv
from .store import Database, timestamp, utc_now

COMMENT_LIMIT = 1200
#: How long after answering a reader may add a comment to that answer.
COMMENT_WINDOW_SECONDS = 24 * 60 * 60
_TOKEN_SALT = "feedback-comment"

#: A section is flagged for review with at least this many "no" answers…
FLAG_MIN_NO = 3
#: …that are at least this share of all its answers.
FLAG_NO_SHARE = 0.5


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


def save(db: Database, page: str, section: str, answer: str, comment: str, content_version: str) -> str:
    """Stores one answer; returns the token that lets its reader add a comment to it."""
    with db.transaction() as cursor:
        row_id = cursor.insert_returning_id(
            "INSERT INTO feedback (page, section, answer, comment, content_version, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (page, section, answer, comment, content_version, utc_now()),
        )
        return _signer(cursor).dumps([row_id, page, section])


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


@dataclass
class Tally:
    """Answers counted: yes, no, and the comments, oldest first."""

    yes: int = 0
    no: int = 0
    comments: list[str] = field(default_factory=list)

    def add(self, answer: str, comment: str) -> None:
        if answer == "yes":
            self.yes += 1
        else:
            self.no += 1
        if comment:
            self.comments.append(comment)

    @property
    def answers(self) -> int:
        return self.yes + self.no

    @property
    def helpful_percent(self) -> int:
        return round(100 * self.yes / self.answers) if self.answers else 0

    @property
    def flagged(self) -> bool:
        return self.no >= FLAG_MIN_NO and self.no >= FLAG_NO_SHARE * self.answers


@dataclass(kw_only=True)
class SectionReport(Tally):
    page: str
    section: str
    #: The same answers split by the version of the page they were given to, oldest version first.
    by_version: dict[str, Tally] = field(default_factory=dict)

    def before_and_after(self, current_version: str) -> tuple[Tally, Tally]:
        """Answers given to earlier versions of the page, and to `current_version`: did the last change help?"""
        before = Tally()
        for version, tally in self.by_version.items():
            if version != current_version:
                before.yes, before.no = before.yes + tally.yes, before.no + tally.no
                before.comments += tally.comments
        return before, self.by_version.get(current_version, Tally())


def report(db: Database, since: str | None = None) -> list[SectionReport]:
    """Counts per page and section (since an ISO date, if given), flagged sections first."""
    sql = "SELECT page, section, answer, comment, content_version FROM feedback"
    params: tuple = ()
    if since:
        sql += " WHERE created_at >= ?"
        params = (since,)
    sections: dict[tuple[str, str], SectionReport] = {}
    with db.transaction() as cursor:
        rows = cursor.execute(sql + " ORDER BY created_at, id", params).all()
    for row in rows:
        page, section = row["page"], row["section"]
        entry = sections.setdefault((page, section), SectionReport(page=page, section=section))
        entry.add(row["answer"], row["comment"])
        entry.by_version.setdefault(row["content_version"], Tally()).add(row["answer"], row["comment"])
    return sorted(sections.values(), key=lambda s: (not s.flagged, s.page, s.section))


def report_csv(sections: list[SectionReport]) -> str:
    out = io.StringIO()
    rows: list[list[object]] = [["page", "section", "yes", "no", "percent_helpful", "flagged", "comments"]]
    rows += [
        [s.page, s.section, s.yes, s.no, s.helpful_percent, "yes" if s.flagged else "no", "\n".join(s.comments)]
        for s in sections
    ]
    write_csv(rows, out)
    return out.getvalue()
