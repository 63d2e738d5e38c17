"""The store creates and upgrades its own schema, and a transaction is all or nothing, on SQLite and PostgreSQL."""

from urllib.parse import urlsplit, urlunsplit

import pytest
from conftest import postgres_schema_url
from support.frozen_server import FreezableProxy, SilentServer

from migration_guide.config import Settings
from migration_guide.forms.store import MIGRATIONS, Cursor, Database, DatabaseUnavailable


def test_the_schema_is_created_on_first_use(database):
    with database.transaction() as cursor:
        versions = [
            row["version"] for row in cursor.execute("SELECT version FROM schema_migrations ORDER BY version").all()
        ]
        assert cursor.execute("SELECT COUNT(*) AS n FROM feedback").one()["n"] == 0
    assert versions == [version for version, _ in MIGRATIONS]


def test_migrating_again_applies_nothing(database):
    assert database.migrate() == [version for version, _ in MIGRATIONS]
    assert database.migrate() == []


def test_a_failed_transaction_leaves_nothing_behind(database):
    with pytest.raises(RuntimeError), database.transaction() as cursor:
        cursor.execute(
            "INSERT INTO feedback (page, section, answer, comment, content_version, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            ("/guide/", "intro", "yes", "", "v1", "2026-11-27T00:00:00Z"),
        )
        raise RuntimeError("something went wrong after the insert")
    with database.transaction() as cursor:
        assert cursor.execute("SELECT COUNT(*) AS n FROM feedback").one()["n"] == 0


def test_the_default_store_is_a_sqlite_file_in_the_instance_folder(tmp_path):
    db = Database("", tmp_path / "instance" / "guide.sqlite3")
    with db.transaction() as cursor:
        cursor.execute("SELECT 1 AS one").one()
    assert (tmp_path / "instance" / "guide.sqlite3").is_file()


def test_an_unknown_database_url_is_refused(tmp_path):
    with pytest.raises(ValueError, match="sqlite:/// or postgresql://"):
        Database("mysql://somewhere/db", tmp_path / "x")


def test_a_connection_the_server_dropped_is_replaced_and_the_next_transaction_is_stored(request, tmp_path):
    """As after a PostgreSQL restart: the first request on a warm worker must not fail."""
    import psycopg

    database_url = postgres_schema_url(request)
    db = Database(database_url, tmp_path / "unused.sqlite3")
    with db.transaction() as cursor:
        backend = cursor.execute("SELECT pg_backend_pid() AS pid").one()["pid"]
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
    with db.transaction() as cursor:
        cursor.execute("INSERT INTO secrets (name, value) VALUES ('after-restart', 'stored')")
    with db.transaction() as cursor:
        assert cursor.execute("SELECT value FROM secrets WHERE name = 'after-restart'").one()["value"] == "stored"
    db.close()


