"""`make bench`: figures and ratios for the build, page weight and the form functions.

These are measurements, not tests: nothing here fails because a figure is slow. Each section
prints as it goes, and one summary table at the end puts every figure beside its target.

    .venv/bin/python bench/run.py                      # everything
    .venv/bin/python bench/run.py --only weight        # one section: build, weight or functions
    .venv/bin/python bench/run.py --pages 1000         # the build for one size only
    .venv/bin/python bench/run.py --only build --pages 1000   # the build comparison alone, 1,000 pages
    .venv/bin/python bench/run.py --only build --repeat 3     # each compared build's median of 3 alternated runs

The build is compared with MkDocs 1.6 (the 'bench' extra) and with Eleventy 3 and the GOV.UK Eleventy
plugin 9 (bench/eleventy/package.json, installed there by this script with `npm ci` when missing).
    .venv/bin/python bench/run.py --only feedback      # the report and digest at 1 million answers
    .venv/bin/python bench/run.py --only lighthouse    # Lighthouse 12 on each page type (bench/lighthouse.py)
    .venv/bin/python bench/run.py --only phone         # checklist long tasks, print style and layout (bench/phone.py)

Output goes to bench-output/ (git-ignored).
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402

OUT = ROOT / "bench-output"
BIN = Path(sys.executable).parent
#: Eleventy and the GOV.UK Eleventy plugin, for the bench only: their own package.json, lock and node_modules.
ELEVENTY = ROOT / "bench" / "eleventy"
#: The plugin's breadcrumbs as shipped cost n² per page (see bench/eleventy/eleventy.config.js): about 40 s
#: of a 1,000-page build, some 90 minutes at 5,000 by n³. That variant runs at the smallest size only, up to
#: this many pages.
ELEVENTY_SHIPPED_MAX_PAGES = 2000
#: Seconds for 1,000 such pages, measured where the issue was written: shown when a tool is not installed here.
REFERENCE_SECONDS = {"Jekyll 4.3": 9.8, "Eleventy 3": 6.1, "MkDocs 1.6": 31.4, "Hugo": 1.8}

#: Runs one command and reports its wall time, the CPU time of all its processes (user + system: a wall
#: time well above it, for a one-core tool, means other work had the cores) and the peak memory of its
#: largest process.
_TIMER = """
import json, resource, subprocess, sys, time
command, cwd, env = json.loads(sys.argv[1])
started = time.perf_counter()
result = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
                  "status": result.returncode, "output": result.stdout[-2000:]}))
"""


@dataclass
class Row:
    """One line of the summary table."""

    section: str
    figure: str
    measured: str
    target: str
    verdict: str  # "met", "missed" or "-" (no target, or not measured)


SUMMARY: list[Row] = []


def heading(text: str) -> None:
    print(f"\n== {text} ==", flush=True)


def timed(command: list[str], cwd: Path | None = None, env: dict | None = None) -> dict:
    """Wall time and peak RSS (RUSAGE_CHILDREN of a fresh wrapper, so only this command counts)."""
    payload = json.dumps([[str(part) for part in command], str(cwd) if cwd else None, {**os.environ, **(env or {})}])
    result = subprocess.run([sys.executable, "-c", _TIMER, payload], capture_output=True, text=True, check=True)
    figures = json.loads(result.stdout)
    if figures["status"] != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed:\n{figures['output']}")
    return figures


def verdict(ok: bool) -> str:
    return "met" if ok else "missed"


# 1. Build


def guide_build(content: Path, site: Path, instance: Path, no_cache: bool) -> dict:
    command = [BIN / "guide", "build", "--content", content, "--out", site] + (["--no-cache"] if no_cache else [])
    env = {"INSTANCE_DIR": str(instance), "FUNCTIONS_MANIFEST": str(instance / "manifest.json")}
    return timed(command, env=env)


def _process_figures(pid: int) -> tuple[float, float]:
    """CPU seconds a process and its finished children (Pagefind's binary) have used, and its peak memory in MB."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = sum(int(value) for value in fields[11:15]) / ticks  # utime, stime, cutime, cstime
    status = Path(f"/proc/{pid}/status").read_text()
    peak = int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) / 1024
    return cpu, peak


def guide_watch_edits(content: Path, site: Path, instance: Path, repeat: int) -> dict:
    """What an author waits for with `guide build --watch` running: from saving one page to the line saying
    the site is built again (the watcher's notice of the save included). The process starts once, as an
    author's does, and each save is timed apart: wall seconds, and the CPU the process and its children used."""
    env = {
        **os.environ,
        "INSTANCE_DIR": str(instance),
        "FUNCTIONS_MANIFEST": str(instance / "manifest.json"),
        "PYTHONUNBUFFERED": "1",  # each line as it is printed, not when a pipe's buffer fills
    }
    command = [BIN / "guide", "build", "--watch", "--content", content, "--out", site]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    def built() -> None:
        for line in process.stdout:
            if line.startswith("Built "):
                return
        raise RuntimeError("guide build --watch stopped before building")

    runs = []
    try:
        built()
        for _ in range(repeat):
            time.sleep(1)  # the last build's writes settled, as between an author's saves
            cpu_before, _peak = _process_figures(process.pid)
            started = time.perf_counter()
            change_one_page(content)
            built()
            seconds = time.perf_counter() - started
            cpu_after, peak = _process_figures(process.pid)
            runs.append({"seconds": seconds, "cpu_seconds": cpu_after - cpu_before, "peak_mb": peak})
    finally:
        process.terminate()
        process.wait(timeout=30)
    return median_of(runs)


