"""The form store: SQLite by default, PostgreSQL when DATABASE_URL says so.

Plain DB-API rather than an ORM: the functions cold-start on every new Lambda
container, and the schema is small. SQL is written once with `?` placeholders
and works on both. The schema is created and upgraded here, on first use, by
numbered migrations recorded in `schema_migrations`.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from ..config import Settings
from .watchdog import WATCHDOG

try:
    import fcntl
except ImportError:  # not on Windows: SQLite's own busy handler still keeps writers apart
    fcntl = None

# Each migration is applied once, in order, inside one transaction. Append; never edit.
# `{id}` becomes the dialect's auto-numbered primary key.
MIGRATIONS: list[tuple[int, list[str]]] = [
    (
        1,
        [
            """CREATE TABLE feedback (
            id {id},
            page TEXT NOT NULL,
            section TEXT NOT NULL,
            answer TEXT NOT NULL CHECK (answer IN ('yes', 'no')),
            comment TEXT NOT NULL DEFAULT '',
            content_version TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
            "CREATE INDEX feedback_page_section ON feedback (page, section)",
            """CREATE TABLE rate_limit (
            client TEXT NOT NULL,
            window_start TEXT NOT NULL,
            hits INTEGER NOT NULL,
            PRIMARY KEY (client, window_start)
        )""",
            """CREATE TABLE secrets (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""",
        ],
    ),
    (
        2,
        [
            """CREATE TABLE help_requests (
            id {id},
            reference TEXT NOT NULL UNIQUE,
            fingerprint TEXT NOT NULL,
            created_at TEXT NOT NULL,
            full_name TEXT NOT NULL,
            email TEXT NOT NULL,
            phone TEXT NOT NULL DEFAULT '',
            role TEXT NOT NULL,
            practice_name TEXT NOT NULL,
            ods_code TEXT NOT NULL,
            icb_code TEXT NOT NULL,
            phase TEXT NOT NULL,
            go_live_date TEXT NOT NULL DEFAULT '',
            current_system TEXT NOT NULL,
            new_system TEXT NOT NULL,
            message TEXT NOT NULL,
            partner TEXT NOT NULL
        )""",
            "CREATE INDEX help_requests_fingerprint ON help_requests (fingerprint, created_at)",
            """CREATE TABLE outbox (
            id {id},
            request_id INTEGER NOT NULL REFERENCES help_requests (id) ON DELETE CASCADE,
            reference TEXT NOT NULL,
            recipient_role TEXT NOT NULL,
            recipient TEXT NOT NULL,
            template TEXT NOT NULL,
            personalisation TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'queued',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT NOT NULL DEFAULT '',
            provider_id TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            sent_at TEXT NOT NULL DEFAULT ''
        )""",
            "CREATE INDEX outbox_due ON outbox (status, next_attempt_at)",
        ],
    ),
    (
        3,
        [
            # The rate limit's clean-up deletes by minute: without this it scanned every row.
            "CREATE INDEX rate_limit_window ON rate_limit (window_start)",
        ],
    ),
    (
        4,
        [
            # Posts that failed validation, counted in the same row as all posts: one statement a post.
            "ALTER TABLE rate_limit ADD COLUMN failures INTEGER NOT NULL DEFAULT 0",
        ],
    ),
    (
        5,
        [
            # Retention finds old rows by age instead of reading every row: requests by their date, and
            # only the comments not yet blanked (a partial index stays small as answers pile up).
            "CREATE INDEX help_requests_created ON help_requests (created_at)",
            "CREATE INDEX feedback_comment_created ON feedback (created_at) WHERE comment <> ''",
            # Deleting a request deletes its messages (ON DELETE CASCADE), found by request.
            "CREATE INDEX outbox_request ON outbox (request_id)",
            # The confirmation cap counts one address's confirmations today (outbox.confirmations_today).
            "CREATE INDEX outbox_confirmations ON outbox (LOWER(recipient), created_at)"
            " WHERE recipient_role = 'requester'",
        ],
    ),
    (
        6,
        [
            # The key a feedback form carries for one answer (see feedback.save): a post retried after its
            # response was lost is the same answer, and the database, not one process's memory, keeps it once.
            # Answers without a key leave it NULL, which a unique index lets repeat.
            "ALTER TABLE feedback ADD COLUMN idempotency_key TEXT",
            "CREATE UNIQUE INDEX feedback_idempotency_key ON feedback (idempotency_key)",
        ],
    ),
]

PRIMARY_KEY = {
    "sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT",
    "postgresql": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
}


