"""`guide outbox …`: the email sent about help requests: what is queued, sent or failed."""

from __future__ import annotations

import click

from ..config import Settings
from ..forms import outbox
from .common import open_database, print_table


@click.group("outbox")
def outbox_group():
    """Email about help requests: what is queued, sent or failed."""


@outbox_group.command("list")
def outbox_list():
    """Every message with its reference, recipient role, status and attempts."""
    rows = outbox.list_messages(open_database())
    if not rows:
        click.echo("The outbox is empty.")
        return
    print_table(
        ["id", "reference", "to", "status", "attempts", "next try", "last error"],
        [
            [
                r["id"],
                r["reference"],
                r["recipient_role"],
                r["status"],
                r["attempts"],
                r["next_attempt_at"][:16] if r["status"] == "queued" else "",
                r["last_error"],
            ]
            for r in rows
        ],
    )
    if failed := sum(r["status"] == "failed" for r in rows):
        click.echo(
            f"\n{failed} message(s) failed and will not be tried again: "
            "fix the cause, then run 'guide outbox retry --failed'."
        )


@outbox_group.command("retry")
@click.option(
    "--failed",
    "include_failed",
    is_flag=True,
    help="Queue messages that failed (refused by Notify, or out of attempts) again first.",
)
def outbox_retry(include_failed):
    """Send every queued message that is due now. Delivery is at least once: a message whose send timed out
    may arrive twice."""
    settings = Settings.from_environment()
    database = open_database(settings)
    if include_failed:
        click.echo(f"Queued {outbox.requeue_failed(database)} failed message(s) again.")
    deliveries = outbox.deliver_due(database, outbox.sender_for(settings))
    sent = sum(d.status == "sent" for d in deliveries)
    click.echo(f"Tried {len(deliveries)} message(s): {sent} sent, {len(deliveries) - sent} still queued or failed.")
