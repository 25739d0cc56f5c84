"""The conference's admin pages (sessions/admin.py), with what depends on publications:
an event, session or speaker has a public page only through a published report, which the
conference app knows nothing of. Registered again here, over its own registration."""

from django.contrib import admin

from blog import public
from cms.admin import OnSiteOnceReadersSeeIt
from sessions import admin as conference
from sessions.models import Event, Session, Speaker


class EventAdmin(OnSiteOnceReadersSeeIt, conference.EventAdmin):
    def public_rows(self):
        return public.public_events()


class SessionAdmin(OnSiteOnceReadersSeeIt, conference.SessionAdmin):
    def public_rows(self):
        return public.public_sessions()


class SpeakerAdmin(OnSiteOnceReadersSeeIt, conference.SpeakerAdmin):
    def public_rows(self):
        return public.public_speakers()


for model, model_admin in ((Event, EventAdmin), (Session, SessionAdmin), (Speaker, SpeakerAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
