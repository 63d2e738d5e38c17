"""A synthetic guide of N pages for `make bench`: the same Markdown for `guide build`, MkDocs and Eleventy.

Each page has front matter, 600–1,200 words in 4–7 sections with explicit heading ids, a table,
a list, and cross-links to headings of other pages; a home page and the guide's start page
(/guide/) list the sections. Everything comes from one seeded random generator, so a seed and N
always give the same files.

    python bench/generate.py --pages 1000 --out bench-output/guide-1000

writes `content/` (for `guide build --content`) and `mkdocs.yml` beside it (MkDocs reads the same
files, as `docs_dir: content`, skipping `content/data/`), and `eleventy-content/`: the same pages with
the same Markdown bodies, their front matter rewritten for the GOV.UK Eleventy plugin's layouts
(bench/eleventy/eleventy.config.js).
"""

from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

WORDS = [
    "practice",
    "migration",
    "clinical",
    "system",
    "data",
    "patient",
    "record",
    "supplier",
    "cut-over",
    "go-live",
    "training",
    "survey",
    "appointment",
    "referral",
    "prescription",
    "report",
    "template",
    "workflow",
    "contract",
    "network",
    "hardware",
    "software",
    "staff",
    "manager",
    "partner",
    "board",
    "integrated",
    "care",
    "check",
    "sign-off",
    "extract",
    "production",
    "schedule",
    "risk",
    "issue",
    "meeting",
    "plan",
    "week",
    "date",
    "team",
    "role",
    "summary",
    "document",
    "guidance",
    "safety",
    "test",
    "quality",
    "review",
    "agree",
    "confirm",
    "record",
    "share",
    "update",
    "prepare",
    "arrange",
    "contact",
    "include",
    "before",
    "after",
    "during",
    "each",
    "every",
    "their",
    "your",
    "with",
    "from",
    "about",
    "which",
    "when",
    "where",
    "that",
    "this",
    "these",
    "those",
    "will",
    "should",
    "must",
    "can",
    "may",
    "need",
    "time",
    "work",
    "day",
]
TOPICS = [
    "Planning",
    "Data",
    "quality",
    "Training",
    "Hardware",
    "Suppliers",
    "Patients",
    "Safety",
    "Reporting",
    "Appointments",
    "Prescribing",
    "Referrals",
    "Documents",
    "Templates",
    "Contracts",
    "Networks",
    "Testing",
    "Sign-off",
    "Communications",
    "Risks",
    "Go-live",
]
#: How many pages the sidebar lists: the section start pages. The sidebar is on every page, so
#: listing all N pages there would make the site grow as N²; real guides split navigation too.
SECTIONS = 20


@dataclass(frozen=True)
class PagePlan:
    index: int
    permalink: str
    title: str
    heading_ids: tuple[str, ...]
    heading_titles: tuple[str, ...]


