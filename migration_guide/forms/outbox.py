"""Outgoing email: queued in the same transaction as the request, sent after the commit.

With `NOTIFY_API_KEY` set, messages go through GOV.UK Notify; otherwise each one
is written as a JSON file under `OUTBOX_DIR`, the embedded default for
development and tests. A message that fails for a reason that may pass (a
timeout, a 5xx, a 429) stays queued with its attempts and next try; `guide
outbox retry` and the scheduled `functions/outbox.py` send what is due.
"""

from __future__ import annotations

import json
import logging
import os
import time
import unicodedata
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..config import Settings
from .store import Cursor, Database, timestamp, utc_now

log = logging.getLogger(__name__)

#: After this many failed tries a message is marked failed and left for a person to look at.
MAX_ATTEMPTS = 10
#: Confirmations sent to one requester address in a day, at most; more requests still reach the partner.
CONFIRMATIONS_PER_DAY = 3
#: While one sender is trying a message, no other picks it up.
SENDING_LEASE = timedelta(minutes=2)


class TemporaryFailure(Exception):
    """Worth trying again later."""


class MaybeSent(TemporaryFailure):
    """Notify did not answer in time: it may have sent the message. Trying again may send it twice, which
    is why delivery is at least once, never at most once."""


class PermanentFailure(Exception):
    """Will fail the same way every time (a 4xx from Notify other than 429)."""


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failure, at most 6 hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), timedelta(hours=6))


def mailbox(email: str) -> str:
    """One spelling for every way of writing the same mailbox: NFKC, case-folded, the domain in IDNA
    (ASCII) form. Confirmations go to it, so the daily cap is counted on what Notify delivers to, the
    same way on SQLite and PostgreSQL (neither database's LOWER is relied on to fold Unicode)."""
    local, _, domain = unicodedata.normalize("NFKC", email).strip().rpartition("@")
    with suppress(UnicodeError):  # the form refuses such a domain; the cap still counts it as typed
        domain = domain.encode("idna").decode("ascii")
    return f"{local.casefold()}@{domain.lower()}"


def confirmations_today(cursor: Cursor, email: str, now: datetime) -> int:
    """How many confirmations have gone to this mailbox since midnight (UTC)."""
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return cursor.execute(
        # LOWER of a canonical address is itself; it also counts rows stored before addresses were canonical,
        # and matches the (LOWER(recipient), created_at) index.
        "SELECT COUNT(*) AS sent FROM outbox WHERE recipient_role = 'requester' AND LOWER(recipient) = ?"
        " AND created_at >= ?",
        (mailbox(email), timestamp(midnight)),
    ).one()["sent"]


def enqueue_for_request(
    cursor: Cursor,
    request_id: int,
    reference: str,
    partner_email: str,
    to_partner: dict[str, str],
    requester_email: str,
    to_requester: dict[str, str],
    now: datetime,
) -> tuple[int, ...]:
    """Queues a help request's emails (written by `request_emails`): the partner's always; the requester's
    confirmation only while fewer than CONFIRMATIONS_PER_DAY have gone to that address today, so the form
    cannot flood a mailbox (the request still reaches the partner)."""
    messages = [("partner", partner_email, to_partner)]
    if confirmations_today(cursor, requester_email, now) < CONFIRMATIONS_PER_DAY:
        messages.append(("requester", mailbox(requester_email), to_requester))
    ids = []
    for role, recipient, personalisation in messages:
        ids.append(
            cursor.insert_returning_id(
                "INSERT INTO outbox (request_id, reference, recipient_role, recipient, template, personalisation,"
                " next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (request_id, reference, role, recipient, role, json.dumps(personalisation), utc_now(), utc_now()),
            )
        )
    return tuple(ids)


@dataclass(frozen=True)
class Message:
    id: int
    reference: str
    recipient_role: str
    recipient: str
    template: str
    personalisation: dict