def change_one_page(content: Path) -> Path:
    page = sorted((content / "guide").rglob("index.md"))[len(list((content / "guide").rglob("index.md"))) // 2]
    page.write_text(
        page.read_text(encoding="utf-8") + f"\nChanged for the warm rebuild at {time.time()}.\n", encoding="utf-8"
    )
    return page


#: The one layout every other generator gets, in its own template language: the page's title and its
#: Markdown as HTML. Much less than our pages carry (header, sidebar, feedback forms), so these
#: figures flatter them, not us.
OTHER_LAYOUTS = {
    "Jekyll 4.3": ("_layouts/{name}.html", "{{ page.title }}", "{{ content }}"),
    "Eleventy 3": ("_includes/{name}.liquid", "{{ title }}", "{{ content }}"),
    "Hugo": ("layouts/_default/{name}.html", "{{ .Title }}", "{{ .Content }}"),
}


def _write_layouts(tool: str, folder: Path, names) -> None:
    path, title, body = OTHER_LAYOUTS[tool]
    for name in names:
        layout = folder / path.format(name=name)
        layout.parent.mkdir(parents=True, exist_ok=True)
        layout.write_text(
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><main>{body}</main></body></html>\n"
        )


def other_generators(folder: Path, content: Path) -> dict[str, dict | None]:
    """Jekyll, Eleventy and Hugo on the same Markdown where they are installed; None where not."""
    figures: dict[str, dict | None] = {}
    layouts = sorted(
        {
            line.split(":", 1)[1].strip()
            for path in content.rglob("*.md")
            for line in path.read_text(encoding="utf-8").splitlines()[:3]
            if line.startswith("layout:")
        }
    )
    # Eleventy and Jekyll read their sources in place; each gets its own copy (Eleventy would skip
    # files under this git-ignored folder if run from the project, so it runs from its copy).
    tools = {
        "Jekyll 4.3": (
            "jekyll",
            lambda source: ["build", "--quiet", "--source", source, "--destination", folder / "jekyll-site"],
            None,
        ),
        "Eleventy 3": (
            "eleventy",
            lambda source: ["--input=.", f"--output={folder / 'eleventy-site'}", "--quiet"],
            None,
        ),
        "Hugo": (
            "hugo",
            lambda source: ["--quiet", "--source", source, "--destination", folder / "hugo-site"],
            "content",
        ),
    }
    for name, (executable, arguments, content_folder) in tools.items():
        found = shutil.which(executable) or shutil.which(
            executable, path=os.pathsep.join(str(where / "node_modules" / ".bin") for where in (ROOT, ELEVENTY))
        )
        if found is None:
            figures[name] = None
            continue
        source = folder / f"{executable}-source"
        shutil.rmtree(source, ignore_errors=True)
        shutil.copytree(content, source / (content_folder or ""), ignore=shutil.ignore_patterns("data"))
        if name == "Hugo":
            for index in list((source / "content").rglob("index.md")):  # a folder with pages below is a section to Hugo
                if any(child.is_dir() for child in index.parent.iterdir()):
                    index.rename(index.with_name("_index.md"))
            (source / "hugo.toml").write_text(
                'baseURL = "/"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n'
                "[markup.goldmark.parser.attribute]\n  block = true\n"
            )
            _write_layouts(name, source, ["single", "list", *layouts])
        else:
            _write_layouts(name, source, layouts)
        shutil.rmtree(folder / f"{executable}-site", ignore_errors=True)
        try:
            figures[name] = timed([found, *arguments(source)], cwd=source)
        except RuntimeError as error:
            print(f"  {name} is installed but failed: {str(error).splitlines()[0]}")
            figures[name] = None
            continue
        written = sum(1 for _ in (folder / f"{executable}-site").rglob("*.html"))
        figures[name]["pages_written"] = written
        if written < len(list(content.rglob("*.md"))) * 0.99:
            print(f"  {name} wrote only {written} pages: not counted\n{figures[name]['output'][-800:]}")
            figures[name] = None
    return figures


def eleventy_govuk_installed() -> Path | None:
    """bench/eleventy's Eleventy, installed from its lock file (`npm ci`) when missing or older than the lock."""
    eleventy = ELEVENTY / "node_modules" / ".bin" / "eleventy"
    stamp = ELEVENTY / "node_modules" / ".installed"
    lock = ELEVENTY / "package-lock.json"
    if eleventy.exists() and stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return eleventy
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        print("  Eleventy GOV.UK: needs Node.js and npm, not found")
        return None
    print("  installing Eleventy and the GOV.UK Eleventy plugin in bench/eleventy (npm ci)", flush=True)
    result = subprocess.run(
        [npm, "ci", "--prefix", ELEVENTY, "--no-audit", "--no-fund", "--loglevel=error"],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 or not eleventy.exists():
        print(f"  Eleventy GOV.UK: npm ci failed\n{(result.stdout + result.stderr)[-800:]}")
        return None
    stamp.touch()
    return eleventy


def eleventy_govuk_build(eleventy: Path, folder: Path, breadcrumbs: str) -> dict | None:
    """A cold build of generate.py's Eleventy copy of the pages with the GOV.UK Eleventy plugin.

    `breadcrumbs` is "linear" (the plugin with an O(n) breadcrumb filter, the same pages) or "shipped".
    """
    site = folder / f"eleventy-govuk-{breadcrumbs}-site"
    shutil.rmtree(site, ignore_errors=True)
    env = {
        "BENCH_ELEVENTY_INPUT": str(folder / "eleventy-content"),
        "BENCH_ELEVENTY_OUTPUT": str(site),
        "BENCH_ELEVENTY_BREADCRUMBS": breadcrumbs,
    }
    try:
        figures = timed([eleventy, "--quiet"], cwd=ELEVENTY, env=env)
    except RuntimeError as error:
        print(f"  Eleventy GOV.UK ({breadcrumbs} breadcrumbs) failed:\n{str(error)[-800:]}")
        return None
    written = sum(1 for _ in site.rglob("*.html"))
    figures["pages_written"] = written
    if written < len(list((folder / "eleventy-content").rglob("*.md"))) * 0.99:
        print(f"  Eleventy GOV.UK wrote only {written} pages: not counted\n{figures['output'][-800:]}")
        return None
    # Eleventy's own figure for reading and writing the pages; the rest of the wall time is Node
    # starting, and the plugin compiling GOV.UK Frontend's Sass and bundling its JavaScript afterwards.
    if wrote := re.search(r"Wrote \d+ files in ([\d.]+) seconds", figures["output"]):
        figures["pages_seconds"] = float(wrote.group(1))
    return figures


def same_pages(folder: Path) -> str:
    """Whether the two Eleventy GOV.UK builds wrote the same HTML, byte for byte."""
    linear, shipped = folder / "eleventy-govuk-linear-site", folder / "eleventy-govuk-shipped-site"
    pages = sorted(path.relative_to(linear) for path in linear.rglob("*.html"))
    if pages != sorted(path.relative_to(shipped) for path in shipped.rglob("*.html")):
        return "DIFFERENT sets of pages"
    differ = [page for page in pages if (linear / page).read_bytes() != (shipped / page).read_bytes()]
    return (
        f"{len(differ)} of {len(pages)} pages DIFFER, such as {differ[0]}"
        if differ
        else "the same pages, byte for byte"
    )


def median_of(runs: list[dict]) -> dict:
    """The median wall and CPU seconds of several runs of one build (taken in turn with the others, so load
    on a shared machine falls on each alike), the largest peak memory, and every run's seconds."""
    return {
        "seconds": statistics.median(figures["seconds"] for figures in runs),
        "cpu_seconds": statistics.median(figures["cpu_seconds"] for figures in runs),
        "peak_mb": max(figures["peak_mb"] for figures in runs),
        "runs": [figures["seconds"] for figures in runs],
    }


def load() -> str:
    """The machine's load averages (1, 5, 15 minutes), printed beside figures taken on a shared machine."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def bench_build(sizes: list[int], with_mkdocs: bool, with_eleventy_govuk: bool = True, repeat: int = 1) -> None:
    heading("Build: guide build against MkDocs 1.6 and the GOV.UK Eleventy plugin on the same synthetic Markdown")
    mkdocs = BIN / "mkdocs"
    if with_mkdocs and not mkdocs.exists():
        print("  MkDocs is not installed in the venv: `make bench` installs the 'bench' extra")
        with_mkdocs = False
    eleventy = eleventy_govuk_installed() if with_eleventy_govuk else None
    eleventy_missing = "not run (--no-eleventy-govuk)" if not with_eleventy_govuk else "not measured (see above)"
    if eleventy:
        node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
        print(f"  Eleventy GOV.UK: @x-govuk/govuk-eleventy-plugin 9 and Eleventy 3 (bench/eleventy), Node {node}")
        if int(node.lstrip("v").split(".")[0]) < 22:
            print(
                "  (the plugin asks for Node 22.16 or later: it builds these pages on this one, whose speed may differ)"
            )
    results: dict[int, dict] = {}
    for pages in sizes:
        folder = OUT / f"guide-{pages}"
        content = generate(pages, folder)
        instance = folder / "instance"
        site = folder / "site"

        def guide_cold(content=content, site=site, instance=instance):
            shutil.rmtree(instance, ignore_errors=True)
            return guide_build(content, site, instance, no_cache=True)

        # The builds the targets compare, taken in turn `repeat` times; each reports its median.
        contenders = {"cold": guide_cold}
        if with_mkdocs:
            contenders["mkdocs"] = lambda folder=folder: timed(
                [mkdocs, "build", "--quiet", "-f", folder / "mkdocs.yml", "-d", folder / "mkdocs-site"], cwd=folder
            )
        if eleventy:
            contenders["eleventy_govuk"] = lambda folder=folder: eleventy_govuk_build(eleventy, folder, "linear")
        runs: dict[str, list[dict]] = {name: [] for name in contenders}
        for _ in range(repeat):
            for name, build in contenders.items():
                if figure := build():
                    runs[name].append(figure)
        figures = {name: median_of(each) for name, each in runs.items() if each}
        cold = figures["cold"]
        guide_build(content, site, instance, no_cache=False)  # fills the render cache
        edits = []
        for _ in range(repeat):  # what an author waits for: one page edited, then built again
            change_one_page(content)
            edits.append(guide_build(content, site, instance, no_cache=False))
        figures["warm"] = warm = median_of(edits)
        figures["watch"] = watch = guide_watch_edits(content, site, instance, repeat)
        if with_mkdocs and pages == min(sizes):
            # MkDocs as it comes: every page in the navigation of every page, as the figure was taken.
            auto = folder / "mkdocs-auto-nav.yml"
            auto.write_text((folder / "mkdocs.yml").read_text().split("\nnav:\n")[0] + "\n")
            figures["mkdocs_auto"] = timed(
                [mkdocs, "build", "--quiet", "-f", auto, "-d", folder / "mkdocs-auto-site"], cwd=folder
            )
        if eleventy and pages == min(sizes) and pages <= ELEVENTY_SHIPPED_MAX_PAGES:
            shipped = eleventy_govuk_build(eleventy, folder, "shipped")
            if shipped:
                figures["eleventy_govuk_shipped"] = shipped
                if "eleventy_govuk" in figures:
                    print(f"  Eleventy GOV.UK, linear and shipped breadcrumbs: {same_pages(folder)}")
        if pages == min(sizes):
            figures["others"] = other_generators(folder, content)
        results[pages] = figures
        print(f"\n  {pages:,} pages ({pages + 2:,} with the home and start pages); load average now {load()}")
        print(f"  {'build':<44}{'seconds':>9}{'CPU s':>8}{'pages/s':>10}{'peak MB':>10}")
        rows = [
            ("guide build --no-cache (cold)", cold),
            ("guide build after one page changed (warm)", warm),
            ("guide build --watch, one page saved", watch),
        ]
        if "mkdocs" in figures:
            rows.append(("mkdocs build (same 20-entry nav)", figures["mkdocs"]))
        if "mkdocs_auto" in figures:
            rows.append(("mkdocs build (default nav: every page)", figures["mkdocs_auto"]))
        if "eleventy_govuk" in figures:
            rows.append(("Eleventy GOV.UK plugin (linear breadcrumbs)", figures["eleventy_govuk"]))
        if "eleventy_govuk_shipped" in figures:
            rows.append(("Eleventy GOV.UK plugin (as shipped)", figures["eleventy_govuk_shipped"]))
        for name, fig in figures.get("others", {}).items():
            if fig:
                rows.append((name, fig))
        for name, fig in rows:
            print(
                f"  {name:<44}{fig['seconds']:>9.2f}{fig['cpu_seconds']:>8.2f}"
                f"{pages / fig['seconds']:>10.0f}{fig['peak_mb']:>10.0f}"
            )
        for name, fig in figures.get("others", {}).items():
            if fig is None:
                print(f"  {name:<44}{REFERENCE_SECONDS[name]:>9.2f}  (reference, not measured here)")
        if repeat > 1:
            print(f"  median of {repeat} runs, taken in turn; every run's seconds:")
            for name, fig in rows:
                if "runs" in fig:
                    print(f"    {name:<44}" + "  ".join(f"{seconds:.2f}" for seconds in fig["runs"]))
        if "mkdocs" in figures:
            mkdocs_seconds = figures["mkdocs"]["seconds"]
            print(f"  MkDocs (same nav) / guide cold: {mkdocs_seconds / cold['seconds']:.2f}× wall,", end=" ")
            print(f"{figures['mkdocs']['cpu_seconds'] / cold['cpu_seconds']:.2f}× CPU")
            print(f"  guide, one page edited / MkDocs (same nav) cold: {warm['seconds'] / mkdocs_seconds:.2f}×")
            print(f"  guide --watch, one page saved / MkDocs (same nav) cold: {watch['seconds'] / mkdocs_seconds:.2f}×")
            target = 2 if pages <= 100 else 1
            SUMMARY.append(
                Row(
                    "build",
                    f"MkDocs (same nav) ÷ guide, cold, {pages:,} pages",
                    f"{mkdocs_seconds / cold['seconds']:.2f}× ({cold['seconds']:.2f} s vs {mkdocs_seconds:.2f} s)",
                    f"≥ 1×, aim {target}×" if target > 1 else "≥ 1×",
                    verdict(mkdocs_seconds >= cold["seconds"]),
                )
            )
            SUMMARY.append(
                Row(
                    "build",
                    f"guide --watch, one page saved ÷ MkDocs cold, {pages:,} pages",
                    f"{watch['seconds'] / mkdocs_seconds:.2f}× ({watch['seconds']:.2f} s)",
                    "< 0.5×",
                    verdict(watch["seconds"] < 0.5 * mkdocs_seconds),
                )
            )
            SUMMARY.append(
                Row(
                    "build",
                    f"guide build (a new process), one page edited ÷ MkDocs cold, {pages:,} pages",
                    f"{warm['seconds'] / mkdocs_seconds:.2f}× ({warm['seconds']:.2f} s)",
                    "< 0.5×",
                    verdict(warm["seconds"] < 0.5 * mkdocs_seconds),
                )
            )
        if "eleventy_govuk" in figures:
            ratio = figures["eleventy_govuk"]["seconds"] / cold["seconds"]
            SUMMARY.append(
                Row(
                    "build",
                    f"Eleventy GOV.UK ÷ guide, cold, {pages:,} pages",
                    f"{ratio:.2f}×",
                    "≥ 1×",
                    verdict(ratio >= 1),
                )
            )
        if "mkdocs_auto" in figures:
            print(f"  MkDocs (default nav) / guide cold: {figures['mkdocs_auto']['seconds'] / cold['seconds']:.2f}×")
        if "eleventy_govuk" in figures:
            ratio = figures["eleventy_govuk"]["seconds"] / cold["seconds"]
            print(f"  Eleventy GOV.UK (linear breadcrumbs) / guide cold: {ratio:.2f}×")
        if "eleventy_govuk_shipped" in figures:
            ratio = figures["eleventy_govuk_shipped"]["seconds"] / cold["seconds"]
            print(f"  Eleventy GOV.UK (as shipped) / guide cold: {ratio:.2f}×")
        if "pages_seconds" in figures.get("eleventy_govuk", {}):
            fig = figures["eleventy_govuk"]
            print(
                f"  Eleventy GOV.UK (linear breadcrumbs): {fig['pages_seconds']:.2f} s of its {fig['seconds']:.2f} s"
                " writing the pages (Eleventy's own figure); the rest is Node starting and the plugin compiling"
                " GOV.UK Frontend's Sass and JavaScript, which it does on every build (the guide's build reuses"
                " its compiled CSS and JavaScript, in build/assets, while their sources are unchanged)"
            )
        if eleventy and "eleventy_govuk" in figures:
            print(
                "  Eleventy GOV.UK: the same pages and Markdown in the plugin's sub-navigation layout (header, service"
                " navigation, breadcrumbs, the 20-entry sub-navigation, previous and next), its CSS and JavaScript;"
                " 'linear' swaps only its breadcrumb filter (n² per page as shipped) for one that gives the same pages"
            )

    # The rows below were set for 1,000 pages (the figures were taken there).
    small, large = (1000 if 1000 in results else min(sizes)), max(sizes)
    if small in results:
        cold = results[small]["cold"]["seconds"]
        warm = results[small]["warm"]["seconds"]
        SUMMARY.append(
            Row(
                "build",
                f"cold, {small:,} pages",
                f"{cold:.2f} s ({small / cold:.0f} pages/s, {results[small]['cold']['peak_mb']:.0f} MB)",
                "-",
                "-",
            )
        )
        # The same-work peers, each against its target ratio.
        peers = (
            ("mkdocs", "MkDocs (same nav) ÷ guide, cold", "", 3),
            ("mkdocs_auto", "MkDocs (default nav) ÷ guide, cold", "", 3),
            ("eleventy_govuk", "Eleventy GOV.UK ÷ guide, cold", ", linear breadcrumbs", 1.5),
        )
        for key, label, detail, target in peers:
            figures = results[small].get(key)
            if figures:
                ratio = figures["seconds"] / cold
                measured = f"{ratio:.2f}× ({figures['seconds']:.2f} s{detail})"
                SUMMARY.append(Row("build", label, measured, f"≥ {target:g}×", verdict(ratio >= target)))
        if not results[small].get("eleventy_govuk"):
            SUMMARY.append(Row("build", "Eleventy GOV.UK ÷ guide, cold", eleventy_missing, "≥ 1.5×", "-"))
        shipped = results[small].get("eleventy_govuk_shipped")
        if shipped:
            ratio = shipped["seconds"] / cold
            SUMMARY.append(
                Row(
                    "build",
                    "Eleventy GOV.UK as shipped ÷ guide, cold (n² breadcrumbs)",
                    f"{ratio:.2f}× ({shipped['seconds']:.2f} s)",
                    "-",
                    "-",
                )
            )
        ref_ratio = REFERENCE_SECONDS["MkDocs 1.6"] / cold
        SUMMARY.append(
            Row("build", "MkDocs reference 31.4 s ÷ guide", f"{ref_ratio:.2f}×", "≥ 3×", verdict(ref_ratio >= 3))
        )
        others = results[small].get("others") or {}
        for name in ("Jekyll 4.3", "Eleventy 3"):
            if others.get(name):
                seconds = others[name]["seconds"]
                SUMMARY.append(
                    Row(
                        "build",
                        f"guide cold vs {name} (measured, title-and-content layout)",
                        f"{cold:.2f} s vs {seconds:.2f} s",
                        "faster",
                        verdict(cold < seconds),
                    )
                )
            seconds = REFERENCE_SECONDS[name]
            SUMMARY.append(
                Row(
                    "build",
                    f"guide cold vs {name} (issue's figure)",
                    f"{cold:.2f} s vs {seconds:.2f} s",
                    "faster",
                    verdict(cold < seconds),
                )
            )
        if others.get("Hugo"):
            hugo_seconds = others["Hugo"]["seconds"]
            SUMMARY.append(
                Row(
                    "build",
                    f"warm rebuild, {small:,} pages, vs Hugo (measured)",
                    f"{warm:.2f} s vs {hugo_seconds:.2f} s",
                    f"≤ {2 * hugo_seconds:.2f} s (2 × Hugo)",
                    verdict(warm <= 2 * hugo_seconds),
                )
            )
        hugo_seconds = REFERENCE_SECONDS["Hugo"]
        SUMMARY.append(
            Row(
                "build",
                f"warm rebuild, {small:,} pages, vs Hugo (issue's figure)",
                f"{warm:.2f} s",
                f"≤ {2 * hugo_seconds:.1f} s (2 × Hugo)",
                verdict(warm <= 2 * hugo_seconds),
            )
        )
    if small in results and large in results and large != small:
        ratio = results[large]["cold"]["seconds"] / results[small]["cold"]["seconds"]
        SUMMARY.append(
            Row(
                "build",
                f"cold {large:,} ÷ cold {small:,}",
                f"{ratio:.2f}× ({results[large]['cold']['seconds']:.2f} s)",
                "≤ 5.5×",
                verdict(ratio <= 5.5),
            )
        )
        SUMMARY.append(
            Row("build", f"warm rebuild, {large:,} pages", f"{results[large]['warm']['seconds']:.2f} s", "-", "-")
        )


# 2. Page weight


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.css: list[str] = []
        self.js: list[str] = []
        self.images: list[str] = []
        self.icon: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        rel = (a.get("rel") or "").split()
        if tag == "link" and "stylesheet" in rel:
            self.css.append(a["href"])
        elif tag == "link" and "modulepreload" in rel:
            self.js.append(a["href"])
        elif tag == "link" and "icon" in rel and self.icon is None:
            self.icon = a["href"]  # a browser asks for one icon
        elif tag == "script" and a.get("src"):
            self.js.append(a["src"])
        elif tag == "img" and a.get("src") and not a["src"].startswith("data:"):
            self.images.append(a["src"])


def _sizes(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    return len(data), len(gzip.compress(data, compresslevel=9, mtime=0))


def build_real_site() -> Path:
    site = OUT / "real-site"
    instance = OUT / "real-instance"
    env = {**os.environ, "INSTANCE_DIR": str(instance), "FUNCTIONS_MANIFEST": str(instance / "manifest.json")}
    subprocess.run([BIN / "guide", "build", "--out", site], env=env, check=True, capture_output=True)
    return site


PAGE_TYPES = {
    "home": "/",
    "guide page": "/guide/kick-off/",
    "role page": "/practice-staff/",
    "glossary": "/glossary/",
    "404": "/404.html",
    "request help": "/request-help/",
    "search": "/search/",
    "planner": "/plan/",
}


def bench_weight(site: Path) -> None:
    heading("Page weight: bytes on first view (fonts aside), gzip at level 9")
    print(f"  {'page':<14}{'HTML':>15}{'CSS':>15}{'JS':>15}{'total':>15}{'requests':>10}")
    print(f"  {'':<14}{'raw / gz KB':>15}{'raw / gz KB':>15}{'raw / gz KB':>15}{'raw / gz KB':>15}")
    for name, url in PAGE_TYPES.items():
        html_file = site / (
            url.strip("/") + "/index.html" if url.endswith("/") and url != "/" else url.strip("/") or "index.html"
        )
        if not html_file.is_file():
            print(f"  {name:<14}  (no such page yet)")
            continue
        links = _Links()
        links.feed(html_file.read_text(encoding="utf-8"))
        html = _sizes(html_file)
        css = [_sizes(site / href.lstrip("/")) for href in links.css]
        js = [_sizes(site / href.lstrip("/")) for href in links.js]
        css_total = tuple(map(sum, zip(*css, strict=False))) if css else (0, 0)
        js_total = tuple(map(sum, zip(*js, strict=False))) if js else (0, 0)
        total = (html[0] + css_total[0] + js_total[0], html[1] + css_total[1] + js_total[1])
        requests = 1 + len(links.css) + len(links.js) + len(links.images) + (1 if links.icon else 0)

        def kb(pair):
            return f"{pair[0] / 1024:.1f} / {pair[1] / 1024:.1f}"

        print(f"  {name:<14}{kb(html):>15}{kb(css_total):>15}{kb(js_total):>15}{kb(total):>15}{requests:>10}")
        if name == "guide page":
            SUMMARY.append(
                Row(
                    "weight",
                    "guide page, HTML+CSS+JS gzip",
                    f"{total[1] / 1024:.1f} KB ({requests} requests)",
                    "≤ 30 KB",
                    verdict(total[1] <= 30 * 1024),
                )
            )
        elif name in ("home", "request help"):
            SUMMARY.append(
                Row("weight", f"{name}, HTML+CSS+JS gzip", f"{total[1] / 1024:.1f} KB ({requests} requests)", "-", "-")
            )
    print(
        "  requests = the HTML, its stylesheets and scripts, images in the HTML and one icon;"
        " fonts come from the NHS font host"
    )


# 3. Functions


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def feedback_available(manifest: Path) -> bool:
    """Whether the functions app has POST /api/feedback (it is being built alongside these benchmarks)."""
    if not manifest.is_file():
        return False
    try:
        from migration_guide.config import Settings
        from migration_guide.forms.app import create_functions_app

        app = create_functions_app(
            Settings.from_environment(functions_manifest=manifest, instance_dir=OUT / "functions")
        )
    except Exception:
        return False
    return any(rule.rule == "/api/feedback" and "POST" in (rule.methods or ()) for rule in app.url_map.iter_rules())


def sections_from_manifest(manifest: Path) -> list[tuple[str, str]]:
    data = json.loads(manifest.read_text())
    found = []
    for permalink, page in (data.get("pages") or {}).items():
        if isinstance(page, dict) and page.get("takes_feedback", True):
            found += [(permalink, section) for section in (page.get("sections") or {})]
    return found


#: How the reader's browser sends the form: the page's script asks for JSON; without JavaScript, a page.
MODES = {"script": "application/json", "no JS": "text/html"}


#: The secret the bench's functions share with the bench's stand-in for Netlify's proxy.
BENCH_SIGNING_SECRET = "bench-" + uuid.uuid4().hex
_signature: tuple[float, str] = (0.0, "")


def netlify_signature() -> str:
    """What Netlify's signed proxy adds (HS256, issuer netlify, 5 minutes), made again each minute."""
    global _signature
    if time.time() - _signature[0] > 60:
        import jwt

        now = int(time.time())
        claims = {"iss": "netlify", "iat": now, "exp": now + 300, "deploy_context": "production"}
        token = jwt.encode(claims, BENCH_SIGNING_SECRET, algorithm="HS256")
        _signature = (time.time(), token)
    return _signature[1]


def post(
    connection: http.client.HTTPConnection, origin: str, fields: dict, client: str, accept: str = "application/json"
) -> tuple[int, float]:
    body = urlencode(fields)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": origin,
        "Accept": accept,
        # Netlify's proxy names the reader, and signs the request so the functions believe it; each post
        # is a different reader, as in real use.
        "X-Nf-Client-Connection-Ip": client,
        "X-Nf-Sign": netlify_signature(),
    }
    started = time.perf_counter()
    connection.request("POST", "/api/feedback", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status, time.perf_counter() - started


def wait_for_first_response(
    port: int, origin: str, fields: dict, started: float, accept: str, limit: float = 20
) -> float:
    while time.perf_counter() - started < limit:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            status, _ = post(connection, origin, fields, "192.0.2.1", accept)
            connection.close()
            if status < 500:
                return time.perf_counter() - started
        except OSError:
            time.sleep(0.002)
    raise RuntimeError("the functions server did not answer")


def count_rows(database_url: str, default_path: Path, marker: str) -> tuple[int, int]:
    from migration_guide.forms.store import Database

    database = Database(database_url, default_path)
    with database.transaction() as cursor:
        row = cursor.execute(
            "SELECT COUNT(*) AS n, COUNT(DISTINCT comment) AS d FROM feedback WHERE comment LIKE ?", (f"{marker}-%",)
        ).one()
    database.close()
    return int(row["n"]), int(row["d"])


def postgres_url() -> str | None:
    url = (
        os.environ.get("BENCH_DATABASE_URL")
        or os.environ.get("TEST_DATABASE_URL")
        or "postgresql://guide:guide@127.0.0.1:5432/guide_test"
    )
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=2).close()
        return url
    except Exception:
        return None


def run_functions(
    name: str, database_url: str, mode: str, manifest: Path, sections, posts: int, concurrency: int
) -> None:
    """One server, started cold: its first response, then `posts` posts from `concurrency` readers at once."""
    accept = MODES[mode]
    origin = "https://bench.guide.example"
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FUNCTIONS_MANIFEST": str(manifest),
        "SITE_URL": origin,
        # Not production: that needs Notify, PostgreSQL and Netlify's signing secret, and the bench times SQLite too.
        "SITE_ENV": "bench",
        "API_SIGNATURE_TOKEN": BENCH_SIGNING_SECRET,
        "INSTANCE_DIR": str(OUT / "functions"),
    }
    # Sync workers, one per core: no threads contending for the GIL inside a worker.
    command = [
        BIN / "gunicorn",
        "--workers",
        str(os.cpu_count() or 2),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "migration_guide.forms.app:create_functions_app()",
    ]
    marker = f"bench-{uuid.uuid4().hex[:8]}"
    warm_up = concurrency * 2
    started = time.perf_counter()
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        page, section = sections[0]
        cold = wait_for_first_response(
            port,
            origin,
            {"page": page, "section": section, "answer": "yes", "comment": f"{marker}-cold", "website": ""},
            started,
            accept,
        )
        local = threading.local()

        def one(index: int) -> tuple[int, float]:
            page, section = sections[index % len(sections)]
            fields = {
                "page": page,
                "section": section,
                "answer": "yes" if index % 3 else "no",
                "comment": f"{marker}-{index}",
                "website": "",
            }
            if accept == MODES["script"]:  # feedback.mjs gives each answer its key, so the retry below is safe
                fields["idempotency_key"] = f"{marker}-{index:06d}"
            reader = f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}"
            for attempt in (1, 2):
                if getattr(local, "connection", None) is None:
                    local.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                try:
                    result = post(local.connection, origin, fields, reader, accept)
                    local.connection.close()  # sync workers close each connection after answering
                    local.connection = None
                    return result
                except (http.client.HTTPException, OSError):
                    local.connection = None
                    if attempt == 2:
                        raise
            raise AssertionError("unreachable")

        with ThreadPoolExecutor(concurrency) as pool:  # every worker warm: connections, compiled templates
            list(pool.map(lambda i: one(posts + i), range(warm_up)))
        began = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            results = list(pool.map(one, range(posts)))
        elapsed = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(timeout=10)
    latencies = sorted(seconds * 1000 for _, seconds in results)
    ok = sum(1 for status, _ in results if status in (200, 303))
    p50 = statistics.median(latencies)
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
    stored, distinct = count_rows(database_url, OUT / "functions" / "guide.sqlite3", marker)
    stored, distinct = stored - 1 - warm_up, distinct - 1 - warm_up  # less the cold-start and warm-up posts
    statuses = sorted({status for status, _ in results})
    print(
        f"  {name:<11}{mode:<8}{cold * 1000:>9.0f}ms{p50:>7.1f}ms{p99:>7.1f}ms{latencies[-1]:>7.1f}ms"
        f"{posts / elapsed:>9.0f}"
        f"{posts:>7}{ok:>7}{stored:>8}{distinct:>9}   {statuses}"
    )
    label = f"{name}, {mode}"
    SUMMARY.append(
        Row(
            "functions",
            f"{label}: cold start (new process → first response)",
            f"{cold * 1000:.0f} ms",
            "≤ 300 ms",
            verdict(cold <= 0.3),
        )
    )
    with_target = name == "SQLite"
    SUMMARY.append(
        Row(
            "functions",
            f"{label}: warm p50 / p99",
            f"{p50:.1f} / {p99:.1f} ms ({posts / elapsed:.0f}/s)",
            "p99 ≤ 25 ms" if with_target else "-",
            verdict(p99 <= 25) if with_target else "-",
        )
    )
    SUMMARY.append(
        Row(
            "functions",
            f"{label}: posts sent / accepted / rows stored",
            f"{posts} / {ok} / {stored} ({distinct} distinct)",
            "each stored once",
            verdict(ok == posts == stored == distinct),
        )
    )


