from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from cms.admin import KeepsOldSlugsAdmin
from sessions.models import Event, Session, SessionSpeaker, Speaker


class SessionInline(admin.TabularInline):
    model = Session
    fields = ["title", "kind", "track", "starts_at"]
    extra = 0
    show_change_link = True


@admin.register(Event)
class EventAdmin(KeepsOldSlugsAdmin):
    list_display = ["name", "city", "starts_on", "ends_on", "format", "session_count"]
    list_filter = ["format"]
    search_fields = ["name", "city", "venue"]
    date_hierarchy = "starts_on"
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SessionInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "format", "website"]}),
        (_("Where and when"), {"fields": ["city", "venue", ("starts_on", "ends_on")]}),
        (None, {"fields": ["description"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(session_total=Count("sessions"))

    @admin.display(description=_("sessions"), ordering="session_total")
    def session_count(self, event: Event) -> int:
        return event.session_total


class SessionSpeakerInline(admin.TabularInline):
    model = SessionSpeaker
    fields = ["position", "speaker"]
    autocomplete_fields = ["speaker"]
    extra = 1
    ordering = ["position", "id"]


@admin.register(Session)
class SessionAdmin(KeepsOldSlugsAdmin):
    list_display = ["title", "event", "kind", "track", "speaker_names", "starts_at"]
    list_filter = ["event", "kind", "track"]
    search_fields = ["title", "track", "speakers__name", "speakers__affiliation"]
    autocomplete_fields = ["event"]
    list_select_related = ["event"]
    inlines = [SessionSpeakerInline]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["event", "title", "slug", "kind", "track", "starts_at"]}),
        (_("Links"), {"fields": ["schedule_url", "slides_url", "video_url"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_speakers()

    @admin.display(description=_("speakers"))
    def speaker_names(self, session: Session) -> str:
        return ", ".join(speaker.name for speaker in session.ordered_speakers)


@admin.register(Speaker)
class SpeakerAdmin(KeepsOldSlugsAdmin):
    list_display = ["name", "affiliation", "talk_count"]
    search_fields = ["name", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(talk_total=Count("sessions"))

    @admin.display(description=_("talks"), ordering="talk_total")
    def talk_count(self, speaker: Speaker) -> int:
        return speaker.talk_total
