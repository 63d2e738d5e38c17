"""AWS Lambda entry point, run on a schedule: sends queued help-request email that is due.

The same work as `guide outbox retry`.
"""

import logging

from migration_guide.config import Settings
from migration_guide.outbox import deliver_due, sender_for
from migration_guide.store import Database

logging.getLogger().setLevel(logging.INFO)


def handler(event, context):
    settings = Settings.from_environment()
    database = Database(settings.database_url, settings.instance_dir / "guide.sqlite3")
    deliveries = deliver_due(database, sender_for(settings))
    return {"tried": len(deliveries), "sent": sum(d.status == "sent" for d in deliveries)}
