"""The site's CSS, JavaScript and icons: compiled from nhsuk-frontend's sources and named by content hash.

Sass and esbuild come from node_modules (`npm ci`). Compiling takes a second or
two, so it is skipped when the inputs have not changed since the last build.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ..config import PROJECT_ROOT, Settings
from ..fingerprints import hash_folder

BUNDLES = {
    "app.css": "scss/app.scss",
    "app.js": "js/app.mjs",
    # Loaded only by the pages that need them.
    "planner.js": "js/planner.mjs",
    "checklist.js": "js/checklist.mjs",
    "search.js": "js/search.mjs",
    "forms.js": "js/forms.mjs",
}
HASHED_FOLDER = "build"


class AssetError(RuntimeError):
    pass


@dataclass(frozen=True)
class Assets:
    directory: Path
    #: Logical name ("app.css") → path under /assets/ ("build/app.1a2b3c4d.css").
    manifest: dict[str, str]

    def url(self, name: str, base_path: str = "") -> str:
        return f"{base_path}/assets/{self.manifest.get(name, name)}"

    def files(self) -> list[str]:
        return sorted(
            str(path.relative_to(self.directory))
            for path in self.directory.rglob("*")
            if path.is_file() and path.name != "manifest.lock.json"
        )


def _fingerprint(sources: Path, node_modules: Path) -> str:
    digest = hashlib.sha256()
    hash_folder(digest, sources)
    package = node_modules / "nhsuk-frontend" / "package.json"
    digest.update(package.read_bytes() if package.exists() else b"")
    return digest.hexdigest()


def _tool(node_modules: Path, name: str) -> str:
    path = node_modules / ".bin" / name
    if not path.exists():
        raise AssetError(f"{path} not found: run 'npm ci' (or 'make install') to install the front-end tools")
    return str(path)


def build_assets(settings: Settings) -> Assets:
    sources, node_modules = settings.assets_dir, settings.node_modules_dir
    out = settings.asset_build_dir
    lock = out / "manifest.lock.json"
    fingerprint = _fingerprint(sources, node_modules)
    if lock.exists():
        recorded = json.loads(lock.read_text())
        if recorded.get("fingerprint") == fingerprint:
            return Assets(out, recorded["manifest"])

    # Build beside the folder and swap it in, so a build running at the same time (another
    # test process, the dev server) never sees a half-written folder.
    final, out = out, out.parent / f".{out.name}-{os.getpid()}-{time.time_ns()}"
    (out / HASHED_FOLDER).mkdir(parents=True)
    compiled = {name: out / name for name in BUNDLES}
    scripts = {name: source for name, source in BUNDLES.items() if name.endswith(".js")}
    commands = [
        [
            _tool(node_modules, "sass"),
            "--no-source-map",
            "--style=compressed",
            "--quiet-deps",
            f"--load-path={node_modules}",
            str(sources / BUNDLES["app.css"]),
            str(compiled["app.css"]),
        ],
        # One esbuild run for every script: each entry point becomes out/<name>.js.
        [
            _tool(node_modules, "esbuild"),
            *(f"{name[:-3]}={sources / source}" for name, source in scripts.items()),
            "--bundle",
            "--minify",
            "--format=esm",
            "--target=es2020",
            "--log-level=warning",
            f"--outdir={out}",
        ],
    ]
    for command in commands:
        result = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT_ROOT)
        if result.returncode != 0:
            raise AssetError(f"{Path(command[0]).name} failed:\n{result.stderr or result.stdout}")

    manifest = {}
    for name, path in compiled.items():
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
        stem, suffix = name.rsplit(".", 1)
        hashed = f"{HASHED_FOLDER}/{stem}.{digest}.{suffix}"
        path.rename(out / hashed)
        manifest[name] = hashed

    frontend_assets = node_modules / "nhsuk-frontend" / "dist" / "nhsuk" / "assets"
    shutil.copytree(frontend_assets / "images", out / "images")
    (out / lock.name).write_text(json.dumps({"fingerprint": fingerprint, "manifest": manifest}, indent=2))
    old = final.parent / f"{out.name}-old"
    with contextlib.suppress(FileNotFoundError):
        final.rename(old)
    try:
        out.rename(final)
    except OSError:  # another build swapped its folder in first: the same sources, so the same files
        shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    return Assets(final, json.loads((final / lock.name).read_text())["manifest"])