def plan_pages(count: int, rng: random.Random) -> list[PagePlan]:
    per_section = max(1, -(-count // SECTIONS))
    pages = []
    for index in range(count):
        section = index // per_section
        topic = TOPICS[index % len(TOPICS)]
        title = f"{topic} {index:05d}"
        permalink = (
            f"/guide/section-{section:02d}/"
            if index % per_section == 0
            else f"/guide/section-{section:02d}/page-{index:05d}/"
        )
        titles = tuple(f"{rng.choice(TOPICS)} {word}" for word in rng.sample(WORDS, rng.randint(4, 7)))
        ids = tuple(f"{t.lower().replace(' ', '-')}-{n}" for n, t in enumerate(titles))
        pages.append(PagePlan(index, permalink, title, ids, titles))
    return pages


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, words: int) -> tuple[str, int]:
    sentences, written = [], 0
    while written < words:
        length = rng.randint(8, 18)
        sentences.append(sentence(rng, length))
        written += length
    return " ".join(sentences), written


def page_markdown(page: PagePlan, pages: list[PagePlan], rng: random.Random) -> str:
    target_words = rng.randint(600, 1200)
    lines = [
        "---",
        "layout: guide",
        f"title: {page.title}",
        f"permalink: {page.permalink}",
        f"description: {sentence(rng, 14)}",
        "owner: Benchmark team",
        "last_reviewed: 2026-11-27",
        "review_due: 2027-05-27",
        "---",
        "",
    ]
    intro, words = paragraph(rng, 60)
    lines += [intro, ""]
    extras = 80  # about what the table and the list add
    per_section = max(1, (target_words - words - extras) // len(page.heading_ids) - 8)
    for number, (ident, title) in enumerate(zip(page.heading_ids, page.heading_titles, strict=False)):
        level = "###" if number and number % 3 == 0 else "##"
        lines += [f"{level} {title} {{#{ident}}}", ""]
        section_words = 0
        while section_words < per_section:
            text, written = paragraph(rng, min(90, per_section - section_words + 5))
            section_words += written
            if rng.random() < 0.5:
                other = rng.choice(pages)
                anchor = rng.choice(other.heading_ids)
                text += f" See [{other.title.lower()}]({other.permalink}#{anchor})."
                section_words += 3
            lines += [text, ""]
        words += section_words
        if number == 1:
            lines += ["| Week | Task | Who |", "| --- | --- | --- |"]
            for week in range(rng.randint(3, 6)):
                lines.append(f"| {week + 1} | {sentence(rng, 5)} | {rng.choice(WORDS).title()} |")
            lines.append("")
        if number == 2:
            lines += [f"- {sentence(rng, rng.randint(5, 10))}" for _ in range(rng.randint(3, 6))] + [""]
    return "\n".join(lines)


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """The flat `key: value` front matter this module writes, and the Markdown after it."""
    _, front, body = text.split("---\n", 2)
    fields = dict(line.split(": ", 1) for line in front.splitlines())
    return fields, body


def write_eleventy_copy(content: Path, out: Path) -> Path:
    """The guide's pages for the GOV.UK Eleventy plugin, in `out`: the same Markdown bodies and titles.

    The plugin's `sub-navigation` layout (header, service navigation, breadcrumbs, sub-navigation,
    previous and next) for guide pages, its `page` layout for the home page. The sub-navigation lists
    the guide's sidebar (the section start pages, `sidebar: true`), as MkDocs' nav does; the pages
    in a section have its start page as navigation parent, for the breadcrumbs.
    """
    if out.exists():
        shutil.rmtree(out)
    pages = {}
    for path in content.rglob("*.md"):
        if path.relative_to(content).parts[0] != "data":
            pages[path] = split_front_matter(path.read_text(encoding="utf-8"))
    sidebar = {
        fields["permalink"]: fields["title"]
        for fields, _ in pages.values()
        if fields["permalink"].startswith("/guide/") and fields["permalink"].count("/") == 3
    }
    for path, (fields, body) in pages.items():
        permalink = fields["permalink"]
        section = "/".join(permalink.split("/")[:3]) + "/"
        if permalink == "/":
            front = ["layout: page", "homepage: true"]
        else:
            front = ["layout: sub-navigation", "showPagination: true"]
            if permalink in sidebar:
                front += ["sidebar: true", f"order: {int(fields['title'].split()[-1])}"]
            elif section in sidebar:
                front += ["eleventyNavigation:", f"  parent: {sidebar[section]}"]
        front += [f"{key}: {fields[key]}" for key in ("title", "permalink", "description") if key in fields]
        target = out / path.relative_to(content)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("---\n" + "\n".join(front) + "\n---\n" + body, encoding="utf-8")
    return out


def generate(count: int, out: Path, seed: int = 2026) -> Path:
    """Writes the guide to `out/content`, `out/mkdocs.yml` and its Eleventy copy to `out/eleventy-content`;
    returns the content folder."""
    rng = random.Random(seed)
    content = out / "content"
    if content.exists():
        shutil.rmtree(content)
    (content / "data").mkdir(parents=True)
    pages = plan_pages(count, rng)
    for page in pages:
        path = content / page.permalink.strip("/") / "index.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page_markdown(page, pages, rng), encoding="utf-8")
    sidebar = [page for page in pages if page.permalink.count("/") == 3]
    # Where the guide starts, as the real one does: the app's own pages link to it (the 404 page does).
    (content / "guide" / "index.md").write_text(
        "---\nlayout: guide\ntitle: Get started\npermalink: /guide/\n"
        "description: Where the synthetic guide starts, with its sections in order.\n"
        "owner: Benchmark team\nlast_reviewed: 2026-11-27\nreview_due: 2027-05-27\n---\n\n"
        "## The sections {#the-sections}\n\n"
        + "\n".join(f"- [{page.title}]({page.permalink})" for page in sidebar)
        + "\n",
        encoding="utf-8",
    )
    (content / "index.md").write_text(
        "---\nlayout: home\ntitle: Synthetic guide\npermalink: /\n---\n\nA synthetic guide for benchmarks.\n\n"
        + "\n".join(f"- [{page.title}]({page.permalink})" for page in sidebar)
        + "\n",
        encoding="utf-8",
    )
    navigation = [
        "service_name: Synthetic guide",
        "header:",
        "  - text: The guide",
        f"    href: {sidebar[0].permalink}",
        "sidebar:",
        "  - heading: Sections",
        "    pages:",
    ]
    navigation += [f"      - {page.permalink}" for page in sidebar]
    (content / "data" / "navigation.yml").write_text("\n".join(navigation) + "\n", encoding="utf-8")
    mkdocs = [
        "site_name: Synthetic guide",
        "docs_dir: content",
        "use_directory_urls: true",
        "exclude_docs: |",
        "  data/",
        "markdown_extensions: [tables, attr_list, def_list, md_in_html, toc]",
        "validation: {links: {absolute_links: ignore, unrecognized_links: ignore}, nav: {omitted_files: ignore}}",
        "nav:",
        "  - Home: index.md",
    ]
    mkdocs += [f"  - '{page.title}': {page.permalink.strip('/')}/index.md" for page in sidebar]
    (out / "mkdocs.yml").write_text("\n".join(mkdocs) + "\n", encoding="utf-8")
    write_eleventy_copy(content, out / "eleventy-content")
    return content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=Path("bench-output/guide"))
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    content = generate(args.pages, args.out, args.seed)
    print(f"{args.pages} pages written to {content}")


if __name__ == "__main__":
    main()
