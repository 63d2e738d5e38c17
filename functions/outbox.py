"""AWS Lambda entry point, run on a schedule: sends queued help-request email that is due
(`guide outbox retry`) and deletes requests past their retention period (`guide requests purge`),
so personal data is not kept longer than REQUEST_RETENTION_DAYS without anyone remembering to.
"""

import logging

from migration_guide.config import Settings
from migration_guide.forms.feedback import forget_old_comments
from migration_guide.forms.help_requests import purge
from migration_guide.forms.outbox import deliver_due, outbox_dir, sender_for
from migration_guide.forms.store import Database

logging.getLogger().setLevel(logging.INFO)


def handler(event, context):
    settings = Settings.from_environment()
    settings.require_forms_ready()
    database = Database.from_settings(settings)
    deliveries = deliver_due(database, sender_for(settings))
    purged = purge(database, settings.request_retention_days, outbox_dir(settings))
    forgotten = forget_old_comments(database, settings.comment_retention_days)
    return {
        "tried": len(deliveries),
        "sent": sum(d.status == "sent" for d in deliveries),
        "purged": purged,
        "comments_forgotten": forgotten,
    }