def bench_functions(manifest: Path, posts: int = 1000, concurrency: int = 20) -> None:
    heading(f"Functions: POST /api/feedback through gunicorn on loopback, {posts:,} posts at concurrency {concurrency}")
    if not feedback_available(manifest):
        print("  not available yet (no /api/feedback in the functions app)")
        SUMMARY.append(Row("functions", "POST /api/feedback", "not available yet", "-", "-"))
        return
    if not (BIN / "gunicorn").exists():
        print("  gunicorn is not installed in the venv: `make bench` installs the 'bench' extra")
        SUMMARY.append(Row("functions", "POST /api/feedback", "gunicorn not installed", "-", "-"))
        return
    sections = sections_from_manifest(manifest)
    if not sections:
        print("  the site has no sections that take feedback")
        return
    (OUT / "functions").mkdir(parents=True, exist_ok=True)
    sqlite_file = OUT / "functions" / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
    databases = {"SQLite": f"sqlite:///{sqlite_file}"}
    if url := postgres_url():
        databases["PostgreSQL"] = url
    else:
        print("  PostgreSQL: no server answered (set BENCH_DATABASE_URL=postgresql://…)")
        SUMMARY.append(Row("functions", "PostgreSQL", "no server here", "-", "-"))
    print("  'script': as the page's JavaScript posts (answer in JSON); 'no JS': a plain form post (answer is a page)")
    print(
        f"  {'database':<11}{'mode':<8}{'cold start':>11}{'p50':>9}{'p99':>9}{'max':>9}{'posts/s':>9}"
        f"{'sent':>7}{'ok':>7}{'stored':>8}{'distinct':>9}   statuses"
    )
    for name, database_url in databases.items():
        for mode in MODES:
            run_functions(name, database_url, mode, manifest, sections, posts, concurrency)


