"""Reading `content/data/facts.yml`: each fact with its line, and a problem naming the line of any that lacks a part.

Kept apart from `facts` (the model) because reading needs a YAML parser, which the form functions must not load.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from .facts import FACTS_FILE, Fact, as_source
from .problems import Problem, yaml_problem


def _lines(text: str) -> dict[str, int]:
    """Each top-level key of the facts file → its line."""
    node = yaml.compose(text)
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): key.start_mark.line + 1 for key, _ in node.value}


def read_facts(content_dir: Path, problems: list[Problem]) -> dict[str, Fact]:
    """The facts file's facts by name; a problem, naming its line, for each fact that lacks a part."""
    path = content_dir / FACTS_FILE
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text) or {}
        lines = _lines(text)
    except yaml.YAMLError as error:
        problems.append(yaml_problem(path, error, "not valid YAML"))
        return {}
    if not isinstance(raw, dict):
        problems.append(Problem(path, 1, "the facts file must be a set of 'name:' entries"))
        return {}
    facts = {}
    for name, entry in raw.items():
        line = lines.get(str(name), 1)
        entry = entry if isinstance(entry, dict) else {}
        value = str(entry.get("value") or "").strip()
        source = as_source(entry.get("source"))
        checked = entry.get("checked")
        missing = [
            what
            for what, absent in (
                ("value", not value),
                ("source with a title and an http(s) url", source is None),
                ("checked date (YYYY-MM-DD)", not isinstance(checked, date)),
            )
            if absent
        ]
        if missing:
            problems.append(Problem(path, line, f"fact {name} has no {', no '.join(missing)}"))
            continue
        facts[str(name)] = Fact(str(name), value, source, checked, line)
    return facts
