"""`make bench`'s phone part: the two heaviest pages as a phone runs them, in figures, not tests.

    .venv/bin/python bench/run.py --only phone          # this part alone (builds the real guide first)
    .venv/bin/python bench/phone.py SITE_DIR [--runs 3]  # on a site already built

Playwright drives Debian's chromium (CHROMIUM) at 375×812 with the CPU slowed 4× (CDP
`Emulation.setCPUThrottlingRate`), against `guide preview`. For each page it reports the median of
the runs (each a fresh context, so nothing is cached between them):

- the role checklist pages: the longest main-thread task while the page loads and its script
  runs, from a `PerformanceObserver` for `longtask` put in before any page script;
- the whole guide to print: the time Chromium spent on style recalculation and on layout
  (`Performance.getMetrics`: RecalcStyleDuration, LayoutDuration), and its element count.

Timings depend on the machine and its load: the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lighthouse import CHROMIUM, start_preview

PHONE = {"width": 375, "height": 812}
CPU_SLOWDOWN = 4
CHECKLIST_PAGES = {"practice staff checklist": "/practice-staff/", "project managers checklist": "/project-managers/"}
PRINT_PAGE = "/guide/print/"
#: The target the issue sets for the checklist pages' longest task, and the print page's cut.
LONG_TASK_TARGET_MS = 200

#: Runs before any page script: every long task (over 50 ms) on the main thread, by duration.
LONG_TASK_OBSERVER = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
}).observe({ type: "longtask", buffered: true });
"""


def _phone_page(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    # The NHS font host is unreachable here: fail its requests at once instead of waiting on them.
    context.route("https://assets.nhs.uk/**", lambda route: route.abort())
    context.add_init_script(LONG_TASK_OBSERVER)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    cdp.send("Performance.enable")
    return context, page, cdp


def longest_task(browser, url: str) -> float:
    """Milliseconds of the longest main-thread task from navigation until the page is idle."""
    context, page, _ = _phone_page(browser)
    try:
        page.goto(url, wait_until="load")
        page.wait_for_selector("#checklist[data-ready]", state="attached")
        page.wait_for_timeout(1500)  # tasks the script deferred to idle time count too
        return max(page.evaluate("window.__longTasks"), default=0.0)
    finally:
        context.close()


def style_and_layout(browser, url: str) -> dict[str, float]:
    """Milliseconds of style recalculation and layout for a page's load, with its element count."""
    context, page, cdp = _phone_page(browser)
    try:
        page.goto(url, wait_until="load")
        page.wait_for_timeout(1500)
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        return {
            "style": metrics["RecalcStyleDuration"] * 1000,
            "layout": metrics["LayoutDuration"] * 1000,
            "elements": page.evaluate("document.getElementsByTagName('*').length"),
            "longest task": max(page.evaluate("window.__longTasks"), default=0.0),
        }
    finally:
        context.close()


def measure(site: Path, runs: int = 3) -> list[tuple[str, str, str, str]]:
    """Prints each page's median of `runs`; returns (figure, measured, target, verdict) rows."""
    from playwright.sync_api import sync_playwright

    rows = []
    server, base = start_preview(site)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            try:
                for name, path in CHECKLIST_PAGES.items():
                    tasks = [longest_task(browser, base + path) for _ in range(runs)]
                    median = statistics.median(tasks)
                    print(f"  {name:<28} longest task {median:6.0f} ms  (runs: {', '.join(f'{t:.0f}' for t in tasks)})")
                    rows.append(
                        (
                            f"{name}, longest task (phone, 4× CPU, median of {runs})",
                            f"{median:.0f} ms",
                            f"≤ {LONG_TASK_TARGET_MS} ms",
                            "met" if median <= LONG_TASK_TARGET_MS else "missed",
                        )
                    )
                figures = [style_and_layout(browser, base + PRINT_PAGE) for _ in range(runs)]
                style = statistics.median(f["style"] for f in figures)
                layout = statistics.median(f["layout"] for f in figures)
                task = statistics.median(f["longest task"] for f in figures)
                elements = figures[0]["elements"]
                totals = [f["style"] + f["layout"] for f in figures]
                print(
                    f"  {'whole guide to print':<28} style {style:6.0f} ms  layout {layout:6.0f} ms  "
                    f"longest task {task:6.0f} ms  {elements} elements  "
                    f"(style + layout runs: {', '.join(f'{total:.0f}' for total in totals)})"
                )
                rows.append(
                    (
                        f"print page, style + layout (phone, 4× CPU, median of {runs})",
                        f"{style + layout:.0f} ms ({elements} elements)",
                        "-",
                        "-",
                    )
                )
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a built site folder")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    measure(args.site, args.runs)


if __name__ == "__main__":
    main()
