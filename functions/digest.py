"""AWS Lambda entry point, run weekly: emails each page owner their flagged sections and overdue pages
(`guide digest`), from the build's manifest and the feedback store. Owners with nothing to hear about get
nothing.
"""

import logging
from datetime import date

from migration_guide.config import Settings
from migration_guide.forms.digest import digests, send
from migration_guide.forms.outbox import sender_for
from migration_guide.forms.store import Database
from migration_guide.web.manifest import SiteManifest

logging.getLogger().setLevel(logging.INFO)


def handler(event, context):
    settings = Settings.from_environment()
    today = date.today()
    manifest = SiteManifest.load(settings.functions_manifest)
    outcomes = send(
        digests(Database.from_settings(settings), manifest, settings.site_url, today, settings.fact_max_age_days),
        sender_for(settings),
        today,
    )
    return {
        "owners": len(outcomes),
        "sent": sum(o.status == "sent" for o in outcomes),
        "not_sent": sum(o.status != "sent" for o in outcomes),
    }
