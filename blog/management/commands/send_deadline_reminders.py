"""Email each writer with late work a reminder; run daily (cron or a scheduler)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from blog import deadlines
from blog.models import display_name_of


class Command(BaseCommand):
    help = _(
        "Email each author of late sections one reminder (at most one a day, "
        "however often this runs)."
    )

    def handle(self, *args, **options) -> None:
        reminded = deadlines.send_reminders()
        for user in reminded:
            self.stdout.write(_("Reminded %(name)s") % {"name": display_name_of(user)})
        self.stdout.write(_("%(count)s reminders sent.") % {"count": len(reminded)})
