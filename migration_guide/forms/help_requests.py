"""Help requests: the form's rules, the reference, and storing a request with its two emails at once.

A request and its outgoing messages are written in one transaction, so either
the practice's request and both emails exist or nothing does. Sending happens
after the commit (see `outbox`), so an email service that is down never costs
the requester their request.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from ..content.directory import Directory, Partner
from . import outbox
from .fields import ChoiceRadioField, ChoiceSelectField, has_hidden_characters, readable_text, single_line, stripped
from .store import Database, timestamp, utc_now

MESSAGE_LIMIT = 3000
#: An identical request sent again within this time gets the first one's reference.
DUPLICATE_WINDOW = timedelta(minutes=15)
#: Letters and digits that cannot be mistaken for each other when read aloud or retyped.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

ROLES = [
    "Practice manager",
    "GP or other clinician",
    "Practice staff",
    "Delivery partner or project manager",
    "Integrated Care Board",
    "Other",
]
CURRENT_SYSTEMS = ["EMIS Web", "SystmOne", "Vision", "Medicus", "Other"]
NEW_SYSTEMS = [*CURRENT_SYSTEMS, "Not decided"]
ODS_CODE = re.compile(r"^[A-Z][0-9]{5}$")
EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.nhs.uk"


def checked_email(form, field) -> None:
    """An address Notify will accept: email-validator's syntax rules (no quoted parts, comments or empty
    labels), without its DNS look-up. The field keeps its normalised form (domain in lower case)."""
    if not field.data or has_hidden_characters(field.data):
        return  # `single_line` says what is wrong with hidden characters
    try:
        field.data = validate_email(field.data, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValidationError(EMAIL_FORMAT) from None


def choices(values: list[str]) -> list[SelectChoice]:
    return [SelectChoice(value, value) for value in values]


def upper(value):
    return value.strip().upper().replace(" ", "") if isinstance(value, str) else value


class HelpRequestForm(Form):
    """The fields of /request-help/. ICB and phase choices come from the content (see `for_site`)."""

    full_name = StringField(
        "Full name",
        filters=[stripped],
        validators=[
            InputRequired(message="Enter your full name"),
            Length(max=100, message="Full name must be 100 characters or fewer"),
            readable_text,
            single_line,
        ],
    )
    email = StringField(
        "Work email address",
        filters=[stripped],
        validators=[
            InputRequired(message="Enter your work email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            single_line,
            checked_email,
        ],
    )
    phone = StringField("Phone number (optional)", filters=[stripped], validators=[Optional(), single_line])
    role = ChoiceRadioField("Your role", choices=choices(ROLES), validators=[InputRequired(message="Select your role")])
    practice_name = StringField(
        "Practice name",
        filters=[stripped],
        validators=[
            InputRequired(message="Enter the practice name"),
            Length(max=120, message="Practice name must be 120 characters or fewer"),
            readable_text,
            single_line,
        ],
    )
    ods_code = StringField(
        "Practice ODS code",
        filters=[upper],
        validators=[
            InputRequired(message="Enter the practice ODS code"),
            Regexp(
                ODS_CODE,
                message="Enter the practice ODS code in the correct format: 1 letter and 5 numbers, like B86022",
            ),
        ],
    )
    icb = ChoiceSelectField(
        "The practice's Integrated Care Board",
        validators=[InputRequired(message="Select the practice's Integrated Care Board")],
    )
    phase = ChoiceSelectField("The phase you are in", validators=[InputRequired(message="Select the phase you are in")])
    go_live_day = StringField("Day", filters=[stripped])
    go_live_month = StringField("Month", filters=[stripped])
    go_live_year = StringField("Year", filters=[stripped])
    current_system = ChoiceSelectField(
        "Current clinical system",
        choices=[SelectChoice("", "Select a system"), *choices(CURRENT_SYSTEMS)],
        validators=[InputRequired(message="Select the practice's current clinical system")],
    )
    new_system = ChoiceSelectField(
        "New clinical system",
        choices=[SelectChoice("", "Select a system"), *choices(NEW_SYSTEMS)],
        validators=[InputRequired(message="Select the new clinical system, or 'Not decided'")],
    )
    message = TextAreaField(
        "How can we help?",
        filters=[stripped],
        validators=[
            InputRequired(message="Enter how we can help"),
            Length(max=MESSAGE_LIMIT, message=f"Your message must be {MESSAGE_LIMIT:,} characters or fewer"),
            readable_text,
        ],
    )
    website = StringField("Leave this field empty")

    @classmethod
    def for_site(
        cls, directory: Directory, phases: list[str], email_domains: tuple[str, ...], formdata=None
    ) -> HelpRequestForm:
        form = cls(formdata)
        form.email_domains = email_domains
        form.icb.choices = [SelectChoice("", "Select an ICB")] + [
            SelectChoice(icb.code, icb.name) for icb in directory.active_icbs()
        ]
        form.phase.choices = [SelectChoice("", "Select a phase"), *choices([*phases, "Not started yet"])]
        return form

    #: Work email domains the requester's address must be at (ALLOWED_EMAIL_DOMAINS); set by `for_site`.
    email_domains: tuple[str, ...] = ()

    def validate_email(self, field) -> None:
        """A work address only: the reference goes to it, so the form cannot send our email to anyone."""
        if field.errors:
            return  # not an address at all: that message is the one to fix first
        domain = (field.data or "").rsplit("@", 1)[-1].lower()
        if "@" in (field.data or "") and not any(domain == d or domain.endswith("." + d) for d in self.email_domains):
            endings = " or ".join(self.email_domains)
            raise ValidationError(f"Enter your work email address. It must end in {endings}")

    def validate_phone(self, field) -> None:
        digits = re.sub(r"[\s()+-]", "", field.data or "")
        if field.data and (not digits.isdigit() or not 10 <= len(digits) <= 13 or len(field.data) > 20):
            raise ValidationError("Enter a phone number, like 01632 960 001 or +44 808 157 0192")

    def go_live_date(self) -> date | None:
        """The planned go-live date, checked by `validate`; None when left blank."""
        parts = (self.go_live_day.data, self.go_live_month.data, self.go_live_year.data)
        if not any(parts):
            return None
        day, month, year = (int(p) for p in parts)
        return date(year, month, day)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        parts = (self.go_live_day.data, self.go_live_month.data, self.go_live_year.data)
        if any(parts):
            message = None
            if not all(parts):
                missing = [name for name, part in zip(("day", "month", "year"), parts, strict=False) if not part]
                message = f"Planned go-live date must include a {' and a '.join(missing)}"
            elif not all(part.isdigit() for part in parts) or len(self.go_live_year.data) != 4:
                message = "Planned go-live date must be a real date, like 27 3 2027"
            else:
                try:
                    self.go_live_date()
                except ValueError:
                    message = "Planned go-live date must be a real date, like 27 3 2027"
            if message:
                self.go_live_day.errors = [message]
                valid = False
        return valid


@dataclass(frozen=True)
class StoredRequest:
    reference: str
    partner: Partner
    #: False when this was an identical resubmission and the first request's reference came back.
    created: bool
    message_ids: tuple[int, ...]


def new_reference() -> str:
    pick = lambda: "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(4))  # noqa: E731
    return f"PMG-{pick()}-{pick()}"


def cleaned(form: HelpRequestForm) -> dict:
    go_live = form.go_live_date()
    return {
        "full_name": form.full_name.data,
        "email": form.email.data,
        "phone": form.phone.data or "",
        "role": form.role.data,
        "practice_name": form.practice_name.data,
        "ods_code": form.ods_code.data,
        "icb_code": form.icb.data,
        "phase": form.phase.data,
        "go_live_date": go_live.isoformat() if go_live else "",
        "current_system": form.current_system.data,
        "new_system": form.new_system.data,
        "message": form.message.data,
    }


def fingerprint(details: dict) -> str:
    normalised = {key: " ".join(str(value).split()).lower() for key, value in details.items()}
    return hashlib.sha256(json.dumps(normalised, sort_keys=True).encode()).hexdigest()


def store_request(
    db: Database, details: dict, directory: Directory, now: datetime | None = None, privacy_notice: str = ""
) -> StoredRequest:
    """Stores the request and both emails in one transaction; an identical recent request returns its reference.

    `privacy_notice` is the notice's address, for the confirmation email's text.
    """
    partner = directory.route(details["icb_code"])
    if partner is None:  # only a directory made without its fallback
        raise ValueError(f"no delivery partner and no fallback for ICB {details['icb_code']}")
    now = now or datetime.now(UTC)
    request_fingerprint = fingerprint(details)
    window_start = timestamp(now - DUPLICATE_WINDOW)
    with db.transaction() as cursor:
        if cursor.dialect == "postgresql":
            # Two identical posts at once must not both pass the duplicate check.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (request_fingerprint,))
        earlier = cursor.execute(
            "SELECT reference FROM help_requests WHERE fingerprint = ? AND created_at >= ? ORDER BY id LIMIT 1",
            (request_fingerprint, window_start),
        ).one()
        if earlier:
            return StoredRequest(earlier["reference"], partner, False, ())
        reference = new_reference()
        while cursor.execute("SELECT 1 AS taken FROM help_requests WHERE reference = ?", (reference,)).one():
            reference = new_reference()
        request_id = cursor.insert_returning_id(
            "INSERT INTO help_requests (reference, fingerprint, created_at, full_name, email, phone, role,"
            " practice_name, ods_code, icb_code, phase, go_live_date, current_system, new_system, message, partner)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                reference,
                request_fingerprint,
                utc_now(),
                details["full_name"],
                details["email"],
                details["phone"],
                details["role"],
                details["practice_name"],
                details["ods_code"],
                details["icb_code"],
                details["phase"],
                details["go_live_date"],
                details["current_system"],
                details["new_system"],
                details["message"],
                partner.key,
            ),
        )
        icb = directory.icbs.get(details["icb_code"])
        icb_name = icb.name if icb else details["icb_code"]
        message_ids = outbox.enqueue_for_request(
            cursor, request_id, reference, details, partner, icb_name, now, privacy_notice
        )
    return StoredRequest(reference, partner, True, message_ids)


EXPORT_COLUMNS = [
    "reference",
    "created_at",
    "full_name",
    "email",
    "phone",
    "role",
    "practice_name",
    "ods_code",
    "icb_code",
    "phase",
    "go_live_date",
    "current_system",
    "new_system",
    "message",
    "partner",
]


def export(db: Database, since: str | None = None) -> list[dict]:
    """Every stored request (since an ISO date, if given), oldest first: for subject access and hand-overs."""
    sql = f"SELECT {', '.join(EXPORT_COLUMNS)} FROM help_requests"
    params: tuple = ()
    if since:
        sql, params = sql + " WHERE created_at >= ?", (since,)
    with db.transaction() as cursor:
        return cursor.execute(sql + " ORDER BY created_at, id", params).all()


def purge(db: Database, older_than_days: int, outbox_dir: Path | None = None, now: datetime | None = None) -> int:
    """Deletes requests older than the given number of days, and every copy of them: their outgoing
    messages (rows, and the files a FileSender wrote) and what SQLite's write-ahead log still holds.
    Returns how many requests went."""
    cutoff = timestamp((now or datetime.now(UTC)) - timedelta(days=older_than_days))
    with db.transaction() as cursor:  # the outbox rows go with them (ON DELETE CASCADE)
        references = [
            row["reference"]
            for row in cursor.execute("SELECT reference FROM help_requests WHERE created_at < ?", (cutoff,)).all()
        ]
        cursor.execute("DELETE FROM help_requests WHERE created_at < ?", (cutoff,))
    if outbox_dir is not None:
        outbox.delete_files(outbox_dir, references)
    db.compact()
    return len(references)


def cleaned_from(fields: dict) -> dict:
    """The stored form of raw form fields (filters applied), for tests and imports that skip the web form."""
    return cleaned(HelpRequestForm(MultiDict(fields)))
