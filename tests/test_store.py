"""The store creates and upgrades its own schema, and a transaction is all or nothing, on SQLite and PostgreSQL."""

import pytest

from migration_guide.forms.store import MIGRATIONS, Database


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
