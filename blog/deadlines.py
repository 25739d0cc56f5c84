"""Reminders of late work, sent by `manage.py send_deadline_reminders` once a day.

A section is late when it is not approved, its report is still being written, and its due
date (its own, else its report's) has passed. Each author of late sections gets one email
listing them, in their language, and at most one a day however often the command runs:
`DeadlineReminder` records the day of the last one.
"""

import datetime
from itertools import groupby

from django.db import transaction
from django.utils import timezone

from blog import notifications
from blog.models import DeadlineReminder, Section


def send_reminders(today: datetime.date | None = None) -> list:
    """Email each author with late sections who was not reminded yet today; returns them.

    One transaction per author, so one failing address leaves the others reminded and
    that author is tried again on the next run.
    """
    today = today or timezone.localdate()
    late = (
        Section.objects.late(today)
        .in_writers_hands()
        .filter(author__is_active=True)
        .exclude(author__email="")  # nowhere to send it
        .select_related("report", "session", "author__author_profile")
        .order_by("author_id", "due", "pk")
    )
    reminded = []
    for _author_id, group in groupby(late, key=lambda section: section.author_id):
        sections = list(group)
        author = sections[0].author
        with transaction.atomic():
            DeadlineReminder.objects.get_or_create(
                user=author, defaults={"sent_on": datetime.date.min}
            )
            # Locked: two runs at once (two schedulers, a manual run) send one email.
            reminder = DeadlineReminder.objects.select_for_update().get(user=author)
            if reminder.sent_on >= today:
                continue
            notifications.deadline_reminder(author, sections)
            reminder.sent_on = today
            reminder.save(update_fields=["sent_on"])
        reminded.append(author)
    return reminded