def test_a_database_that_cannot_be_reached_is_reported_as_unavailable(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    for db in (
        Database("postgresql://guide:guide@127.0.0.1:1/none", tmp_path / "x"),
        Database(f"sqlite:///{blocked}/guide.sqlite3", tmp_path / "x"),
    ):
        with pytest.raises(DatabaseUnavailable), db.transaction():
            pass


def rows_on_disk(path, sql: str) -> list[tuple]:
    """What the file at `path` holds, read by a connection of its own (not the store's)."""
    import sqlite3

    with sqlite3.connect(path) as connection:
        return connection.execute(sql).fetchall()


def test_when_the_sqlite_file_is_removed_under_a_running_worker_the_next_transaction_opens_a_fresh_one(tmp_path):
    path = tmp_path / "guide.sqlite3"
    db = Database(f"sqlite:///{path}", tmp_path / "x")
    with db.transaction() as cursor:
        cursor.execute("INSERT INTO secrets (name, value) VALUES ('first', '1')")
        first_key = cursor.secret("feedback_token_key")
    path.unlink()
    with db.transaction() as cursor:  # not a 503 until the worker restarts: the schema is made again
        cursor.execute("INSERT INTO secrets (name, value) VALUES ('after', '2')")
        # The deleted file's secret went with it: the new file makes and keeps its own.
        assert cursor.secret("feedback_token_key") != first_key
    assert path.is_file()
    assert rows_on_disk(path, "SELECT name FROM secrets WHERE name IN ('first', 'after')") == [("after",)]
    assert [v for (v,) in rows_on_disk(path, "SELECT version FROM schema_migrations ORDER BY version")] == [
        version for version, _ in MIGRATIONS
    ]
    db.close()


def test_a_file_replaced_under_a_running_worker_is_the_one_written_to(tmp_path):
    path = tmp_path / "guide.sqlite3"
    db = Database(f"sqlite:///{path}", tmp_path / "x")
    db.migrate()
    restored = Database(f"sqlite:///{tmp_path / 'restored.sqlite3'}", tmp_path / "x")
    restored.migrate()
    restored.close()
    (tmp_path / "restored.sqlite3").replace(path)  # as a restore from a backup would
    with db.transaction() as cursor:
        cursor.execute("INSERT INTO secrets (name, value) VALUES ('after-restore', '1')")
    assert rows_on_disk(path, "SELECT value FROM secrets WHERE name = 'after-restore'") == [("1",)]
    db.close()


def test_a_transaction_during_which_the_file_was_removed_is_not_acknowledged(tmp_path):
    path = tmp_path / "guide.sqlite3"
    db = Database(f"sqlite:///{path}", tmp_path / "x")
    db.migrate()
    with pytest.raises(DatabaseUnavailable, match="removed during a transaction"), db.transaction() as cursor:
        cursor.execute("INSERT INTO secrets (name, value) VALUES ('lost', '1')")
        path.unlink()  # what this commits goes into the deleted file
    with db.transaction() as cursor:
        cursor.execute("INSERT INTO secrets (name, value) VALUES ('kept', '2')")
    assert rows_on_disk(path, "SELECT name FROM secrets WHERE name IN ('lost', 'kept')") == [("kept",)]
    db.close()


def test_a_feedback_post_after_the_sqlite_file_was_deleted_is_stored_not_refused(tmp_path):
    """The worker keeps running: the post after the deletion is a 200 stored in a fresh file, not a 503."""
    from migration_guide.pages.app import create_app

    path = tmp_path / "guide.sqlite3"
    settings = Settings.from_environment(instance_dir=tmp_path / "instance", database_url=f"sqlite:///{path}")
    client = create_app(settings).test_client()

    def answer():
        return client.post(
            "/api/feedback",
            data="page=/&section=x&answer=yes",  # a section the guide does not have: refused, but counted
            content_type="application/x-www-form-urlencoded",
            headers={"Origin": settings.site_url},
        )

    assert answer().status_code == 400
    path.unlink()
    response = answer()
    assert response.status_code == 400 and "We could not find that section of the guide" in response.get_data(
        as_text=True
    )
    # The rate limit counted the post in the new file's own schema.
    assert rows_on_disk(path, "SELECT SUM(hits) FROM rate_limit") == [(1,)]


def test_sqlite_overwrites_deleted_personal_data(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'guide.sqlite3'}", tmp_path / "x")
    with db.transaction() as cursor:
        assert cursor.execute("PRAGMA secure_delete").one()["secure_delete"] == 1
    db.close()


def test_postgresql_sessions_give_up_on_a_slow_statement_or_a_held_lock_within_the_request_budget(request, tmp_path):
    from migration_guide.forms.store import LOCK_TIMEOUT, STATEMENT_TIMEOUT

    db = Database(postgres_schema_url(request), tmp_path / "unused.sqlite3")
    with db.transaction() as cursor:
        assert cursor.execute("SHOW statement_timeout").one() == {"statement_timeout": f"{STATEMENT_TIMEOUT}s"}
        assert cursor.execute("SHOW lock_timeout").one() == {"lock_timeout": f"{LOCK_TIMEOUT}s"}
    assert LOCK_TIMEOUT < STATEMENT_TIMEOUT < 15  # Lambda's limit
    db.close()


def test_a_table_lock_held_elsewhere_gives_the_reader_the_nhs_503_in_seconds(request, tmp_path, monkeypatch):
    import time

    import psycopg

    from migration_guide.pages.app import create_app

    database_url = postgres_schema_url(request)
    monkeypatch.setattr("migration_guide.forms.store.LOCK_TIMEOUT", 1)
    settings = Settings.from_environment(instance_dir=tmp_path / "instance", database_url=database_url)
    app = create_app(settings)
    db = app.extensions["database"]
    db.migrate()
    with psycopg.connect(database_url) as holder:  # a transaction that holds the lock until the test ends
        holder.execute("LOCK TABLE rate_limit IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        response = app.test_client().post(
            "/api/feedback",
            data="page=/&section=x&answer=yes",
            content_type="application/x-www-form-urlencoded",
            headers={"Origin": settings.site_url},
        )
        waited = time.monotonic() - started
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "Sorry, there is a problem with the service" in response.get_data(as_text=True)
    assert waited < 4


@pytest.mark.parametrize("error_name", ["AdminShutdown", "QueryCanceled", "LockNotAvailable", "OperationalError"])
def test_psycopg_errors_meaning_the_server_is_gone_are_classified_by_class_not_by_name(error_name):
    import psycopg

    error_class = getattr(psycopg.errors, error_name, None) or getattr(psycopg, error_name)

    class RawCursorOfARestartingServer:
        def execute(self, sql, params):
            raise error_class("the server went away")

    with pytest.raises(DatabaseUnavailable, match=error_class.__name__):
        Cursor(RawCursorOfARestartingServer(), "postgresql").execute("SELECT 1")


def test_a_full_sqlite_disk_is_unavailable_not_a_bare_error(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'full.sqlite3'}", tmp_path / "x")
    db.migrate()
    connection = db._connection()
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages + 1}")  # as good as a full disk
    with pytest.raises(DatabaseUnavailable), db.transaction() as cursor:
        cursor.execute("INSERT INTO secrets (name, value) VALUES (?, ?)", ("big", "x" * 200_000))
    with db.transaction() as cursor:  # nothing half-stored, and the store still answers
        assert cursor.execute("SELECT COUNT(*) AS n FROM secrets WHERE name = 'big'").one()["n"] == 0


