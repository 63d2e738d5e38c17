"""Counting posts per client and form without keeping who the client is.

An NHS trust can reach us from one address, so limits are per address *and* form, and generous
for posts (POSTS_PER_MINUTE), stricter for posts that fail validation (FAILURES_PER_MINUTE: a
script trying values). The address is hashed with a random salt made for the day; yesterday's
salt is deleted, so stored keys cannot be turned back into addresses, even by trying every
address, nor linked across days. Counts live in the database so every function instance shares
them; an index on the minute lets the clean-up delete old rows without scanning.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from .store import Cursor

POSTS_PER_MINUTE = 30
FAILURES_PER_MINUTE = 10
#: Counts older than this are deleted by the next post.
KEPT_FOR = timedelta(minutes=10)
SALT_PREFIX = "client_salt:"


def _salt(cursor: Cursor, now: datetime) -> bytes:
    """Today's salt: made on the day's first post, when every other day's salt is deleted."""
    name = f"{SALT_PREFIX}{now:%Y-%m-%d}"
    row = cursor.execute("SELECT value FROM secrets WHERE name = ?", (name,)).one()
    if row:
        return bytes.fromhex(row["value"])
    cursor.execute(
        "INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", (name, secrets.token_hex(32))
    )
    cursor.execute(
        "DELETE FROM secrets WHERE (name LIKE ? AND name <> ?) OR name = 'client_salt'", (SALT_PREFIX + "%", name)
    )
    return bytes.fromhex(cursor.execute("SELECT value FROM secrets WHERE name = ?", (name,)).one()["value"])


def _key(salt: bytes, address: str, form: str) -> str:
    return hmac.new(salt, f"{form}|{address}".encode(), hashlib.sha256).hexdigest()[:32]


def client_key(cursor: Cursor, address: str, now: datetime, form: str = "") -> str:
    return _key(_salt(cursor, now), address, form)


def _count(cursor: Cursor, key: str, window: str, add: int) -> int:
    if add:
        cursor.execute(
            "INSERT INTO rate_limit (client, window_start, hits) VALUES (?, ?, ?) "
            "ON CONFLICT (client, window_start) DO UPDATE SET hits = rate_limit.hits + ?",
            (key, window, add, add),
        )
    row = cursor.execute("SELECT hits FROM rate_limit WHERE client = ? AND window_start = ?", (key, window)).one()
    return row["hits"] if row else 0


def allow(
    cursor: Cursor, address: str, now: datetime | None = None, limit: int = POSTS_PER_MINUTE, form: str = ""
) -> bool:
    """Record one post from `address` to `form`; False when it is over either limit for this minute."""
    now = now or datetime.now(UTC)
    window = f"{now:%Y-%m-%dT%H:%M}"
    salt = _salt(cursor, now)
    posts = _count(cursor, _key(salt, address, form), window, 1)
    failures = _count(cursor, _key(salt, address, f"{form}:failed"), window, 0)
    cursor.execute("DELETE FROM rate_limit WHERE window_start < ?", (f"{now - KEPT_FOR:%Y-%m-%dT%H:%M}",))
    return posts <= limit and failures < FAILURES_PER_MINUTE


def record_failure(cursor: Cursor, address: str, now: datetime | None = None, form: str = "") -> None:
    """Count a post that failed validation, towards the stricter limit."""
    now = now or datetime.now(UTC)
    _count(cursor, client_key(cursor, address, now, f"{form}:failed"), f"{now:%Y-%m-%dT%H:%M}", 1)


def retry_after(now: datetime) -> int:
    """Seconds until the next minute, when the count starts again."""
    return 60 - now.second
