"""The `guide` command: one group, its commands in a module per topic.

A topic's module is imported only when its command is asked for (click's lazy group pattern), so
`guide build` does not load the form store, email checks and HTTP clients of the records
commands. (`guide --help` asks every command for its summary, so it loads them all.)
"""

from __future__ import annotations

import importlib

import click

#: Command name → "module:attribute", a module of this package per topic.
COMMANDS = {
    "serve": "site:serve",
    "build": "site:build",
    "check": "site:check",
    "preview": "site:preview",
    "feedback": "feedback:feedback_group",
    "requests": "requests:requests_group",
    "outbox": "outbox:outbox_group",
    "review": "review:review",
    "partners": "partners:partners_group",
    "digest": "digest:digest",
    "deploy-check": "deploy_check:deploy_check",
}


class LazyGroup(click.Group):
    """A group whose commands are imported when asked for by name (or listed for --help)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute = COMMANDS[cmd_name].split(":")
        return getattr(importlib.import_module(f"{__name__}.{module}"), attribute)


@click.group(cls=LazyGroup)
def main():
    """Build, check and serve the GP practice migration guide, and look after what readers send."""


if __name__ == "__main__":
    main()