class DatabaseUnavailable(RuntimeError):
    """The store cannot be reached or trusted now; the forms answer 503 and keep nothing half-stored."""


# A post must be answered (with the NHS 503 and Retry-After, if need be) well inside Lambda's 15 s limit,
# so a database that stops answering or a held lock costs a reader seconds, not the platform's error page.
#: Seconds to open a connection to PostgreSQL.
CONNECT_TIMEOUT = 3
#: Seconds PostgreSQL lets one statement run, and waits for a row or table lock, before giving up.
STATEMENT_TIMEOUT = 5
LOCK_TIMEOUT = 3
#: Seconds SQLite's busy handler waits for another process's write lock.
SQLITE_BUSY_TIMEOUT = 5
#: Seconds we wait for PostgreSQL to answer one statement before the watchdog abandons the connection: the
#: server's own timeouts act first while it runs, this when it does not (stopped, hung, cut off). A frozen
#: server costs a post this long, and it is never waited for twice in one post.
WAIT_TIMEOUT = STATEMENT_TIMEOUT + 1


def unavailable_errors(dialect: str) -> tuple[type[BaseException], ...]:
    """The driver errors that mean the store is down or unusable, by the drivers' own hierarchies: psycopg's
    OperationalError covers a restart (AdminShutdown), a timeout (QueryCanceled) and a held lock
    (LockNotAvailable); SQLite's OperationalError a locked, full or failing disk, and its bare DatabaseError
    a damaged file. Anything else (a constraint, a typo in our SQL) is ours, and stays a bug."""
    if dialect == "postgresql":
        import psycopg

        return (psycopg.OperationalError, psycopg.InterfaceError)
    return (sqlite3.OperationalError, sqlite3.InterfaceError)


def is_unavailable(error: BaseException, dialect: str) -> bool:
    return isinstance(error, unavailable_errors(dialect)) or type(error) is sqlite3.DatabaseError


@contextmanager
def bounded_wait(fileno: int | None) -> Iterator[None]:
    """A wait on PostgreSQL's socket `fileno` that the watchdog ends after WAIT_TIMEOUT; None (SQLite) waits
    unwatched, as a local file answers or its busy timeout does."""
    if fileno is None:
        yield
        return
    seconds = WAIT_TIMEOUT
    with WATCHDOG.watching(fileno, seconds) as wait:
        try:
            yield
        except Exception as error:
            if wait.cut:
                raise DatabaseUnavailable(f"the postgresql database did not answer within {seconds} s") from error
            raise


def timestamp(moment: datetime) -> str:
    """Timestamps are stored as ISO 8601 UTC text: sortable, and the same on both databases."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment  # naive means UTC already
    return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utc_now() -> str:
    return timestamp(datetime.now(UTC))


class Cursor:
    """A thin wrapper that speaks `?` placeholders to either database and returns dict rows."""

    def __init__(self, raw, dialect: str, secrets_seen: dict[str, str] | None = None, fileno: int | None = None):
        self._raw = raw
        self.dialect = dialect
        #: The PostgreSQL connection's socket, whose waits the watchdog bounds; None on SQLite.
        self._fileno = fileno
        #: Secrets this process has read already (see `secret`), shared by the Database's cursors.
        self.secrets_seen = {} if secrets_seen is None else secrets_seen

    def secret(self, name: str) -> str:
        """A random secret kept in the store under `name`, made on first use by any process. Read once per
        process: a secret never changes under its name (the rate limit's daily salt takes a new name)."""
        value = self.secrets_seen.get(name)
        if value is None:
            self.execute(
                "INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                (name, secrets.token_hex(32)),
            )
            value = self.secrets_seen[name] = self.execute("SELECT value FROM secrets WHERE name = ?", (name,)).one()[
                "value"
            ]
        return value

    def execute(self, sql: str, params: tuple | list = ()) -> Cursor:
        if self.dialect == "postgresql":
            sql = sql.replace("%", "%%").replace("?", "%s")
        try:
            with bounded_wait(self._fileno):
                self._raw.execute(sql, tuple(params))
        except DatabaseUnavailable:
            raise
        except Exception as error:
            if is_unavailable(error, self.dialect):
                raise DatabaseUnavailable(f"the {self.dialect} database failed: {type(error).__name__}") from error
            raise
        return self

    def one(self) -> dict | None:
        row = self._raw.fetchone()
        return self._as_dict(row) if row is not None else None

    def all(self) -> list[dict]:
        return [self._as_dict(row) for row in self._raw.fetchall()]

    def columns(self, table: str) -> set[str]:
        """The names of a table's columns."""
        if self.dialect == "sqlite":
            return {row["name"] for row in self.execute(f"PRAGMA table_info({table})").all()}
        return {
            row["column_name"]
            for row in self.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = ?",
                (table,),
            ).all()
        }

    @property
    def rowcount(self) -> int:
        return self._raw.rowcount

    def insert_returning_id(self, sql: str, params: tuple | list) -> int:
        return self.execute(sql + " RETURNING id", params).one()["id"]

    def _as_dict(self, row) -> dict:
        names = [column[0] for column in self._raw.description]
        return dict(zip(names, row, strict=False))


