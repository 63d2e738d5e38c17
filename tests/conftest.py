"""Shared fixtures: settings pointed at temporary folders, and small content trees written per test."""

from __future__ import annotations

import os
import textwrap
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
        content_dir=FIXTURE_CONTENT, instance_dir=tmp_path / "instance", out_dir=tmp_path / "site"
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
