"""AWS Lambda entry point, run on a schedule: sends queued help-request email that is due
(`guide outbox retry`) and, on its daily run, deletes requests past their retention period
(`guide requests purge`) and blanks old feedback comments, so personal data is not kept longer than
REQUEST_RETENTION_DAYS without anyone remembering to.

Retention runs first and sending gets only the time the Lambda has left: a Notify outage makes
sends wait, and must never stop personal data being deleted or run the function past its timeout.
"""

import logging

from migration_guide.config import Settings
from migration_guide.forms.feedback import forget_old_comments
from migration_guide.forms.help_requests import purge
from migration_guide.forms.outbox import deliver_due, outbox_dir, sender_for
from migration_guide.forms.store import Database

logging.getLogger().setLevel(logging.INFO)

#: The longest one send waits for Notify (seconds). A send starts only while this much time is left.
SEND_TIMEOUT = 4.0
#: Kept back at the end of the run to record the last outcome and return (seconds).
FINISHING_TIME = 1.0


def handler(event, context):
    """`event` is the schedule's input from template.yaml: {"retention": true} once a day, {} otherwise."""
    settings = Settings.from_environment()
    settings.require_forms_ready()
    database = Database.from_settings(settings)
    purged = forgotten = 0
    if event.get("retention"):
        purged = purge(database, settings.request_retention_days, outbox_dir(settings))
        forgotten = forget_old_comments(database, settings.comment_retention_days)

    def time_left() -> float:
        # Asked again before each message: the context's clock is the one Lambda stops the run by.
        return context.get_remaining_time_in_millis() / 1000 - SEND_TIMEOUT - FINISHING_TIME

    deliveries = deliver_due(database, sender_for(settings, timeout=SEND_TIMEOUT), time_left=time_left)
    return {
        "tried": len(deliveries),
        "sent": sum(d.status == "sent" for d in deliveries),
        "purged": purged,
        "comments_forgotten": forgotten,
    }