# A database that stops answering: the watchdog (PostgreSQL's own timeouts cannot act when it is stopped)


def through(proxy_port: int, database_url: str) -> str:
    """The same database URL, reached through a proxy on this machine."""
    parts = urlsplit(database_url)
    user = parts.netloc.rpartition("@")[0]
    return urlunsplit(parts._replace(netloc=f"{user}@127.0.0.1:{proxy_port}" if user else f"127.0.0.1:{proxy_port}"))


def feedback_post(client, settings):
    return client.post(
        "/api/feedback",
        data="page=/&section=x&answer=yes",  # a section the guide does not have: a 400, after the rate limit's write
        content_type="application/x-www-form-urlencoded",
        headers={"Origin": settings.site_url},
    )


def test_a_frozen_postgresql_gives_the_reader_the_nhs_503_in_seconds_and_the_next_post_is_stored(
    request, tmp_path, monkeypatch
):
    import time
    from concurrent.futures import ThreadPoolExecutor
    from concurrent.futures import TimeoutError as StillWaiting

    from migration_guide.pages.app import create_app

    monkeypatch.setattr("migration_guide.forms.store.WAIT_TIMEOUT", 1, raising=False)
    real = postgres_schema_url(request)
    proxy = FreezableProxy(urlsplit(real).hostname, urlsplit(real).port or 5432)
    request.addfinalizer(proxy.close)
    settings = Settings.from_environment(instance_dir=tmp_path / "instance", database_url=through(proxy.port, real))
    client = create_app(settings).test_client()
    worker = ThreadPoolExecutor(max_workers=1)  # one thread, so its connection stays warm between posts
    request.addfinalizer(lambda: (proxy.thaw(), worker.shutdown(wait=False)))
    assert worker.submit(feedback_post, client, settings).result().status_code == 400  # connected, schema made
    proxy.freeze()  # as `kill -STOP` on the server: the connection stays open and nothing answers
    started = time.monotonic()
    try:
        response = worker.submit(feedback_post, client, settings).result(timeout=5)
    except StillWaiting:
        pytest.fail(f"the post was still waiting for the frozen database after {time.monotonic() - started:.0f} s")
    waited = time.monotonic() - started
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "Sorry, there is a problem with the service" in response.get_data(as_text=True)
    assert 0.9 < waited < 1.8  # one bounded wait, not one per retry
    proxy.thaw()
    # The abandoned connection is replaced: the next post reaches the database and is counted.
    assert worker.submit(feedback_post, client, settings).result(timeout=5).status_code == 400
    with client.application.extensions["database"].transaction() as cursor:
        assert cursor.execute("SELECT SUM(hits) AS hits FROM rate_limit").one()["hits"] == 2


