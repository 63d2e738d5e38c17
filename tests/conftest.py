"""Shared fixtures: settings pointed at temporary folders, and small content trees written per test."""

from __future__ import annotations

import os
import shutil
import textwrap
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from migration_guide.config import PROJECT_ROOT, Settings

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"
REAL_CONTENT = PROJECT_ROOT / "content"
SEED_PAGE = PROJECT_ROOT.parent / "shared" / "seed" / "practice-staff.md"
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Settings for the small fixture guide, with every output in a temporary folder."""
    return Settings.from_environment(
        content_dir=FIXTURE_CONTENT,
        instance_dir=tmp_path / "instance",
        out_dir=tmp_path / "site",
        functions_manifest=tmp_path / "functions" / "manifest.json",
        database_url="",
    )


@pytest.fixture
def write_content(tmp_path):
    """Writes a content tree from {relative path: text} and returns its folder.

    Texts are dedented, so tests can indent them with the code.
    """

    def write(files: dict[str, str]) -> Path:
        root = tmp_path / "content"
        for relative, text in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return root

    return write


def page(title: str, permalink: str, body: str = "Some text.", **front_matter) -> str:
    """A Markdown page with front matter, for tests that write their own content."""
    lines = [f"title: {title}", f"permalink: {permalink}"] + [f"{key}: {value}" for key, value in front_matter.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + textwrap.dedent(body).strip() + "\n"


POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://guide:guide@127.0.0.1:5432/guide_test")


def postgres_schema_url(request) -> str:
    """A PostgreSQL URL whose search_path is a new, empty schema, dropped after the test."""
    try:
        import psycopg

        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except Exception as error:  # no driver or no server
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but unavailable: {error}")
        pytest.skip(f"PostgreSQL not available: {error}")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin.execute(f"CREATE SCHEMA {schema}")
    request.addfinalizer(lambda: (admin.execute(f"DROP SCHEMA {schema} CASCADE"), admin.close()))
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """Each storage test runs on SQLite and on a real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return postgres_schema_url(request)


@pytest.fixture
def database(database_url, tmp_path):
    from migration_guide.forms.store import Database

    db = Database(database_url, tmp_path / "unused.sqlite3")
    yield db
    db.close()


class StoppedClock:
    """A clock that moves only when the test moves it; `app.config["CLOCK"] = clock` gives it to the form guard."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> StoppedClock:
    """Stopped at half past a minute: no rate-limit count depends on when the wall clock's minute turns."""
    return StoppedClock(datetime(2026, 11, 27, 9, 30, 30, tzinfo=UTC))


@pytest.fixture(scope="session")
def built_sites(tmp_path_factory):
    """The real guide, built once per base path for the whole run: `built_sites(base_path)` gives its settings
    and the build's report. Only for tests that read the site; a test that changes it builds its own."""
    from migration_guide.publish.freeze import build_site

    built: dict[str, tuple[Settings, object]] = {}

    def site(base_path: str = "") -> tuple[Settings, object]:
        if base_path not in built:
            instance = tmp_path_factory.mktemp("instance")
            settings = Settings.from_environment(
                content_dir=REAL_CONTENT,
                out_dir=tmp_path_factory.mktemp("site"),
                instance_dir=instance,
                functions_manifest=instance / "manifest.json",
                base_path=base_path,
            )
            built[base_path] = (settings, build_site(settings))
        return built[base_path]

    return site


def pytest_collection_modifyitems(items):
    """A test that needs a whole built site, or a browser, is slow: `make test-fast` skips it (-m "not slow")."""
    for item in items:
        if "built_sites" in getattr(item, "fixturenames", ()) or "browser" in item.path.parts:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def node() -> str:
    """Node.js, for the tests that run the browser's half of a rule; CI fails without it instead of skipping."""
    found = shutil.which("node")
    if not found:
        if IN_CI:
            pytest.fail("node is needed to run the browser's half of these tests")
        pytest.skip("node is not installed")
    return found
