"""Reading `content/checklists/*.yml` into `Checklist`s, each key remembering its file line."""

from __future__ import annotations

from pathlib import Path

import yaml

from .checklists import DEFAULT_HEADING, FOLDER, Checklist, ChecklistPhase, Group, Item
from .problems import Problem, yaml_problem

#: libyaml's parser where PyYAML was built with it (about 10 times faster; the same marks and errors).
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(SAFE_LOADER):  # type: ignore[valid-type,misc]  # chosen at import time
    """Safe YAML whose mappings remember the line of each key (under the key `__lines__`)."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=True)
        mapping["__lines__"] = {
            key.value: key.start_mark.line + 1 for key, _ in node.value if isinstance(key, yaml.ScalarNode)
        }
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def _text(mapping: dict, key: str) -> str:
    value = mapping.get(key)
    return str(value).strip() if isinstance(value, str | int | float) and not isinstance(value, bool) else ""


def _on(item: dict) -> str:
    """An item's `on:`. YAML 1.1 reads the bare key `on` as the boolean true, so it is looked up under both."""
    value = item.get("on", item.get(True))
    return str(value).strip() if isinstance(value, str) else ""


def read_checklist(path: Path, problems: list[Problem]) -> Checklist | None:
    """The checklist in `path`; None (with problems recorded) when it cannot be read at all.

    Problems with single entries (a missing id, text or question) are recorded and the entry left
    out; `validation` checks what needs the whole guide (links, phases, ids on the page).
    """
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # a SafeLoader
    except yaml.YAMLError as error:
        problems.append(yaml_problem(path, error, "checklist is not valid YAML"))
        return None
    if not isinstance(raw, dict):
        problems.append(Problem(path, 1, "a checklist must be a mapping with role, page, summary and phases"))
        return None
    lines = raw["__lines__"]
    missing = [key for key in ("role", "page", "summary") if not _text(raw, key)]
    if missing:
        problems.append(Problem(path, 1, f"checklist is missing {' and '.join(missing)}"))
    if "intro" in raw:
        problems.append(
            Problem(path, lines["intro"], "intro is not read: write the introduction in the role page's Markdown")
        )
    phases = []
    raw_phases = raw.get("phases")
    if not isinstance(raw_phases, list) or not raw_phases:
        problems.append(Problem(path, lines.get("phases", 1), "checklist has no phases"))
        raw_phases = []
    for raw_phase in raw_phases:
        phase = _read_phase(path, raw_phase, lines.get("phases", 1), problems)
        if phase:
            phases.append(phase)
    return Checklist(
        path.stem,
        path,
        _text(raw, "role"),
        _text(raw, "page"),
        _text(raw, "summary"),
        _text(raw, "heading") or DEFAULT_HEADING,
        tuple(phases),
        dict(lines),
    )


def _read_phase(path: Path, raw, line: int, problems: list[Problem]) -> ChecklistPhase | None:
    if not isinstance(raw, dict) or not _text(raw, "phase"):
        problems.append(
            Problem(
                path,
                raw.get("__line__", line) if isinstance(raw, dict) else line,
                "each entry of phases needs 'phase: SLUG' (a key phase) and its groups",
            )
        )
        return None
    groups = []
    raw_groups = raw.get("groups")
    if not isinstance(raw_groups, list) or not raw_groups:
        problems.append(Problem(path, raw["__line__"], f"phase {_text(raw, 'phase')} has no groups"))
        raw_groups = []
    for raw_group in raw_groups:
        if not isinstance(raw_group, dict) or not _text(raw_group, "question") or not _text(raw_group, "id"):
            where = raw_group.get("__line__", raw["__line__"]) if isinstance(raw_group, dict) else raw["__line__"]
            problems.append(Problem(path, where, "each group needs a question, an id and items"))
            continue
        items = []
        raw_items = raw_group.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            problems.append(Problem(path, raw_group["__lines__"]["id"], f"group {raw_group['id']} has no items"))
            raw_items = []
        for raw_item in raw_items:
            if not isinstance(raw_item, dict) or not _text(raw_item, "id") or not _text(raw_item, "text"):
                where = raw_item.get("__line__", raw_group["__line__"]) if isinstance(raw_item, dict) else line
                problems.append(Problem(path, where, "each item needs an id and a text"))
                continue
            item_lines = raw_item["__lines__"]
            items.append(
                Item(
                    _text(raw_item, "id"),
                    _text(raw_item, "text"),
                    _text(raw_item, "link"),
                    item_lines["id"],
                    item_lines.get("link", item_lines["id"]),
                    _on(raw_item),
                    item_lines.get("on", item_lines["id"]),
                )
            )
        groups.append(
            Group(_text(raw_group, "question"), _text(raw_group, "id"), tuple(items), raw_group["__lines__"]["id"])
        )
    return ChecklistPhase(_text(raw, "phase"), tuple(groups), raw["__lines__"]["phase"])


def read_checklists(content_dir: Path, problems: list[Problem]) -> dict[str, Checklist]:
    """Every `content/checklists/*.yml`, by name."""
    folder = content_dir / FOLDER
    found = {}
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        checklist = read_checklist(path, problems)
        if checklist:
            found[checklist.name] = checklist
    return found
