from collections.abc import Callable

from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cms.slugs import SLUG_HELP_FROM_NAME, SLUG_HELP_FROM_TITLE, unique_slug


class EventFormat(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid (in person and online)")


# schema.org's names for how people attend, for structured data.
ATTENDANCE_MODES = {
    EventFormat.IN_PERSON: "https://schema.org/OfflineEventAttendanceMode",
    EventFormat.ONLINE: "https://schema.org/OnlineEventAttendanceMode",
    EventFormat.HYBRID: "https://schema.org/MixedEventAttendanceMode",
}


class SessionKind(models.TextChoices):
    KEYNOTE = "keynote", _("Keynote")
    SESSION = "session", _("Session")
    LIGHTNING_TALK = "lightning_talk", _("Lightning talk")
    CO_LOCATED = "co_located", _("Co-located event")


class Event(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        unique=True,
        blank=True,
        allow_unicode=True,
        help_text=SLUG_HELP_FROM_NAME,
    )
    city = models.CharField(_("city"), max_length=120)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    format = models.CharField(
        _("format"), max_length=20, choices=EventFormat, default=EventFormat.IN_PERSON
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="event_ends_after_it_starts",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name, fallback="event")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("conference:event_detail", kwargs={"slug": self.slug})

    @property
    def is_single_day(self) -> bool:
        return self.starts_on == self.ends_on

    def structured_data(self, absolute: Callable[[str], str]) -> dict:
        """schema.org `Event`; `absolute` turns a path into a full URL."""
        data = {
            "@type": "Event",
            "name": self.name,
            "startDate": self.starts_on.isoformat(),
            "endDate": self.ends_on.isoformat(),
            "eventAttendanceMode": ATTENDANCE_MODES[self.format],
            "url": absolute(self.get_absolute_url()),
        }
        if self.format == EventFormat.ONLINE:
            if self.website:
                data["location"] = {"@type": "VirtualLocation", "url": self.website}
        else:
            data["location"] = {
                "@type": "Place",
                "name": self.venue or self.city,
                "address": self.city,
            }
        if self.website:
            data["sameAs"] = self.website
        return data


class Speaker(models.Model):
    """One person across every event they spoke at."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        unique=True,
        blank=True,
        allow_unicode=True,
        help_text=SLUG_HELP_FROM_NAME,
    )
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    profile_url = models.URLField(_("profile link"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")

    def __str__(self) -> str:
        return f"{self.name} ({self.affiliation})" if self.affiliation else self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name, fallback="speaker")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("conference:speaker_detail", kwargs={"slug": self.slug})

    def structured_data(self) -> dict:
        """schema.org `Person`."""
        data = {"@type": "Person", "name": self.name}
        if self.affiliation:
            data["affiliation"] = {"@type": "Organization", "name": self.affiliation}
        if self.profile_url:
            data["sameAs"] = self.profile_url
        return data


class SessionQuerySet(models.QuerySet):
    def with_speakers(self) -> "SessionQuerySet":
        """Prefetch each session's speakers in their billed order."""
        return self.prefetch_related(
            Prefetch(
                "appearances",
                queryset=SessionSpeaker.objects.select_related("speaker").order_by(
                    "position", "id"
                ),
            )
        )


class Session(models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("event")
    )
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        unique=True,
        blank=True,
        allow_unicode=True,
        help_text=SLUG_HELP_FROM_TITLE,
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=SessionKind, default=SessionKind.SESSION
    )
    track = models.CharField(
        _("track"),
        max_length=120,
        blank=True,
        help_text=_("The conference's category, e.g. 'Reliability + Operational Continuity'."),
    )
    starts_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    speakers = models.ManyToManyField(
        Speaker, through="SessionSpeaker", related_name="sessions", verbose_name=_("speakers")
    )
    schedule_url = models.URLField(_("schedule page"), blank=True)
    slides_url = models.URLField(_("slides"), blank=True)
    video_url = models.URLField(_("video"), blank=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["event", "starts_at", "title"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "title"],
                name="session_title_unique_per_event",
                violation_error_message=_("This event already has a session with this title."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.title, fallback="session")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("conference:session_detail", kwargs={"slug": self.slug})

    @property
    def ordered_speakers(self) -> list[Speaker]:
        """Speakers in billed order; uses the prefetch from `with_speakers()` when present."""
        return [appearance.speaker for appearance in self.appearances.all()]

    def structured_data(self, absolute: Callable[[str], str]) -> dict:
        """schema.org `Event` for the talk, its speakers as performers."""
        data = {
            "@type": "Event",
            "name": self.title,
            "url": absolute(self.get_absolute_url()),
            "performer": [speaker.structured_data() for speaker in self.ordered_speakers],
        }
        if self.starts_at is not None:
            data["startDate"] = self.starts_at.isoformat()
        return data


class SessionSpeaker(models.Model):
    """A speaker's place on a session's bill."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="appearances", verbose_name=_("session")
    )
    speaker = models.ForeignKey(
        Speaker, on_delete=models.PROTECT, related_name="appearances", verbose_name=_("speaker")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("speaker of the session")
        verbose_name_plural = _("speakers of the session")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "speaker"],
                name="speaker_listed_once_per_session",
                violation_error_message=_("This speaker is already listed for the session."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} — {self.speaker}"
