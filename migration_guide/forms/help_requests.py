"""Help requests: the form (made from `request_fields.FIELDS`), the reference, and storing a request with
its two emails at once.

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
from functools import cache
from pathlib import Path
from weakref import WeakKeyDictionary

from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from ..content.directory import Directory, Partner
from . import outbox, request_emails, request_fields
from .fields import ChoiceRadioField, ChoiceSelectField, has_hidden_characters, readable_text, single_line, stripped
from .request_fields import CHOICE_KINDS, RequestField
from .store import Database, timestamp, utc_now

#: An identical request sent again within this time gets the first one's reference.
DUPLICATE_WINDOW = timedelta(minutes=15)
#: Letters and digits that cannot be mistaken for each other when read aloud or retyped.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.nhs.uk"
PHONE_FORMAT = "Enter a phone number, like 01632 960 001 or +44 808 157 0192"
DATE_FORMAT = "must be a real date, like 27 3 2027"


def checked_email(form, field) -> None:
    """An address Notify will accept: email-validator's syntax rules (no quoted parts, comments or empty
    labels), without its DNS look-up. The field keeps its normalised form (domain in lower case)."""
    if not field.data or has_hidden_characters(field.data):
        return  # `single_line` says what is wrong with hidden characters
    # Imported here, not at the top: a build renders the form but never checks an address (a tenth of its imports).
    from email_validator import EmailNotValidError, validate_email

    try:
        field.data = validate_email(field.data, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValidationError(EMAIL_FORMAT) from None


def work_email(form, field) -> None:
    """A work address only: the reference goes to it, so the form cannot send our email to anyone."""
    if field.errors:
        return  # not an address at all: that message is the one to fix first
    domain = (field.data or "").rsplit("@", 1)[-1].lower()
    if "@" in (field.data or "") and not any(domain == d or domain.endswith("." + d) for d in form.email_domains):
        endings = " or ".join(form.email_domains)
        raise ValidationError(f"Enter your work email address. It must end in {endings}")


def phone_number(form, field) -> None:
    digits = re.sub(r"[\s()+-]", "", field.data or "")
    if field.data and (not digits.isdigit() or not 10 <= len(digits) <= 13):
        raise ValidationError(PHONE_FORMAT)


def choices(values) -> list[SelectChoice]:
    return [SelectChoice(value, value) for value in values]


def upper(value):
    return value.strip().upper().replace(" ", "") if isinstance(value, str) else value


#: The checks each kind of field gets besides being required and its length (see `request_fields.KINDS`).
KIND_CHECKS = {
    "text": [readable_text, single_line],
    "email": [single_line, checked_email, work_email],
    "tel": [single_line, phone_number],
    "code": [],
    "radios": [],
    "select": [],
    "textarea": [readable_text],
}


def form_field(spec: RequestField):
    """The WTForms field for one entry of the list (a date is three: see `date_fields`)."""
    validators: list = [InputRequired(message=spec.missing) if spec.required else Optional()]
    if spec.max_length:
        validators.append(Length(max=spec.max_length, message=spec.too_long))
    if spec.pattern:
        validators.append(Regexp(re.compile(spec.pattern), message=spec.pattern_message))
    validators += KIND_CHECKS[spec.kind]
    if spec.kind in CHOICE_KINDS:
        field_class = ChoiceRadioField if spec.kind == "radios" else ChoiceSelectField
        offered = choices(spec.choices)
        if spec.kind == "select":
            offered = [SelectChoice("", spec.placeholder), *offered]
        return field_class(spec.label, choices=offered, validators=validators)
    field_class = TextAreaField if spec.kind == "textarea" else StringField
    return field_class(spec.label, filters=[upper if spec.kind == "code" else stripped], validators=validators)


DATE_PARTS = ("day", "month", "year")


def date_fields(spec: RequestField) -> dict:
    """A date's three inputs, `<input_name>_day`, `_month` and `_year`: the NHS.UK date input."""
    return {f"{spec.field_name}_{part}": StringField(part.title(), filters=[stripped]) for part in DATE_PARTS}


class HelpRequestForm(Form):
    """What every help request form has besides its fields: the honeypot, and the checks across inputs."""

    website = StringField("Leave this field empty")
    #: The list the form was made from (see `form_class`).
    specs: tuple[RequestField, ...] = ()
    #: Work email domains the requester's address must be at (ALLOWED_EMAIL_DOMAINS); set by `for_site`.
    email_domains: tuple[str, ...] = ()

    @classmethod
    def for_site(
        cls, directory: Directory, phases: list[str], email_domains: tuple[str, ...], formdata=None
    ) -> HelpRequestForm:
        """The form of `request_fields.FIELDS` as it is now, with the choices the site supplies."""
        form = form_class(request_fields.FIELDS)(formdata)
        form.email_domains = email_domains
        supplied = {
            "icbs": [SelectChoice(icb.code, icb.name) for icb in directory.active_icbs()],
            "phases": choices([*phases, "Not started yet"]),
        }
        for spec in form.specs:
            if spec.choices_from:
                placeholder = [SelectChoice("", spec.placeholder)] if spec.kind == "select" else []
                form[spec.field_name].choices = placeholder + supplied[spec.choices_from]
        return form

    def date_parts(self, spec: RequestField) -> list[str]:
        """The day, month and year as typed."""
        return [self[f"{spec.field_name}_{part}"].data or "" for part in DATE_PARTS]

    def date_value(self, spec: RequestField) -> date | None:
        """A date field's answer, checked by `validate`; None when left blank."""
        parts = self.date_parts(spec)
        if not any(parts):
            return None
        day, month, year = (int(p) for p in parts)
        return date(year, month, day)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for spec in self.specs:
            if spec.kind == "date" and (message := self._date_problem(spec)):
                self[spec.error_key].errors = [message]
                valid = False
        return valid

    def _date_problem(self, spec: RequestField) -> str | None:
        parts = self.date_parts(spec)
        name = spec.label.removesuffix(" (optional)")
        if not any(parts):
            return spec.missing if spec.required else None
        if not all(parts):
            missing = [part for part, value in zip(DATE_PARTS, parts, strict=True) if not value]
            return f"{name} must include a {' and a '.join(missing)}"
        if not all(part.isdigit() for part in parts) or len(parts[2]) != 4:
            return f"{name} {DATE_FORMAT}"
        try:
            self.date_value(spec)
        except ValueError:
            return f"{name} {DATE_FORMAT}"
        return None