# 4. The owners' tools at a million answers (bench/feedback_at_scale.py)


def bench_feedback() -> None:
    import feedback_at_scale

    heading("Feedback report and weekly digest at 1,000,000 stored answers (SQLite, median of 3)")
    SUMMARY.extend(Row("feedback", *row) for row in feedback_at_scale.run())


# 5. Lighthouse (bench/lighthouse.py)


def bench_lighthouse(site: Path) -> None:
    import lighthouse

    heading(
        f"Lighthouse 12 through guide preview: each page type, mobile (simulated slow 4G) and desktop,"
        f" median of {lighthouse.RUNS} runs (load average {load()})"
    )
    try:
        results = lighthouse.run_lighthouse(site, lighthouse.PAGES, OUT / "lighthouse")
    except Exception as error:  # no chromium or npm here: say so, and go on to the summary
        print(f"  not run: {error}")
        SUMMARY.append(Row("lighthouse", "Lighthouse", f"not run: {error}", "-", "-"))
        return
    print(lighthouse.table(results))
    SUMMARY.extend(Row("lighthouse", *row) for row in lighthouse.summary_rows(results))


# 6. The heaviest pages on a phone (bench/phone.py)


def bench_phone(site: Path) -> None:
    import phone

    heading("The checklist and print pages on a phone: 375×812, CPU 4× slower, median of 3")
    try:
        rows = phone.measure(site)
    except Exception as error:  # no chromium or playwright here: say so, and go on to the summary
        print(f"  not run: {error}")
        SUMMARY.append(Row("phone", "phone pages", f"not run: {error}", "-", "-"))
        return
    SUMMARY.extend(Row("phone", *row) for row in rows)


