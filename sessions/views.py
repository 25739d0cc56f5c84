"""The conference's public pages: an event, a session, a speaker.

Each exists only while a published report covers it (see `blog.public`).
"""

from django.utils.decorators import method_decorator
from django.views.generic import DetailView

from blog.models import Report, Section
from blog.pagecache import public_page
from blog.public import public_events, public_sessions, public_speakers
from cms.pagination import paginate
from cms.views import OldSlugRedirectMixin


@method_decorator(public_page, name="dispatch")
class EventDetailView(OldSlugRedirectMixin, DetailView):
    """The event's facts, its published reports and the sessions they cover."""

    template_name = "conference/event_detail.html"
    context_object_name = "event"

    def get_queryset(self):
        return public_events()

    def get_context_data(self, **kwargs):
        reports = Report.objects.published().filter(event=self.object).for_listing()
        sessions = (
            public_sessions()
            .filter(event=self.object)
            .with_speakers()
            .order_by("starts_at", "title")
        )
        return super().get_context_data(
            reports=paginate(self.request, reports, 10),
            sessions=paginate(self.request, sessions, 20, param="sessions"),
            **kwargs,
        )


@method_decorator(public_page, name="dispatch")
class SessionDetailView(OldSlugRedirectMixin, DetailView):
    """The session's facts and speakers, and the published sections about it."""

    template_name = "conference/session_detail.html"
    context_object_name = "session"

    def get_queryset(self):
        return public_sessions().select_related("event").with_speakers()

    def moved_object(self):
        # Sessions were at /sessions/<number>/ before they had slugs; those links still work.
        slug = self.kwargs["slug"]
        if slug.isascii() and slug.isdigit():
            return self.get_queryset().filter(pk=int(slug)).first() or super().moved_object()
        return super().moved_object()

    def get_context_data(self, **kwargs):
        sections = Section.objects.published().filter(session=self.object).for_listing()
        return super().get_context_data(sections=paginate(self.request, sections, 10), **kwargs)


@method_decorator(public_page, name="dispatch")
class SpeakerDetailView(OldSlugRedirectMixin, DetailView):
    """Every published section about the speaker's talks, across events."""

    template_name = "conference/speaker_detail.html"
    context_object_name = "speaker"

    def get_queryset(self):
        return public_speakers()

    def get_context_data(self, **kwargs):
        sections = (
            Section.objects.published()
            .filter(session__appearances__speaker=self.object)
            .for_listing()
        )
        return super().get_context_data(sections=paginate(self.request, sections, 20), **kwargs)
