"""The `guide` command: one group, its commands in a module per topic."""

from __future__ import annotations

import click

from . import deploy_check, digest, feedback, outbox, partners, requests, review, site


@click.group()
def main():
    """Build, check and serve the GP practice migration guide, and look after what readers send."""


for command in (
    site.serve,
    site.build,
    site.check,
    site.preview,
    feedback.feedback_group,
    requests.requests_group,
    outbox.outbox_group,
    review.review,
    partners.partners_group,
    digest.digest,
    deploy_check.deploy_check,
):
    main.add_command(command)


if __name__ == "__main__":
    main()
