"""`make bench`'s Lighthouse part: Lighthouse 12 on each page type, mobile and desktop, through `guide preview`.

    .venv/bin/python bench/run.py --only lighthouse     # this part alone (builds the real guide first)
    .venv/bin/python bench/lighthouse.py SITE_DIR        # on a site already built

Lighthouse is pinned in bench/lighthouse/package.json and its lock file, and installed there
(`npm ci`) the first time the bench needs it: the site's own build never loads it. It drives
Debian's chromium (CHROMIUM, default /usr/bin/chromium), headless, against `guide preview`, which
serves the frozen site as Netlify does, compression included, so transfer sizes are real.

Each page type runs RUNS times (3) per form factor, and the run with the median performance score
stands for it (its other scores and timings with it): one Lighthouse run varies by several points on
a machine with other work on it. Every run's performance score is printed beside the median.

Mobile is Lighthouse's default (a mid-range phone, simulated slow 4G and 4× CPU slowdown); desktop is
its `desktop` preset. Two findings cannot be helped here and are named, not hidden: the NHS font
host is unreachable from this machine (best practices: the failed font requests are console
errors), and pages say `noindex` while the guide is in beta (SEO: "page is blocked from indexing").
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "bench" / "lighthouse"
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --disable-sync"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
FORM_FACTORS = ("mobile", "desktop")

#: Findings allowed to keep a category below 100 here, with why.
EXCUSED = {
    "best-practices": {"errors-in-console": "the NHS font host is unreachable here"},
    "seo": {"is-crawlable": "noindex while the guide is in beta"},
}
TARGETS = {
    ("performance", "mobile"): 98,
    ("performance", "desktop"): 100,
    ("accessibility", "mobile"): 100,
    ("accessibility", "desktop"): 100,
    ("best-practices", "mobile"): 100,
    ("best-practices", "desktop"): 100,
    ("seo", "mobile"): 100,
    ("seo", "desktop"): 100,
}
CLS_TARGET = 0.01
#: Runs per page type and form factor; the median performance score is reported.
RUNS = 3
#: Each page type once: the bench's page-weight pages, plus Get started and the whole guide to print.
PAGES = {
    "home": "/",
    "get started": "/guide/",
    "guide page": "/guide/kick-off/",
    "role page": "/practice-staff/",
    "glossary": "/glossary/",
    "search": "/search/",
    "planner": "/plan/",
    "request help": "/request-help/",
    "print": "/guide/print/",
    "404": "/404.html",
}


@dataclass
class Result:
    page: str
    form_factor: str
    scores: dict[str, int] = field(default_factory=dict)
    cls: float = 0.0
    fcp: float = 0.0  # milliseconds, as Lighthouse reports them (simulated under mobile throttling)
    lcp: float = 0.0
    failing: dict[str, list[str]] = field(default_factory=dict)  # category → audit ids below full marks
    error: str = ""
    runs: list[int] = field(default_factory=list)  # every run's performance score, in order

    def met(self, category: str) -> bool:
        score = self.scores.get(category, 0)
        if score >= TARGETS[(category, self.form_factor)]:
            return True
        # Below 100 only because of findings this machine or the beta cannot help.
        excused = EXCUSED.get(category, {})
        return bool(self.failing.get(category)) and all(audit in excused for audit in self.failing[category])


def ensure_installed() -> Path:
    """Lighthouse at the pinned version, installed from the lock file when missing."""
    if not LIGHTHOUSE.exists():
        print("  installing Lighthouse (bench/lighthouse, npm ci) …", flush=True)
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True, capture_output=True
        )
    return LIGHTHOUSE


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_preview(site: Path, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """`guide preview` on a free port, serving `site`; waits until it answers."""
    port = _free_port()
    guide = Path(sys.executable).parent / "guide"
    server = subprocess.Popen(
        [guide, "preview", "--host", "127.0.0.1", "--port", str(port), "--site", site],
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/", timeout=2).read()
            return server, url
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("guide preview did not answer")


def run_one(url: str, name: str, form_factor: str, out: Path) -> Result:
    report = out / f"{name.replace(' ', '-')}-{form_factor}.json"
    command = [
        str(ensure_installed()),
        url,
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--quiet",
    ]
    if form_factor == "desktop":
        command.append("--preset=desktop")
    result = Result(name, form_factor)
    run = subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True)
    if run.returncode != 0 or not report.is_file():
        result.error = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["failed"]
        result.error = result.error[0][:120]
        return result
    data = json.loads(report.read_text(encoding="utf-8"))
    for category in CATEGORIES:
        entry = data["categories"][category]
        result.scores[category] = round((entry["score"] or 0) * 100)
        failing = []
        for ref in entry["auditRefs"]:
            audit = data["audits"][ref["id"]]
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
                failing.append(ref["id"])
        result.failing[category] = failing
    result.cls = data["audits"]["cumulative-layout-shift"].get("numericValue") or 0.0
    result.fcp = data["audits"]["first-contentful-paint"].get("numericValue") or 0.0
    result.lcp = data["audits"]["largest-contentful-paint"].get("numericValue") or 0.0
    return result


def median_run(url: str, name: str, form_factor: str, out: Path, runs: int = RUNS) -> Result:
    """The run with the median performance score of `runs` (the lower middle one of an even number)."""
    results = []
    for index in range(runs):
        (out / f"run-{index + 1}").mkdir(parents=True, exist_ok=True)
        result = run_one(url, name, form_factor, out / f"run-{index + 1}")
        if result.error:  # Lighthouse now and then loses its trace (NO_NAVSTART): one more try, not a score of 0
            result = run_one(url, name, form_factor, out / f"run-{index + 1}")
        results.append(result)
    ok = [result for result in results if not result.error]
    if not ok:
        return results[-1]
    ok.sort(key=lambda result: result.scores["performance"])
    chosen = ok[(len(ok) - 1) // 2]
    chosen.runs = [result.scores["performance"] for result in results if not result.error]
    return chosen


def run_lighthouse(
    site: Path,
    pages: dict[str, str],
    out: Path,
    env: dict | None = None,
    form_factors=FORM_FACTORS,
    runs: int = RUNS,
) -> list[Result]:
    out.mkdir(parents=True, exist_ok=True)
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} not found (apt-get install chromium)")
    if not shutil.which("npm") and not LIGHTHOUSE.exists():
        raise RuntimeError("npm not found: Lighthouse cannot be installed")
    ensure_installed()
    server, base = start_preview(site, env)
    results = []
    try:
        for name, path in pages.items():
            file = site / (path.strip("/") + "/index.html" if path.endswith("/") and path != "/" else path.strip("/"))
            if path == "/":
                file = site / "index.html"
            if not file.is_file():
                continue
            for form_factor in form_factors:
                result = median_run(base + path, name, form_factor, out, runs)
                results.append(result)
                print(f"  {name:<14}{form_factor:<8}{_scores(result)}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return results


def _scores(result: Result) -> str:
    if result.error:
        return f"error: {result.error}"
    return (
        "  ".join(f"{category.split('-')[0][:4]} {result.scores[category]:>3}" for category in CATEGORIES)
        + f"  CLS {result.cls:.3f}"
        + (f"  (performance runs: {', '.join(map(str, result.runs))})" if len(result.runs) > 1 else "")
    )


def table(results: list[Result]) -> str:
    """One table: each page type and form factor, each category beside its target, CLS and what cost points."""
    head = [
        "page",
        "device",
        "performance (median)",
        "accessibility",
        "best practices",
        "SEO",
        "CLS",
        "FCP / LCP",
        "not 100",
    ]
    targets = ["≥ 98 mobile, 100 desktop", "100", "100*", "100*", f"≤ {CLS_TARGET}", "", ""]
    rows = [head, ["", "target", *targets]]
    for result in results:
        if result.error:
            rows.append([result.page, result.form_factor, "error", "", "", "", "", "", result.error])
            continue
        cells = []
        reasons = []
        for category in CATEGORIES:
            cells.append(f"{result.scores[category]}{'' if result.met(category) else ' ✗'}")
            if category != "performance":
                reasons += [
                    audit + ("*" if audit in EXCUSED.get(category, {}) else "")
                    for audit in result.failing.get(category, [])
                ]
        cls_mark = "" if result.cls <= CLS_TARGET else " ✗"
        timing = f"{result.fcp / 1000:.1f} / {result.lcp / 1000:.1f} s"
        rows.append(
            [result.page, result.form_factor, *cells, f"{result.cls:.3f}{cls_mark}", timing, ", ".join(reasons)]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  " + "-+-".join("-" * width for width in widths))
    notes = "; ".join(f"{audit}: {why}" for excused in EXCUSED.values() for audit, why in excused.items())
    lines.append(f"  * allowed below 100 only for these findings ({notes}); ✗ = target missed")
    return "\n".join(lines)


def summary_rows(results: list[Result]) -> list[tuple[str, str, str, str]]:
    """(figure, measured, target, verdict) for the bench's summary table."""
    rows = []
    ok = [r for r in results if not r.error]
    for form_factor in FORM_FACTORS:
        mine = [r for r in ok if r.form_factor == form_factor]
        if not mine:
            continue
        for category in CATEGORIES:
            scores = [r.scores[category] for r in mine]
            target = TARGETS[(category, form_factor)]
            excused = ", ".join(
                sorted(
                    {
                        EXCUSED[category][a]
                        for r in mine
                        for a in r.failing.get(category, [])
                        if a in EXCUSED.get(category, {})
                    }
                )
            )
            rows.append(
                (
                    f"Lighthouse {form_factor}, {category} (lowest of {len(mine)} pages)",
                    f"{min(scores)}" + (f" ({excused})" if excused else ""),
                    f"≥ {target}" if target < 100 else "100",
                    "met" if all(r.met(category) for r in mine) else "missed",
                )
            )
        worst = max(mine, key=lambda r: r.cls)
        rows.append(
            (
                f"Lighthouse {form_factor}, largest CLS",
                f"{worst.cls:.3f} ({worst.page})",
                f"≤ {CLS_TARGET}",
                "met" if worst.cls <= CLS_TARGET else "missed",
            )
        )
    return rows


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a built site folder")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-output" / "lighthouse")
    parser.add_argument("--page", action="append", choices=sorted(PAGES), help="only these page types")
    parser.add_argument("--form-factor", choices=FORM_FACTORS, help="only mobile or only desktop")
    parser.add_argument("--runs", type=int, default=RUNS, help="runs per page type; the median is reported")
    args = parser.parse_args()
    pages = {name: PAGES[name] for name in args.page} if args.page else PAGES
    form_factors = (args.form_factor,) if args.form_factor else FORM_FACTORS
    print(f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results = run_lighthouse(args.site, pages, args.out, form_factors=form_factors, runs=max(1, args.runs))
    print(table(results))


if __name__ == "__main__":
    main()