class Database:
    """Hands out transactions. One connection per thread, opened on first use."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """The form store that `DATABASE_URL` names, or the SQLite file in the instance folder."""
        return cls(settings.database_url, settings.instance_dir / "guide.sqlite3")

    def __init__(self, url: str, default_sqlite_path: Path):
        if url.startswith(("postgresql://", "postgres://")):
            self.dialect, self.url = "postgresql", url
        elif url.startswith("sqlite:///"):
            self.dialect, self.url = "sqlite", url[len("sqlite:///") :]
        elif not url:
            self.dialect, self.url = "sqlite", str(default_sqlite_path)
        else:
            raise ValueError("DATABASE_URL must start with sqlite:/// or postgresql://")
        self._local = threading.local()
        self._secrets_seen: dict[str, str] = {}
        self._migrated = False
        self._migrate_lock = threading.Lock()
        # SQLite has one writer at a time, and every transaction here takes the write lock (BEGIN
        # IMMEDIATE): a process's threads wait their turn on this lock rather than in SQLite's busy
        # handler, which sleeps in steps of up to 100 ms and gave posts a long latency tail.
        self._sqlite_turn = threading.RLock() if self.dialect == "sqlite" else None

    def _connect(self):
        try:
            if self.dialect == "sqlite":
                Path(self.url).parent.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(
                    self.url, timeout=SQLITE_BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
                )
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA foreign_keys=ON")
                connection.execute("PRAGMA synchronous=NORMAL")
                connection.execute(
                    "PRAGMA secure_delete=ON"
                )  # deleted personal data is overwritten, not left in free pages
                self._local.inode = os.stat(self.url).st_ino
                return connection
            import psycopg  # only when PostgreSQL is configured: keeps cold starts short

            # connect_timeout bounds the whole handshake, so a server that accepts and never answers costs 3 s.
            connection = psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
            # Set for the session, not in the URL's `options`, so a DATABASE_URL with its own options keeps them.
            with bounded_wait(connection.fileno()):
                connection.execute(
                    f"SET statement_timeout = '{STATEMENT_TIMEOUT}s'; SET lock_timeout = '{LOCK_TIMEOUT}s'"
                )
            return connection
        except Exception as error:
            raise DatabaseUnavailable(
                f"cannot connect to the {self.dialect} database: {type(error).__name__}"
            ) from error

    def _connection(self):
        connection = getattr(self._local, "connection", None)
        if connection is None or getattr(connection, "closed", False):
            connection = self._local.connection = self._connect()
        return connection

    def _same_file(self) -> bool:
        """Whether the SQLite file at the path is still the one this thread's connection has open."""
        try:
            return os.stat(self.url).st_ino == self._local.inode
        except FileNotFoundError:
            return False

    def _reopen_if_replaced(self) -> None:
        """A SQLite file deleted or replaced under a running worker (an operator's `rm`, a restore) is opened
        afresh at its path, its schema made again, rather than failing every post until a restart. Writing on
        through the old connection would go into the deleted file, and acknowledged posts would vanish."""
        if self.dialect == "sqlite" and getattr(self._local, "connection", None) is not None and not self._same_file():
            self._forget_file()

    def _forget_file(self) -> None:
        """Lets go of a SQLite file that is gone: the next transaction opens the path and makes its schema."""
        self._drop_connection()
        self._migrated = False
        self._secrets_seen.clear()  # the old file's secrets went with it; the new file makes its own

    def _begin(self):
        """A cursor inside a new transaction; a connection the server dropped (a restart, an idle timeout) is
        replaced once, so the first request after a database restart is stored rather than refused."""
        for attempt in (1, 2):
            connection = self._connection()
            raw = connection.cursor()
            try:
                with self._bounded():
                    raw.execute("BEGIN IMMEDIATE" if self.dialect == "sqlite" else "BEGIN")
                return raw
            except Exception as error:
                with suppress(Exception):
                    raw.close()
                self._drop_connection()
                if isinstance(error, DatabaseUnavailable):
                    raise  # the server did not answer: a new connection would wait as long again
                if attempt == 2 or self.dialect == "sqlite":
                    raise DatabaseUnavailable(f"cannot start a transaction: {type(error).__name__}") from error
        raise AssertionError("unreachable")

    def _bounded(self):
        """A bound on this thread's next wait on the database (see `bounded_wait`)."""
        connection = self._local.connection
        return bounded_wait(connection.fileno() if self.dialect == "postgresql" else None)

    def _drop_connection(self) -> None:
        connection, self._local.connection = getattr(self._local, "connection", None), None
        if connection is not None:
            with suppress(Exception):
                connection.close()

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """Everything inside commits together or not at all."""
        self._reopen_if_replaced()
        self._ensure_schema()
        with self._raw_transaction() as cursor:
            yield cursor

    @contextmanager
    def _raw_transaction(self) -> Iterator[Cursor]:
        if self._sqlite_turn is None:
            with self._raw_transaction_now() as cursor:
                yield cursor
            return
        with self._sqlite_turn, self._other_processes_wait(), self._raw_transaction_now() as cursor:
            yield cursor

    @contextmanager
    def _other_processes_wait(self):
        """The same turn-taking across processes (several server workers): a lock file beside the database."""
        if fcntl is None:
            yield
            return
        if getattr(self, "_turn_pid", None) != os.getpid():  # opened here, not inherited: a forked worker's own lock
            try:
                Path(self.url).parent.mkdir(parents=True, exist_ok=True)
                self._turn_file = open(self.url + ".lock", "a+b")  # noqa: SIM115 - kept open for the process
            except OSError as error:
                raise DatabaseUnavailable(f"cannot open the SQLite database's folder: {error.strerror}") from error
            self._turn_pid = os.getpid()
        fcntl.flock(self._turn_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._turn_file, fcntl.LOCK_UN)

    @contextmanager
    def _raw_transaction_now(self) -> Iterator[Cursor]:
        raw = self._begin()
        try:
            fileno = self._local.connection.fileno() if self.dialect == "postgresql" else None
            yield Cursor(raw, self.dialect, self._secrets_seen, fileno)
            try:
                with bounded_wait(fileno):
                    raw.execute("COMMIT")
            except DatabaseUnavailable:
                raise
            except Exception as error:  # a full disk or a lost server at the last step: nothing was stored
                if is_unavailable(error, self.dialect):
                    raise DatabaseUnavailable(f"the {self.dialect} database did not commit") from error
                raise
            if self.dialect == "sqlite" and not self._same_file():
                # Deleted while this transaction ran: what it wrote went with the file, so it must not be
                # acknowledged. The next transaction opens the file now at the path.
                self._forget_file()
                raise DatabaseUnavailable(f"the SQLite database {self.url} was removed during a transaction")
        except BaseException:
            try:
                with self._bounded():
                    raw.execute("ROLLBACK")
            except Exception:
                self._drop_connection()  # a broken connection is replaced on next use
            raise
        finally:
            with suppress(Exception):  # closing a cursor of a dropped connection must not mask the real error
                raw.close()

    def _ensure_schema(self) -> None:
        if self._migrated:
            return
        with self._migrate_lock:
            if not self._migrated:
                self.migrate()
                self._migrated = True

    def migrate(self) -> list[int]:
        """Apply the migrations this database has not had yet; returns their numbers."""
        applied_now = []
        self._reopen_if_replaced()
        with self._raw_transaction() as cursor:
            if self.dialect == "postgresql":
                cursor.execute("SELECT pg_advisory_xact_lock(7263514)")  # one migrator at a time
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            done = {row["version"] for row in cursor.execute("SELECT version FROM schema_migrations").all()}
            for version, statements in MIGRATIONS:
                if version in done:
                    continue
                for statement in statements:
                    cursor.execute(statement.replace("{id}", PRIMARY_KEY[self.dialect]))
                cursor.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", (version, utc_now())
                )
                applied_now.append(version)
        return applied_now

    def compact(self) -> None:
        """After deleting personal data: SQLite copies the write-ahead log back and empties it, so no deleted
        row lingers there (secure_delete has already overwritten the freed pages). PostgreSQL keeps dead rows
        until VACUUM, which autovacuum runs; see README "Personal data"."""
        if self.dialect == "sqlite":
            with self._sqlite_turn, self._other_processes_wait():
                self._connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None