def print_summary() -> None:
    heading("Summary")
    widths = [
        max(len(getattr(row, column)) for row in [*SUMMARY, Row("section", "figure", "measured", "target", "verdict")])
        for column in ("section", "figure", "measured", "target", "verdict")
    ]

    def line(values):
        return "  " + " | ".join(value.ljust(width) for value, width in zip(values, widths, strict=False))

    print(line(["section", "figure", "measured", "target", "verdict"]))
    print("  " + "-+-".join("-" * width for width in widths))
    for row in SUMMARY:
        print(line([row.section, row.figure, row.measured, row.target, row.verdict]))


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmarks for the guide: build, page weight, functions.")
    parser.add_argument(
        "--only", choices=["build", "weight", "functions", "feedback", "lighthouse", "phone"], action="append"
    )
    parser.add_argument("--pages", type=int, action="append", help="guide sizes for the build (default 30 and 1000)")
    parser.add_argument("--no-mkdocs", action="store_true")
    parser.add_argument("--no-eleventy-govuk", action="store_true", help="skip the GOV.UK Eleventy plugin")
    parser.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="cold builds of the guide, MkDocs (same nav) and Eleventy GOV.UK taken in turn this many times,"
        " and as many one-page edits; each reports its median (for a machine with other work on it)",
    )
    parser.add_argument("--posts", type=int, default=1000)
    args = parser.parse_args()
    sections = args.only or ["build", "weight", "functions", "feedback", "lighthouse", "phone"]
    OUT.mkdir(exist_ok=True)
    print(
        f"Benchmarks on {os.cpu_count()} cores, Python {sys.version.split()[0]}, load average {load()}; output in {OUT}"
    )
    if "build" in sections:
        bench_build(
            sorted(args.pages or [30, 1000]),
            with_mkdocs=not args.no_mkdocs,
            with_eleventy_govuk=not args.no_eleventy_govuk,
            repeat=max(1, args.repeat),
        )
    if "feedback" in sections:
        bench_feedback()
    if {"weight", "functions", "lighthouse", "phone"} & set(sections):
        site = build_real_site()
        if "weight" in sections:
            bench_weight(site)
        if "functions" in sections:
            bench_functions(OUT / "real-instance" / "manifest.json", posts=args.posts)
        if "lighthouse" in sections:
            bench_lighthouse(site)
        if "phone" in sections:
            bench_phone(site)
    print_summary()


if __name__ == "__main__":
    main()
