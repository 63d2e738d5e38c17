"""The `guide` command starts fast: a topic's module, and the heavy layers, load only when their command is used."""

from __future__ import annotations

import subprocess
import sys

#: What finding a command must not load: the web framework, Markdown, the form store and its checks.
HEAVY = (
    "flask",
    "markdown",
    "psycopg",
    "wtforms",
    "email_validator",
    "migration_guide.forms",
    "migration_guide.publish",
)
#: The records commands' modules, which `guide build` has no use for.
RECORDS_COMMANDS = ("requests", "feedback", "outbox", "partners", "digest", "deploy_check", "review")


def _modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running `code`."""
    result = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(result.stdout.split())


def test_guide_help_lists_every_command_with_its_summary():
    result = subprocess.run([sys.executable, "-m", "migration_guide.cli", "--help"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for command in ("build", "check", "serve", "preview", "feedback", "requests", "outbox", "review", "digest"):
        assert f"  {command} " in result.stdout, command
    assert "Freeze the whole guide to static files." in result.stdout


def test_the_command_group_loads_no_heavy_layer_until_a_command_is_chosen():
    loaded = _modules_after(
        "from migration_guide.cli import main\n"
        "import click\n"
        "assert 'build' in main.list_commands(click.Context(main))\n"
    )
    assert not [name for name in loaded if name.split(".")[0] in HEAVY or name.startswith(HEAVY)]


def test_the_build_command_loads_its_own_topic_only():
    loaded = _modules_after(
        "from migration_guide.cli import main\nimport click\nassert main.get_command(click.Context(main), 'build')\n"
    )
    assert "migration_guide.cli.site" in loaded
    assert not [topic for topic in RECORDS_COMMANDS if f"migration_guide.cli.{topic}" in loaded]
    assert "flask" not in loaded, "the build's heavy layers load when it runs, not when it is found"


def test_an_unknown_command_is_refused_by_name():
    result = subprocess.run([sys.executable, "-m", "migration_guide.cli", "buidl"], capture_output=True, text=True)
    assert result.returncode == 2 and "No such command 'buidl'" in result.stderr
