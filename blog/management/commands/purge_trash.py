"""Delete for good what has waited in the trash past the retention period (run daily)."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from blog import trash


class Command(BaseCommand):
    help = (
        "Delete for good the reports, sections and photos that have been in the trash for "
        "longer than --older-than days (default: TRASH_RETENTION_DAYS), files included."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=settings.TRASH_RETENTION_DAYS,
            metavar="DAYS",
            help="Purge what was moved to the trash more than DAYS days ago.",
        )

    def handle(self, *args, older_than: int, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more days.")
        purged = trash.purge_expired(datetime.timedelta(days=older_than))
        self.stdout.write(f"Purged {purged} item(s) in the trash for more than {older_than} days.")
