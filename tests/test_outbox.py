"""The code that runs after a request: the scheduled outbox function's time budget and its retention,
the retry rules (backoff, attempts, what a failure keeps), the indexes retention and the confirmation
cap use, and what two Lambda instances share through the store."""

from __future__ import annotations

import importlib.util
import json
import socket
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from conftest import REAL_CONTENT
from test_request_help import GOOD

from migration_guide.content.directory import Directory
from migration_guide.forms import feedback, help_requests, outbox, ratelimit
from migration_guide.forms.store import MIGRATIONS, Database

ROOT = Path(__file__).parent.parent
LONG_AGO = "2020-01-01T00:00:00.000000Z"


@pytest.fixture(scope="module")
def directory() -> Directory:
    data = {
        name: yaml.safe_load((REAL_CONTENT / "data" / f"{name}.yml").read_text())
        for name in ("icbs", "delivery_partners")
    }
    return Directory.from_data(data)


def load_outbox_function():
    """functions/outbox.py as Lambda loads it, under a name of its own (tests also import `outbox`)."""
    spec = importlib.util.spec_from_file_location("outbox_function", ROOT / "functions" / "outbox.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class LambdaContext:
    """The part of AWS Lambda's context the function reads: the time left before Lambda stops the run."""

    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds

    def get_remaining_time_in_millis(self) -> int:
        return int((self.deadline - time.monotonic()) * 1000)


class HangingNotify:
    """A GOV.UK Notify that takes every connection and never answers; `on_connect` runs as each arrives."""

    def __init__(self, on_connect=lambda: None):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.on_connect = on_connect
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return  # closed
            self.on_connect()
            self.connections.append(connection)  # held open, never answered

    def close(self) -> None:
        self.listener.close()
        for connection in self.connections:
            connection.close()


def rows(db: Database, table: str) -> list[dict]:
    with db.transaction() as cursor:
        return cursor.execute(f"SELECT * FROM {table} ORDER BY id").all()


def store(db: Database, directory: Directory, **fields) -> help_requests.StoredRequest:
    return help_requests.store_request(db, help_requests.cleaned_from({**GOOD, **fields}), directory)


def age_request(db: Database, reference: str) -> None:
    with db.transaction() as cursor:
        cursor.execute("UPDATE help_requests SET created_at = ? WHERE reference = ?", (LONG_AGO, reference))


@pytest.fixture
def outbox_environment(monkeypatch, database_url, tmp_path):
    """The scheduled function's settings: messages go to files until `use_notify(url)` names a Notify."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("OUTBOX_DIR", str(tmp_path / "outbox"))

    def use_notify(url: str) -> None:
        for name, value in {
            "NOTIFY_API_KEY": f"test-{uuid.uuid4()}-{uuid.uuid4()}",
            "NOTIFY_BASE_URL": url,
            "NOTIFY_TEMPLATE_PARTNER": "tpl-partner",
            "NOTIFY_TEMPLATE_REQUESTER": "tpl-requester",
        }.items():
            monkeypatch.setenv(name, value)

    return use_notify


# The scheduled function keeps its promises inside its time


def test_with_notify_hanging_the_daily_run_deletes_expired_requests_first_and_ends_inside_lambdas_time(
    database, directory, outbox_environment, monkeypatch
):
    function = load_outbox_function()
    monkeypatch.setattr(function, "SEND_TIMEOUT", 0.5)
    monkeypatch.setattr(function, "FINISHING_TIME", 0.2)
    expired = store(database, directory, ods_code="C12345")
    age_request(database, expired.reference)
    waiting = store(database, directory)
    store(database, directory, ods_code="D54321")

    expired_when_notify_was_first_called = []
    notify = HangingNotify(
        on_connect=lambda: expired_when_notify_was_first_called.append(
            [r["reference"] for r in rows(database, "help_requests") if r["reference"] == expired.reference]
        )
    )
    outbox_environment(notify.url)
    started = time.monotonic()
    try:
        result = function.handler({"retention": True}, LambdaContext(seconds=1.5))
    finally:
        notify.close()
    took = time.monotonic() - started

    assert took < 1.5, f"the run took {took:.2f} s of Lambda's 1.5 s"
    assert expired_when_notify_was_first_called[0] == [], "the expired request was still stored when sending began"
    # 1.5 s less 0.7 s kept back: two sends of 0.5 s start, the rest wait for the next run.
    assert result == {"tried": 2, "sent": 0, "purged": 1, "comments_forgotten": 0}
    messages = rows(database, "outbox")
    assert {m["reference"] for m in messages} == {waiting.reference, messages[-1]["reference"]}
    assert [(m["status"], m["attempts"]) for m in messages] == [
        ("queued", 1),
        ("queued", 1),
        ("queued", 0),
        ("queued", 0),
    ]
    assert "may have sent the message" in messages[0]["last_error"]


def test_the_five_minute_runs_only_send_and_the_daily_run_deletes(database, directory, outbox_environment):
    function = load_outbox_function()
    expired = store(database, directory, ods_code="C12345")
    age_request(database, expired.reference)
    assert function.handler({"retention": False}, LambdaContext(seconds=15)) == {
        "tried": 2,
        "sent": 2,
        "purged": 0,
        "comments_forgotten": 0,
    }
    assert [r["reference"] for r in rows(database, "help_requests")] == [expired.reference]
    assert function.handler({"retention": True}, LambdaContext(seconds=15))["purged"] == 1
    assert rows(database, "help_requests") == []


def test_template_yaml_runs_retention_once_a_day_and_sending_every_five_minutes():
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=Loader)
    events = template["Resources"]["OutboxFunction"]["Properties"]["Events"]
    schedules = {e["Properties"]["Schedule"]: json.loads(e["Properties"]["Input"]) for e in events.values()}
    assert schedules == {"rate(5 minutes)": {"retention": False}, "cron(30 2 * * ? *)": {"retention": True}}


# The retry rules


class FailingSender:
    def __init__(self, error: Exception):
        self.error = error

    def send(self, message):
        raise self.error


def outbox_row(db: Database, message_id: int) -> dict:
    with db.transaction() as cursor:
        return cursor.execute("SELECT * FROM outbox WHERE id = ?", (message_id,)).one()


@pytest.mark.parametrize(
    "attempts, wait",
    [
        (1, timedelta(minutes=1)),
        (2, timedelta(minutes=2)),
        (3, timedelta(minutes=4)),
        (9, timedelta(hours=4, minutes=16)),
        (10, timedelta(hours=6)),
        (30, timedelta(hours=6)),
    ],
)
def test_the_wait_before_the_next_try_doubles_from_1_minute_to_at_most_6_hours(attempts, wait):
    assert outbox.backoff(attempts) == wait


def test_a_message_that_fails_is_tried_again_after_its_backoff_until_its_tenth_attempt_fails_it(database, directory):
    first, _ = store(database, directory).message_ids
    now = datetime.now(UTC) + timedelta(seconds=1)  # the message was queued due now
    sender = FailingSender(outbox.TemporaryFailure("Notify did not take the message (503)"))
    for attempt in range(1, outbox.MAX_ATTEMPTS):
        [delivery] = outbox.deliver_due(database, sender, ids=(first,), now=now)
        row = outbox_row(database, first)
        assert (delivery.status, row["attempts"]) == ("queued", attempt)
        assert row["next_attempt_at"] == (now + outbox.backoff(attempt)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        assert (
            outbox.deliver_due(database, sender, ids=(first,), now=now + outbox.backoff(attempt) - timedelta(seconds=1))
            == []
        )
        now += outbox.backoff(attempt)
    [delivery] = outbox.deliver_due(database, sender, ids=(first,), now=now)
    row = outbox_row(database, first)
    assert (delivery.status, row["attempts"], outbox.MAX_ATTEMPTS) == ("failed", 10, 10)
    assert row["last_error"] == "Notify did not take the message (503)"


def test_a_notify_429_keeps_the_message_queued_to_try_again(httpserver, database, directory):
    httpserver.expect_request("/v2/notifications/email").respond_with_json(
        {"errors": [{"error": "RateLimitError", "message": "Exceeded rate limit"}]}, status=429
    )
    first, _ = store(database, directory).message_ids
    sender = outbox.NotifySender(
        f"test-{uuid.uuid4()}-{uuid.uuid4()}", httpserver.url_for("/").rstrip("/"), {"partner": "t", "requester": "t"}
    )
    [delivery] = outbox.deliver_due(database, sender, ids=(first,))
    row = outbox_row(database, first)
    assert (delivery.status, row["status"], row["attempts"]) == ("queued", "queued", 1)
    assert row["last_error"] == "Notify did not take the message (429)"


def test_retry_failed_queues_failed_messages_again_with_their_attempts_reset_and_due_now(database, directory):
    first, second = store(database, directory).message_ids
    outbox.deliver_due(database, FailingSender(outbox.PermanentFailure("Notify refused the message (400)")))
    with database.transaction() as cursor:
        cursor.execute("UPDATE outbox SET attempts = ?", (outbox.MAX_ATTEMPTS,))
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert outbox.requeue_failed(database, now=now) == 2
    again = [outbox_row(database, message_id) for message_id in (first, second)]
    assert [(m["status"], m["attempts"], m["next_attempt_at"]) for m in again] == [
        ("queued", 0, "2026-12-01T09:00:00.000000Z")
    ] * 2


def test_a_failure_stores_only_the_kind_of_error_never_its_text(database, directory):
    first, _ = store(database, directory).message_ids
    leaky = ConnectionError("POST to https://api.notify/ for ann.smith@nhs.net with key secret-123 failed")
    outbox.deliver_due(database, FailingSender(leaky), ids=(first,))
    assert outbox_row(database, first)["last_error"] == "ConnectionError"


# Indexes for 100 times the traffic


def plan(cursor, sql: str, params=()) -> str:
    """The query plan, as text; PostgreSQL is told to avoid a scan when an index could answer."""
    if cursor.dialect == "sqlite":
        return str(cursor.execute("EXPLAIN QUERY PLAN " + sql, params).all())
    cursor.execute("SET LOCAL enable_seqscan = off")
    return str(cursor.execute("EXPLAIN " + sql, params).all())


@pytest.mark.parametrize(
    "sql, params, index",
    [
        ("DELETE FROM help_requests WHERE created_at < ?", ("2026",), "help_requests_created"),
        ("SELECT reference FROM help_requests WHERE created_at < ?", ("2026",), "help_requests_created"),
        (
            "UPDATE feedback SET comment = '' WHERE created_at < ? AND comment <> ''",
            ("2026",),
            "feedback_comment_created",
        ),
        ("DELETE FROM outbox WHERE request_id = ?", (1,), "outbox_request"),
        (
            "SELECT COUNT(*) AS sent FROM outbox WHERE recipient_role = 'requester' AND LOWER(recipient) = ?"
            " AND created_at >= ?",
            ("ann@nhs.net", "2026"),
            "outbox_confirmations",
        ),
    ],
    ids=["purge-delete", "purge-references", "forget-comments", "cascade-to-outbox", "confirmation-cap"],
)
def test_retention_and_the_confirmation_cap_find_their_rows_through_an_index(database, sql, params, index):
    with database.transaction() as cursor:
        assert index in plan(cursor, sql, params)


def test_the_queries_above_are_the_ones_the_code_runs():
    """The plans tested above are of the code's own SQL: a changed query must be tested again."""
    source = (ROOT / "migration_guide" / "forms" / "help_requests.py").read_text()
    assert '"SELECT reference FROM help_requests WHERE created_at < ?"' in source
    assert '"DELETE FROM help_requests WHERE created_at < ?"' in source
    assert (
        "\"UPDATE feedback SET comment = '' WHERE created_at < ? AND comment <> ''\""
        in (ROOT / "migration_guide" / "forms" / "feedback.py").read_text()
    )
    assert (
        "\"SELECT COUNT(*) AS sent FROM outbox WHERE recipient_role = 'requester' AND LOWER(recipient) = ?\"\n"
        '        " AND created_at >= ?"' in (ROOT / "migration_guide" / "forms" / "outbox.py").read_text()
    )


# Two Lambda instances, one store


def test_two_instances_share_the_comment_key_and_the_days_rate_limit_salt(database_url, tmp_path):
    one, other = (Database(database_url, tmp_path / "unused.sqlite3") for _ in range(2))
    try:
        token = feedback.save(one, "/guide/", "intro", "no", "", "v1")
        assert feedback.add_comment(other, token, "/guide/", "intro", "Signed by one, taken by the other") is True
        now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        with one.transaction() as first:
            key_one = ratelimit.client_key(first, "192.0.2.1", now)
        with other.transaction() as second:
            key_other = ratelimit.client_key(second, "192.0.2.1", now)
        assert key_one == key_other
    finally:
        one.close()
        other.close()


# Migrations


def test_on_postgresql_one_instance_migrates_while_the_others_wait_for_its_lock(request, tmp_path):
    import psycopg
    from conftest import postgres_schema_url

    url = postgres_schema_url(request)
    holder = psycopg.connect(url, autocommit=True)
    holder.execute("BEGIN")
    holder.execute("SELECT pg_advisory_xact_lock(7263514)")  # another instance is migrating
    waiting = Database(url, tmp_path / "unused.sqlite3")
    applied: list[list[int]] = []
    migrating = threading.Thread(target=lambda: applied.append(waiting.migrate()))
    migrating.start()
    try:
        migrating.join(0.5)
        assert migrating.is_alive(), "migrated without waiting for the instance that holds the lock"
        tables = holder.execute("SELECT to_regclass('schema_migrations')").fetchone()[0]
        assert tables is None, "created tables while another instance was migrating"
    finally:
        holder.execute("COMMIT")
        migrating.join(10)
        holder.close()
        waiting.close()
    assert applied and applied[0] == [version for version, _ in MIGRATIONS]


# What the mutation table (bench/mutations.py) found no test for


def test_the_confirmation_cap_counts_the_whole_utc_day_not_only_the_current_hour(database, directory):
    afternoon = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    for number in range(outbox.CONFIRMATIONS_PER_DAY):
        details = help_requests.cleaned_from({**GOOD, "message": f"Request {number}"})
        assert len(help_requests.store_request(database, details, directory, now=afternoon).message_ids) == 2
    with database.transaction() as cursor:  # those confirmations went out early that morning
        cursor.execute("UPDATE outbox SET created_at = ?", ("2026-12-02T00:30:00.000000Z",))
    fourth = help_requests.cleaned_from({**GOOD, "message": "Request 4"})
    assert len(help_requests.store_request(database, fourth, directory, now=afternoon).message_ids) == 1
    next_day = help_requests.cleaned_from({**GOOD, "message": "Request 5"})
    tomorrow = datetime(2026, 12, 3, 0, 10, tzinfo=UTC)
    assert len(help_requests.store_request(database, next_day, directory, now=tomorrow).message_ids) == 2


def test_a_message_sent_after_a_failure_keeps_no_error(database, directory, tmp_path):
    first, _ = store(database, directory).message_ids
    now = datetime.now(UTC) + timedelta(seconds=1)
    failure = outbox.TemporaryFailure("Notify did not take the message (503)")
    outbox.deliver_due(database, FailingSender(failure), ids=(first,), now=now)
    assert outbox_row(database, first)["last_error"] == "Notify did not take the message (503)"
    [delivery] = outbox.deliver_due(database, outbox.FileSender(tmp_path), ids=(first,), now=now + outbox.backoff(1))
    row = outbox_row(database, first)
    assert (delivery.status, row["status"], row["attempts"], row["last_error"]) == ("sent", "sent", 2, "")


def test_no_send_starts_when_less_time_is_left_than_one_send_may_wait_for_notify(
    database, directory, outbox_environment
):
    function = load_outbox_function()
    store(database, directory)
    # 3 s left, less than SEND_TIMEOUT (4 s) and FINISHING_TIME (1 s): a send now could outlast the run.
    assert function.handler({}, LambdaContext(seconds=3))["tried"] == 0
    assert [(m["status"], m["attempts"]) for m in rows(database, "outbox")] == [("queued", 0), ("queued", 0)]


def test_the_daily_run_keeps_requests_and_comments_each_for_its_own_retention_period(
    database, directory, outbox_environment, monkeypatch
):
    monkeypatch.setenv("REQUEST_RETENTION_DAYS", "30")
    monkeypatch.setenv("COMMENT_RETENTION_DAYS", "60")
    now = datetime.now(UTC)
    old, recent = store(database, directory, ods_code="C12345"), store(database, directory)
    feedback.save(database, "/guide/", "intro", "no", "Ring me on 01632 960123", "v1")
    feedback.save(database, "/guide/", "intro", "no", "Recent comment", "v1")
    with database.transaction() as cursor:
        for table, column, key, days in [
            ("help_requests", "reference", old.reference, 31),
            ("help_requests", "reference", recent.reference, 29),
            ("feedback", "comment", "Ring me on 01632 960123", 61),
            ("feedback", "comment", "Recent comment", 59),
        ]:
            moment = (now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            cursor.execute(f"UPDATE {table} SET created_at = ? WHERE {column} = ?", (moment, key))
    result = load_outbox_function().handler({"retention": True}, LambdaContext(seconds=15))
    assert (result["purged"], result["comments_forgotten"]) == (1, 1)
    assert [r["reference"] for r in rows(database, "help_requests")] == [recent.reference]
    assert [r["comment"] for r in rows(database, "feedback")] == ["", "Recent comment"]


def test_a_request_is_deleted_as_soon_as_its_retention_period_has_passed_and_not_before(database, directory):
    store(database, directory)
    created = datetime.fromisoformat(rows(database, "help_requests")[0]["created_at"].replace("Z", "+00:00"))
    assert help_requests.purge(database, 90, now=created + timedelta(days=90, minutes=-1)) == 0
    assert help_requests.purge(database, 90, now=created + timedelta(days=90, minutes=1)) == 1


def test_blanked_comments_leave_no_copy_in_sqlites_write_ahead_log(tmp_path):
    path = tmp_path / "store.sqlite3"
    db = Database(f"sqlite:///{path}", tmp_path / "unused.sqlite3")
    secret = "Ring me on 01632 960123"
    feedback.save(db, "/guide/", "intro", "no", secret, "v1")
    assert feedback.forget_old_comments(db, 365, now=datetime.now(UTC) + timedelta(days=366)) == 1
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert secret.encode() not in path.read_bytes()
    db.close()


def test_the_scheduled_run_counts_as_sent_only_what_notify_took(database, directory, outbox_environment, httpserver):
    httpserver.expect_request("/v2/notifications/email").respond_with_json(
        {"errors": [{"error": "Exception", "message": "Internal server error"}]}, status=500
    )
    store(database, directory)
    outbox_environment(httpserver.url_for("/").rstrip("/"))
    result = load_outbox_function().handler({}, LambdaContext(seconds=15))
    assert result == {"tried": 2, "sent": 0, "purged": 0, "comments_forgotten": 0}
    assert [m["status"] for m in rows(database, "outbox")] == ["queued", "queued"]


def test_a_send_budget_stops_new_sends_once_the_clock_has_spent_it(database, directory, monkeypatch):
    """The clock moves only while a message is sent (1 s each), so the budget, not the machine's load, decides."""
    clock = [1000.0]
    monkeypatch.setattr(outbox.time, "monotonic", lambda: clock[0])

    class OneSecondSender:
        def send(self, message):
            clock[0] += 1.0
            return "sent-id"

    store(database, directory)
    store(database, directory, ods_code="C12345")
    deliveries = outbox.deliver_due(database, OneSecondSender(), budget=1.5)
    # Sends start at 0 s and 1 s of the 1.5 s; at 2 s the budget is spent and the rest wait for the next run.
    assert [d.status for d in deliveries] == ["sent", "sent"]
    assert [m["status"] for m in rows(database, "outbox")] == ["sent", "sent", "queued", "queued"]
