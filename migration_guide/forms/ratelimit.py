"""Counting posts per client and form without keeping who the client is.

An NHS trust can reach us from one address, so limits are per reader *and* form (a reader is an
IPv4 address or an IPv6 /64, see `reader`), and generous
for posts (POSTS_PER_MINUTE), stricter for posts that fail validation (FAILURES_PER_MINUTE: a
script trying values). The address is hashed with a random salt made for the day; yesterday's
salt is deleted, so stored keys cannot be turned back into addresses, even by trying every
address, nor linked across days. Counts live in the database so every function instance shares
them, one row per client, form and minute; an index on the minute lets the clean-up delete old
rows without scanning.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from datetime import UTC, datetime, timedelta

from .store import Cursor

POSTS_PER_MINUTE = 30
FAILURES_PER_MINUTE = 10
#: Counts older than this are deleted by the next post.
KEPT_FOR = timedelta(minutes=10)
SALT_PREFIX = "client_salt:"


def _salt(cursor: Cursor, now: datetime) -> bytes:
    """Today's salt. The first time a process sees it, every other day's salt is deleted."""
    name = f"{SALT_PREFIX}{now:%Y-%m-%d}"
    first_sight = name not in cursor.secrets_seen
    salt = bytes.fromhex(cursor.secret(name))
    if first_sight:
        # 'client_salt' without a date is the single salt of earlier versions.
        cursor.execute(
            "DELETE FROM secrets WHERE (name LIKE ? AND name <> ?) OR name = 'client_salt'", (SALT_PREFIX + "%", name)
        )
    return salt


def reader(address: str) -> str:
    """The bucket one reader is counted in: an IPv4 address, or an IPv6 address's /64.

    One home or office is given a whole IPv6 /64 and can post from any address in it, so each of its
    addresses must count as the same reader. An IPv4 address written as IPv6 (::ffff:a.b.c.d) is that
    IPv4 address. Text that is not an address is its own bucket, never a free pass.
    """
    try:
        parsed = ipaddress.ip_address(address.strip().split("%", 1)[0])  # a zone (fe80::1%eth0) is the same host
    except ValueError:
        return f"unparsed:{address}"
    if parsed.version == 6 and parsed.ipv4_mapped:
        parsed = parsed.ipv4_mapped
    if parsed.version == 4:
        return str(parsed)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


def client_key(cursor: Cursor, address: str, now: datetime, form: str = "") -> str:
    return hmac.new(_salt(cursor, now), f"{form}|{reader(address)}".encode(), hashlib.sha256).hexdigest()[:32]


def _add(cursor: Cursor, key: str, now: datetime, posts: int, failures: int) -> dict:
    return cursor.execute(
        "INSERT INTO rate_limit (client, window_start, hits, failures) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (client, window_start) DO UPDATE "
        "SET hits = rate_limit.hits + ?, failures = rate_limit.failures + ? RETURNING hits, failures",
        (key, f"{now:%Y-%m-%dT%H:%M}", posts, failures, posts, failures),
    ).one()


def allow(
    cursor: Cursor, address: str, now: datetime | None = None, limit: int = POSTS_PER_MINUTE, form: str = ""
) -> bool:
    """Record one post from `address` to `form`; False when it is over either limit for this minute."""
    now = now or datetime.now(UTC)
    counts = _add(cursor, client_key(cursor, address, now, form), now, 1, 0)
    cursor.execute("DELETE FROM rate_limit WHERE window_start < ?", (f"{now - KEPT_FOR:%Y-%m-%dT%H:%M}",))
    return counts["hits"] <= limit and counts["failures"] < FAILURES_PER_MINUTE


def record_failure(cursor: Cursor, address: str, now: datetime | None = None, form: str = "") -> None:
    """Count a post that failed validation, towards the stricter limit."""
    now = now or datetime.now(UTC)
    _add(cursor, client_key(cursor, address, now, form), now, 0, 1)


def retry_after(now: datetime) -> int:
    """Seconds until the next minute, when the count starts again."""
    return 60 - now.second
