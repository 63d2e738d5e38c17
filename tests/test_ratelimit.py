"""The rate limit's counts, on SQLite and PostgreSQL: per client and minute, under keys that change every day."""

from datetime import UTC, datetime, timedelta

from migration_guide.forms import ratelimit

MORNING = datetime(2026, 11, 27, 9, 30, 30, tzinfo=UTC)
ADDRESS = "203.0.113.9"


def windows(database) -> list[str]:
    with database.transaction() as cursor:
        return [row["window_start"] for row in cursor.execute("SELECT window_start FROM rate_limit").all()]


def test_one_address_has_one_key_all_day_and_another_the_next_day(database):
    with database.transaction() as cursor:
        first_thing = ratelimit.client_key(cursor, ADDRESS, MORNING.replace(hour=0, minute=0, second=0))
        last_thing = ratelimit.client_key(cursor, ADDRESS, MORNING.replace(hour=23, minute=59, second=59))
        next_day = ratelimit.client_key(cursor, ADDRESS, MORNING + timedelta(days=1))
    assert first_thing == last_thing
    assert next_day != first_thing


def test_posts_are_counted_per_client_and_minute(database):
    with database.transaction() as cursor:
        allowed = [ratelimit.allow(cursor, ADDRESS, now=MORNING, limit=2) for _ in range(3)]
        other_client = ratelimit.allow(cursor, "203.0.113.10", now=MORNING, limit=2)
        next_minute = ratelimit.allow(cursor, ADDRESS, now=MORNING + timedelta(minutes=1), limit=2)
    assert (allowed, other_client, next_minute) == ([True, True, False], True, True)


def test_a_post_deletes_the_counts_of_minutes_more_than_10_minutes_before_its_own(database):
    with database.transaction() as cursor:
        for minutes in (0, 5, 11):
            ratelimit.allow(cursor, ADDRESS, now=MORNING + timedelta(minutes=minutes))
    assert sorted(windows(database)) == ["2026-11-27T09:35", "2026-11-27T09:41"]


def test_the_salt_is_new_each_day_and_yesterdays_is_deleted(database):
    with database.transaction() as cursor:
        ratelimit.client_key(cursor, ADDRESS, MORNING)
        ratelimit.client_key(cursor, ADDRESS, MORNING + timedelta(days=1))
        names = [row["name"] for row in cursor.execute("SELECT name FROM secrets WHERE name LIKE 'client_salt%'").all()]
    assert names == ["client_salt:2026-11-28"]


def test_forms_are_counted_apart(database):
    with database.transaction() as cursor:
        feedback = [ratelimit.allow(cursor, ADDRESS, now=MORNING, limit=1, form="feedback") for _ in range(2)]
        help_request = ratelimit.allow(cursor, ADDRESS, now=MORNING, limit=1, form="request-help")
    assert (feedback, help_request) == ([True, False], True)


def test_the_clean_up_finds_old_minutes_through_an_index(database):
    with database.transaction() as cursor:
        if cursor.dialect == "sqlite":
            plan = cursor.execute("EXPLAIN QUERY PLAN DELETE FROM rate_limit WHERE window_start < '2026'").all()
            assert any("rate_limit_window" in str(row) for row in plan), plan
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            plan = cursor.execute("EXPLAIN DELETE FROM rate_limit WHERE window_start < '2026'").all()
            assert any("rate_limit_window" in str(row) for row in plan), plan


def test_the_tenth_failed_post_in_a_minute_closes_the_form_to_that_reader(database):
    with database.transaction() as cursor:
        for _ in range(ratelimit.FAILURES_PER_MINUTE - 1):
            ratelimit.record_failure(cursor, ADDRESS, now=MORNING)
        after_nine = ratelimit.allow(cursor, ADDRESS, now=MORNING)
        ratelimit.record_failure(cursor, ADDRESS, now=MORNING)
        after_ten = ratelimit.allow(cursor, ADDRESS, now=MORNING)
    assert (ratelimit.FAILURES_PER_MINUTE, after_nine, after_ten) == (10, True, False)