class FileSender:
    """Writes each message to a file: the default when GOV.UK Notify is not configured."""

    def __init__(self, directory: Path):
        self.directory = directory

    def send(self, message: Message) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{message.reference}-{message.recipient_role}-{message.id}.json"
        temporary = path.with_suffix(".tmp")
        temporary.write_text(
            json.dumps(
                {
                    "to": message.recipient,
                    "template": message.template,
                    "reference": message.reference,
                    "personalisation": message.personalisation,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
        os.replace(temporary, path)  # a reader never sees half a message
        return path.name


class NotifySender:
    """Sends through GOV.UK Notify with notifications-python-client."""

    def __init__(self, api_key: str, base_url: str, template_ids: dict[str, str], timeout: float = 10):
        from notifications_python_client.notifications import NotificationsAPIClient  # only when configured

        options = {"base_url": base_url} if base_url else {}
        self.client = NotificationsAPIClient(api_key, timeout=timeout, **options)
        self.template_ids = template_ids

    def send(self, message: Message) -> str:
        import requests  # comes with the Notify client
        from notifications_python_client.errors import APIError

        try:
            reply = self.client.send_email_notification(
                email_address=message.recipient,
                template_id=self.template_ids[message.template],
                personalisation=message.personalisation,
                reference=f"{message.reference}-{message.recipient_role}",
            )
        except APIError as error:
            if isinstance(error.__cause__, requests.Timeout):
                raise MaybeSent("Notify did not answer in time; it may have sent the message") from error
            status = error.status_code
            if status and 400 <= status < 500 and status != 429:
                raise PermanentFailure(f"Notify refused the message ({status})") from error
            raise TemporaryFailure(f"Notify did not take the message ({status})") from error
        return str(reply.get("id", ""))


def outbox_dir(settings: Settings) -> Path:
    """Where messages are written as files when GOV.UK Notify is not configured."""
    return settings.outbox_dir or settings.instance_dir / "outbox"


def delete_files(directory: Path, references: list[str]) -> int:
    """Deletes the message files written for these requests; returns how many."""
    deleted = 0
    for reference in references:
        for path in directory.glob(f"{reference}-*.json"):
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


def sender_for(settings: Settings, timeout: float = 10):
    """GOV.UK Notify when a key is set, waiting at most `timeout` seconds for each answer; else files."""
    if settings.notify_api_key:
        return NotifySender(settings.notify_api_key, settings.notify_base_url, settings.notify_templates, timeout)
    return FileSender(outbox_dir(settings))


@dataclass(frozen=True)
class Delivery:
    id: int
    reference: str
    status: str


def deliver_due(
    db: Database,
    sender,
    ids: tuple[int, ...] | None = None,
    now: datetime | None = None,
    budget: float | None = None,
    time_left: Callable[[], float] | None = None,
) -> list[Delivery]:
    """Sends every queued message that is due (or only `ids`); each outcome is recorded on its own.

    With a `budget` (seconds from now), or a `time_left` that says how many seconds are left to start a
    send in (asked again before each message), no send starts once the time is spent: what is left stays
    queued for the next run, so a slow Notify never holds a reader's request or the scheduled run past
    its timeout. Without `now`, the clock is read again for each message, as a long run moves on.
    """
    if budget is not None:
        deadline = time.monotonic() + budget
        time_left = lambda: deadline - time.monotonic()  # noqa: E731 - one clock for both kinds of limit
    sql = "SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?"
    params: list = [timestamp(now or datetime.now(UTC))]
    if ids is not None:
        if not ids:
            return []
        sql += f" AND id IN ({', '.join('?' for _ in ids)})"
        params += list(ids)
    with db.transaction() as cursor:
        due = [row["id"] for row in cursor.execute(sql + " ORDER BY id", params).all()]
    deliveries = []
    for position, message_id in enumerate(due):
        if time_left is not None and time_left() <= 0:
            log.info("outbox: %s message(s) left for the next run", len(due) - position)
            break
        if delivery := _deliver_one(db, sender, message_id, now or datetime.now(UTC)):
            deliveries.append(delivery)
    return deliveries


def requeue_failed(db: Database, now: datetime | None = None) -> int:
    """Queues again every message that failed (refused by Notify, or out of attempts), due now."""
    with db.transaction() as cursor:
        return cursor.execute(
            "UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = ? WHERE status = 'failed'",
            (timestamp(now or datetime.now(UTC)),),
        ).rowcount


def _deliver_one(db: Database, sender, message_id: int, now: datetime) -> Delivery | None:
    with db.transaction() as cursor:
        claimed = cursor.execute(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ? "
            "WHERE id = ? AND status = 'queued' AND next_attempt_at <= ?",
            (timestamp(now + SENDING_LEASE), message_id, timestamp(now)),
        ).rowcount
        if not claimed:
            return None  # another sender has it
        row = cursor.execute("SELECT * FROM outbox WHERE id = ?", (message_id,)).one()
    message = Message(
        row["id"],
        row["reference"],
        row["recipient_role"],
        row["recipient"],
        row["template"],
        json.loads(row["personalisation"]),
    )
    attempts = row["attempts"]
    try:
        provider_id = sender.send(message)
    except PermanentFailure as error:
        status, update = "failed", ("status = 'failed', last_error = ?", [str(error)])
    except MaybeSent as error:
        status = "failed" if attempts >= MAX_ATTEMPTS else "queued"
        update = (
            "status = ?, last_error = ?, next_attempt_at = ?",
            [status, str(error), timestamp(now + backoff(attempts))],
        )
        log.warning(
            "outbox message %s (%s, %s) timed out: the next try may deliver it twice (at least once)",
            message_id,
            message.reference,
            message.recipient_role,
        )
    except Exception as error:  # a timeout, a 5xx, a full disk: try again later
        status = "failed" if attempts >= MAX_ATTEMPTS else "queued"
        update = (
            "status = ?, last_error = ?, next_attempt_at = ?",
            [status, _describe(error), timestamp(now + backoff(attempts))],
        )
    else:
        status, update = (
            "sent",
            ("status = 'sent', provider_id = ?, sent_at = ?, last_error = ''", [provider_id, utc_now()]),
        )
    with db.transaction() as cursor:
        cursor.execute(f"UPDATE outbox SET {update[0]} WHERE id = ?", update[1] + [message_id])
    # The reference and role only: recipients and personal details never reach the logs.
    log.info(
        "outbox message %s (%s, %s) %s after %s attempt(s)",
        message_id,
        message.reference,
        message.recipient_role,
        status,
        attempts,
    )
    return Delivery(message_id, message.reference, status)


def _describe(error: Exception) -> str:
    # Exception text from HTTP libraries can echo the request; keep only the kind of failure.
    return str(error) if isinstance(error, TemporaryFailure) else type(error).__name__


def list_messages(db: Database) -> list[dict]:
    with db.transaction() as cursor:
        return cursor.execute(
            "SELECT id, reference, recipient_role, status, attempts, next_attempt_at, last_error, sent_at "
            "FROM outbox ORDER BY id"
        ).all()
