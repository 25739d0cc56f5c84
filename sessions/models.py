import unicodedata
import zoneinfo
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cms.slugs import SLUG_HELP_FROM_NAME, SLUG_HELP_FROM_TITLE, readable_slug_field, unique_slug
from cms.text_validators import no_invisible_characters
from sessions.dates import DateRange, ScheduleTime


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


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a time zone name such as America/Detroit or Asia/Tokyo."),
            params={"value": value},
        )


NAME_KEY_LENGTH = 200


def name_key(name: str) -> str:
    """A person's name as speakers are matched across events and imports.

    NFKC folds full-width letters and spaces into their plain forms, casefold() ignores
    case, and runs of white space count as one: "Lin  Sun", "lin sun" and "Ｌｉｎ　Ｓｕｎ"
    are the same person.
    """
    # NFKC can lengthen a name ("㍿" is four letters): cut to the column's length.
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())[:NAME_KEY_LENGTH]


class SessionKind(models.TextChoices):
    KEYNOTE = "keynote", _("Keynote")
    SESSION = "session", _("Session")
    LIGHTNING_TALK = "lightning_talk", _("Lightning talk")
    CO_LOCATED = "co_located", _("Co-located event")


class Event(models.Model):
    name = models.CharField(_("name"), max_length=200, validators=[no_invisible_characters])
    short_name = models.CharField(
        _("short name"),
        max_length=40,
        blank=True,
        validators=[no_invisible_characters],
        help_text=_(
            "How menus name the event beside a session's title, e.g. KubeCon NA 2022; "
            "empty: its name."
        ),
    )
    slug = readable_slug_field(SLUG_HELP_FROM_NAME)
    city = models.CharField(_("city"), max_length=120)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    format = models.CharField(
        _("format"), max_length=20, choices=EventFormat, default=EventFormat.IN_PERSON
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_(
            "Where the event takes place, e.g. America/Detroit: its sessions' times are "
            "typed and shown in this time zone, and times in a schedule file without one are "
            "read in it. Changing it later moves no session: each keeps its moment and is "
            "shown on the new clock."
        ),
    )

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
    def short_label(self) -> str:
        return self.short_name or self.name

    @property
    def dates(self) -> DateRange:
        return DateRange(self.starts_on, self.ends_on)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

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

    name = models.CharField(_("name"), max_length=200, validators=[no_invisible_characters])
    slug = readable_slug_field(SLUG_HELP_FROM_NAME)
    affiliation = models.CharField(
        _("affiliation"), max_length=200, blank=True, validators=[no_invisible_characters]
    )
    profile_url = models.URLField(_("profile link"), blank=True)
    # How a schedule import recognises the person again: see `name_key()`.
    name_key = models.CharField(
        max_length=NAME_KEY_LENGTH, editable=False, db_index=True, default=""
    )
    schedule_code = models.CharField(
        _("code in the schedule"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("The speaker's code in a pretalx schedule; set by the schedule import."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")

    def __str__(self) -> str:
        return f"{self.name} ({self.affiliation})" if self.affiliation else self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name, fallback="speaker")
        self.name_key = name_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
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
    title = models.CharField(_("title"), max_length=300, validators=[no_invisible_characters])
    slug = readable_slug_field(SLUG_HELP_FROM_TITLE)
    kind = models.CharField(
        _("kind"), max_length=20, choices=SessionKind, default=SessionKind.SESSION
    )
    track = models.CharField(
        _("track"),
        max_length=120,
        blank=True,
        help_text=_("The conference's category, e.g. 'Reliability + Operational Continuity'."),
        validators=[no_invisible_characters],
    )
    starts_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    room = models.CharField(_("room"), max_length=120, blank=True)
    abstract = models.TextField(_("abstract"), blank=True)
    schedule_uid = models.CharField(
        _("identifier in the schedule"),
        max_length=255,
        blank=True,
        help_text=_(
            "The session's UID in the imported schedule file; a new import of the "
            "schedule updates the session that has it."
        ),
    )
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
            models.UniqueConstraint(
                fields=["event", "schedule_uid"],
                condition=~models.Q(schedule_uid=""),
                name="session_schedule_uid_unique_per_event",
                violation_error_message=_(
                    "This event already has a session with this identifier in the schedule."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(starts_at__isnull=False, ends_at__gte=models.F("starts_at")),
                name="session_ends_after_it_starts",
                violation_error_message=_("A session cannot end before it starts."),
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
    def menu_label(self) -> str:
        """How a menu of sessions names this one: its title and its event, as events of a
        series have sessions of the same title (a keynote, a welcome)."""
        return gettext("%(session)s (%(event)s)") % {
            "session": self.title,
            "event": self.event.short_label,
        }

    @property
    def start_time(self) -> ScheduleTime | None:
        """When the session starts as the conference had it: in the event's time zone, which
        every page, the coverage board and the structured data show; None without a time."""
        if self.starts_at is None:
            return None
        return ScheduleTime(timezone.localtime(self.starts_at, self.event.zone))

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
        if (start := self.start_time) is not None:
            data["startDate"] = start.machine
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