def test_a_server_that_accepts_and_never_answers_is_given_up_on_at_the_connect_timeout(tmp_path):
    import time

    from migration_guide.forms.store import CONNECT_TIMEOUT

    silent = SilentServer()
    db = Database(f"postgresql://guide:guide@127.0.0.1:{silent.port}/guide", tmp_path / "x")
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable, match="cannot connect"), db.transaction():
        pass
    assert time.monotonic() - started < CONNECT_TIMEOUT + 1
    silent.close()


def test_a_slow_statement_that_finishes_in_time_is_left_alone(request, tmp_path, monkeypatch):
    monkeypatch.setattr("migration_guide.forms.store.WAIT_TIMEOUT", 1)
    db = Database(postgres_schema_url(request), tmp_path / "unused.sqlite3")
    with db.transaction() as cursor:
        cursor.execute("SELECT pg_sleep(0.6)")
        cursor.execute("SELECT pg_sleep(0.6)")  # each wait has its own bound, not the transaction
        backend = cursor.execute("SELECT pg_backend_pid() AS pid").one()["pid"]
    with db.transaction() as cursor:
        assert cursor.execute("SELECT pg_backend_pid() AS pid").one()["pid"] == backend  # the same connection
    db.close()


def test_the_watchdog_cuts_only_a_wait_that_outlives_its_deadline():
    import socket
    import time

    from migration_guide.forms.watchdog import Watchdog

    watchdog = Watchdog()
    ours, theirs = socket.socketpair()
    with watchdog.watching(ours.fileno(), seconds=5) as wait:
        theirs.sendall(b"answer")
        assert ours.recv(10) == b"answer"
    assert not wait.cut
    started = time.monotonic()
    with watchdog.watching(ours.fileno(), seconds=0.2) as wait:
        assert ours.recv(10) == b""  # nothing ever comes: the shut-down socket reads as closed
    assert wait.cut and 0.15 < time.monotonic() - started < 1
    ours.close()
    theirs.close()


def test_a_forked_worker_has_a_watchdog_of_its_own():
    """gunicorn forks its workers: the parent's watchdog thread does not survive the fork, the child's starts."""
    import os
    import socket

    from migration_guide.forms.watchdog import WATCHDOG

    with WATCHDOG.watching(-1, seconds=60):  # the parent's thread is running (and holds no wait on a real socket)
        pass
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only if its watchdog cuts a wait that never ends
        ours, _theirs = socket.socketpair()
        with WATCHDOG.watching(ours.fileno(), seconds=0.2) as wait:
            ours.recv(1)
        os._exit(0 if wait.cut else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_a_frozen_server_costs_a_post_well_within_lambdas_15_seconds():
    from migration_guide.forms.store import CONNECT_TIMEOUT, LOCK_TIMEOUT, STATEMENT_TIMEOUT, WAIT_TIMEOUT

    # The server's own timeouts act first while it runs; the watchdog only when it does not.
    assert LOCK_TIMEOUT < STATEMENT_TIMEOUT < WAIT_TIMEOUT
    # A post waits at most once on a server that stopped: connecting, or one statement.
    assert max(CONNECT_TIMEOUT, WAIT_TIMEOUT) <= 15 / 2


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        ("DatabaseError", True),  # "file is not a database": a damaged file
        ("OperationalError", True),  # locked, full or failing disk
        ("IntegrityError", False),  # a constraint: our bug, not an outage
        ("ProgrammingError", False),  # a typo in our SQL
    ],
)
def test_a_damaged_sqlite_file_is_unavailable_and_our_own_mistakes_stay_errors(error, unavailable):
    import sqlite3

    error_class = getattr(sqlite3, error)

    class RawCursorOfADamagedFile:
        def execute(self, sql, params):
            raise error_class("file is not a database")

    cursor = Cursor(RawCursorOfADamagedFile(), "sqlite")
    if unavailable:
        with pytest.raises(DatabaseUnavailable, match=f"the sqlite database failed: {error}"):
            cursor.execute("SELECT 1")
    else:
        with pytest.raises(error_class):
            cursor.execute("SELECT 1")
