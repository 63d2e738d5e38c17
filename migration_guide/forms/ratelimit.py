"""Counting posts per client without keeping who the client is.

The address is hashed with a secret salt that rotates daily (the date is part of
the HMAC input), so stored keys cannot be turned back into addresses or linked
across days. Counts live in the database so every function instance shares them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from .store import Cursor

POSTS_PER_MINUTE = 10


def _salt(cursor: Cursor) -> bytes:
    row = cursor.execute("SELECT value FROM secrets WHERE name = 'client_salt'").one()
    if row:
        return bytes.fromhex(row["value"])
    salt = secrets.token_hex(32)
    cursor.execute("INSERT INTO secrets (name, value) VALUES ('client_salt', ?) ON CONFLICT (name) DO NOTHING", (salt,))
    return bytes.fromhex(cursor.execute("SELECT value FROM secrets WHERE name = 'client_salt'").one()["value"])


def client_key(cursor: Cursor, address: str, now: datetime) -> str:
    message = f"{now:%Y-%m-%d}|{address}".encode()
    return hmac.new(_salt(cursor), message, hashlib.sha256).hexdigest()[:32]


def allow(cursor: Cursor, address: str, now: datetime | None = None, limit: int = POSTS_PER_MINUTE) -> bool:
    """Record one post from `address`; False when it is over the limit for this minute."""
    now = now or datetime.now(UTC)
    window = f"{now:%Y-%m-%dT%H:%M}"
    key = client_key(cursor, address, now)
    cursor.execute(
        "INSERT INTO rate_limit (client, window_start, hits) VALUES (?, ?, 1) "
        "ON CONFLICT (client, window_start) DO UPDATE SET hits = rate_limit.hits + 1",
        (key, window),
    )
    hits = cursor.execute("SELECT hits FROM rate_limit WHERE client = ? AND window_start = ?", (key, window)).one()[
        "hits"
    ]
    cursor.execute("DELETE FROM rate_limit WHERE window_start < ?", (f"{now - timedelta(minutes=10):%Y-%m-%dT%H:%M}",))
    return hits <= limit
