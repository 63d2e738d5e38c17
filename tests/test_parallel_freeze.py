"""Freezing across cores writes exactly what freezing in one process writes."""

import filecmp
import shutil

import pytest
from conftest import REAL_CONTENT

from migration_guide.config import Settings
from migration_guide.publish import parallel_freeze
from migration_guide.publish.freeze import build_site

pytestmark = pytest.mark.slow  # every test here builds sites of its own


def _files(folder):
    return sorted(
        str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file() and "pagefind" not in path.parts
    )


def test_a_parallel_build_writes_the_same_files_and_removes_stale_ones(tmp_path, monkeypatch):
    def build(out, threshold, chunk=50):
        monkeypatch.setattr(parallel_freeze, "PARALLEL_THRESHOLD", threshold)
        monkeypatch.setattr(parallel_freeze, "CHUNK_SIZE", chunk)
        settings = Settings.from_environment(
            content_dir=REAL_CONTENT,
            out_dir=out,
            instance_dir=tmp_path / "instance",
            functions_manifest=tmp_path / "manifest.json",
        )
        return build_site(settings)

    sequential = build(tmp_path / "one", threshold=10**9)
    (tmp_path / "two" / "gone").mkdir(parents=True)
    (tmp_path / "two" / "gone" / "index.html").write_text("left by an earlier build")
    (tmp_path / "two" / "api").mkdir()
    (tmp_path / "two" / "api" / "kept.txt").write_text("ignored by the freezer")
    parallel = build(tmp_path / "two", threshold=1, chunk=7)

    assert parallel.files == sequential.files
    assert not (tmp_path / "two" / "gone").exists()
    assert (tmp_path / "two" / "api" / "kept.txt").exists()
    one, two = _files(tmp_path / "one"), [f for f in _files(tmp_path / "two") if not f.startswith("api/")]
    assert one == two
    _match, mismatch, errors = filecmp.cmpfiles(tmp_path / "one", tmp_path / "two", one, shallow=False)
    assert mismatch == [] and errors == []


def test_a_build_in_one_process_also_removes_what_an_earlier_build_left_and_keeps_what_it_must(tmp_path):
    out = tmp_path / "site"
    settings = Settings.from_environment(
        content_dir=REAL_CONTENT,
        out_dir=out,
        instance_dir=tmp_path / "instance",
        functions_manifest=tmp_path / "m.json",
    )
    build_site(settings)
    (out / "gone").mkdir()
    (out / "gone" / "index.html").write_text("a page taken out of the content")
    (out / "assets" / "build" / "app.0000000000.css").write_text("an old stylesheet")
    (out / "api").mkdir()
    (out / "api" / "kept.txt").write_text("ignored by the freezer")
    build_site(settings)
    assert not (out / "gone").exists() and not (out / "assets" / "build" / "app.0000000000.css").exists()
    assert (
        (out / "api" / "kept.txt").exists()
        and (out / "404.html").exists()
        and (out / "pagefind" / "pagefind.js").exists()
    )


def test_a_rebuild_that_renders_few_pages_is_frozen_in_one_process_and_a_cold_build_in_workers(tmp_path, monkeypatch):
    import multiprocessing

    contexts = []
    original = multiprocessing.get_context
    monkeypatch.setattr(parallel_freeze.multiprocessing, "get_context", lambda *a: contexts.append(a) or original(*a))
    # The real guide has some 70 URLs; a rebuild after one edit renders about 40 (the assets are not skipped).
    monkeypatch.setattr(parallel_freeze, "PARALLEL_THRESHOLD", 50)
    content = tmp_path / "content"
    shutil.copytree(REAL_CONTENT, content)
    settings = Settings.from_environment(
        content_dir=content,
        out_dir=tmp_path / "site",
        instance_dir=tmp_path / "instance",
        functions_manifest=tmp_path / "m.json",
    )
    build_site(settings)
    assert contexts, "a cold build of this many URLs shares the work"
    contexts.clear()
    page = content / "glossary.md"
    page.write_text(page.read_text() + "\nOne more sentence.\n")
    build_site(settings)
    assert contexts == [], "starting workers for a few pages costs more than it saves"
    assert "One more sentence." in (tmp_path / "site" / "glossary" / "index.html").read_text()
