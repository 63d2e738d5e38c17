"""Hashes of folders: how caches know their inputs have not changed."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def hash_folder(digest, root: Path, pattern: str = "*") -> None:
    """Feeds every file under `root` matching `pattern`, name and bytes, in a stable order, into `digest`."""
    for path in sorted(root.rglob(pattern)) if root.is_dir() else []:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