@cache
def form_class(specs: tuple[RequestField, ...]) -> type[HelpRequestForm]:
    """A WTForms form with a field for each entry of `specs`, in order; made once per list."""
    attributes: dict = {"specs": specs}
    for spec in specs:
        if spec.kind == "date":
            attributes.update(date_fields(spec))
        else:
            attributes[spec.field_name] = form_field(spec)
    return type("HelpRequestFormOfFields", (HelpRequestForm,), attributes)


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
    """The request as stored: one text value for each field of the form's list (a blank date is "")."""
    details = {}
    for spec in form.specs:
        if spec.kind == "date":
            value = form.date_value(spec)
            details[spec.name] = value.isoformat() if value else ""
        else:
            details[spec.name] = form[spec.field_name].data or ""
    return details


def fingerprint(details: dict) -> str:
    normalised = {key: " ".join(str(value).split()).lower() for key, value in details.items()}
    return hashlib.sha256(json.dumps(normalised, sort_keys=True).encode()).hexdigest()


def store_request(
    db: Database, details: dict, directory: Directory, now: datetime | None = None, privacy_notice: str = ""
) -> StoredRequest:
    """Stores the request and both emails in one transaction; an identical recent request returns its reference.

    `privacy_notice` is the notice's address, for the confirmation email's text.
    """
    ensure_columns(db)
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
        specs = request_fields.FIELDS
        columns = ["reference", "fingerprint", "created_at", *(spec.name for spec in specs), "partner"]
        request_id = cursor.insert_returning_id(
            f"INSERT INTO help_requests ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
            (
                reference,
                request_fingerprint,
                utc_now(),
                *(details[spec.name] for spec in specs),
                partner.key,
            ),
        )
        icb = directory.icbs.get(details["icb_code"])
        shown_as = {"icb_code": f"{icb.name} ({icb.code})" if icb else details["icb_code"]}
        message_ids = outbox.enqueue_for_request(
            cursor,
            request_id,
            reference,
            partner.email,
            request_emails.to_partner(reference, details, partner.name, specs, shown_as),
            details["email"],
            request_emails.to_requester(
                reference, details, partner.name, partner.replies_within, privacy_notice, specs, shown_as
            ),
            now,
        )
    return StoredRequest(reference, partner, True, message_ids)


def export_columns() -> list[str]:
    """The export's columns: the reference and date, every exported field of the list, and who it went to."""
    return ["reference", "created_at", *(spec.name for spec in request_fields.FIELDS if spec.exported), "partner"]


def export(db: Database, since: str | None = None) -> list[dict]:
    """Every stored request (since an ISO date, if given), oldest first: for subject access and hand-overs."""
    ensure_columns(db)
    sql = f"SELECT {', '.join(export_columns())} FROM help_requests"
    params: tuple = ()
    if since:
        sql, params = sql + " WHERE created_at >= ?", (since,)
    with db.transaction() as cursor:
        return cursor.execute(sql + " ORDER BY created_at, id", params).all()


#: Each Database's list of fields whose columns it has been checked for: once a process, not once a request.
_columns_checked: WeakKeyDictionary[Database, tuple[RequestField, ...]] = WeakKeyDictionary()


def ensure_columns(db: Database) -> None:
    """Adds a text column for each field of the list the table lacks, so a new field is stored with no
    migration to write. Renaming or removing a field's column still takes a numbered migration (`store`)."""
    specs = request_fields.FIELDS
    if _columns_checked.get(db) == specs:
        return
    with db.transaction() as cursor:
        present = cursor.columns("help_requests")
        for spec in specs:
            if spec.name not in present:
                # IF NOT EXISTS: two Lambda instances may add it at once. SQLite has no such clause, and needs
                # none: its transactions take turns (see `store.Database`).
                maybe = " IF NOT EXISTS" if cursor.dialect == "postgresql" else ""
                cursor.execute(f"ALTER TABLE help_requests ADD COLUMN{maybe} {spec.name} TEXT NOT NULL DEFAULT ''")
    _columns_checked[db] = specs


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
    return cleaned(form_class(request_fields.FIELDS)(MultiDict(fields)))
