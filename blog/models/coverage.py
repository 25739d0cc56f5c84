"""Who covers which session: the editors' allowance of more than one writer, and the
record of deadline reminders sent."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Without a `SessionCoverage` row, a session takes one writer across the event's reports.
WRITERS_PER_SESSION = 1


class SessionCoverage(models.Model):
    """An editor's decision that a session may have more writers than one.

    A session is covered by the sections about it in its event's reports; this row only
    raises how many of those may exist (`blog.coverage` reads it when someone claims).
    """

    session = models.OneToOneField(
        "conference.Session",
        on_delete=models.CASCADE,
        related_name="coverage",
        verbose_name=_("session"),
    )
    writers_allowed = models.PositiveSmallIntegerField(
        _("writers allowed"), default=WRITERS_PER_SESSION, validators=[MinValueValidator(1)]
    )
    allowed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("allowed by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("session coverage")
        verbose_name_plural = _("session coverage")

    def __str__(self) -> str:
        return f"{self.session}: {self.writers_allowed}"


class DeadlineReminder(models.Model):
    """When a person was last reminded of late work: at most one reminder a day."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="deadline_reminder",
        verbose_name=_("user"),
    )
    sent_on = models.DateField(_("last sent on"))

    class Meta:
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")

    def __str__(self) -> str:
        return f"{self.user}: {self.sent_on}"
