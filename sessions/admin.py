import base64
import contextlib
import secrets
import zoneinfo

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import SimpleTemplateResponse, TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from cms.admin import KeepsOldSlugsAdmin, SearchMenusOfKeysOnly
from sessions.dates import ScheduleTime
from sessions.forms import ScheduleConfirmForm, ScheduleUploadForm
from sessions.importing import SchedulePlan, StalePlanError, import_schedule, plan_import
from sessions.models import Event, Session, SessionSpeaker, Speaker, validate_time_zone
from sessions.schedule_files import ScheduleError

# Where an uploaded schedule waits, in the person's session, between the preview of its
# plan and the confirmation: the confirmation imports exactly the bytes that were
# planned, and a second upload replaces the first (its token no longer matches).
PENDING_IMPORT_KEY = "conference_pending_schedule_import"


def _event_zone(**lookup) -> zoneinfo.ZoneInfo | None:
    """The time zone of the event `lookup` finds; None when it finds none."""
    try:
        name = Event.objects.filter(**lookup).values_list("time_zone", flat=True).first()
    except (ValueError, ValidationError):  # a value that is no event's key at all
        return None
    return zoneinfo.ZoneInfo(name) if name else None


class TimesOnTheEventsClock:
    """A page of sessions takes and shows their times on the clock where the event is held.

    Its form is processed and rendered in the time zone `times_zone()` names: Django's form
    fields read and show times in the current time zone, and so does the admin's note under
    a time field (DateTimeShortcuts, from the zone the page's <body> names). A page reads
    times in the zone it showed them in, so that a time nobody retyped keeps its moment
    (as after a schedule import, changing the event's time zone moves no session); only a
    new session whose event the page did not know yet takes the zone of the event chosen.
    None: the page knows no zone yet, and says so instead of naming the site's.
    """

    def times_zone(self, request, object_id: str | None) -> zoneinfo.ZoneInfo | None:
        raise NotImplementedError

    def page_zone(self, request, object_id: str | None) -> zoneinfo.ZoneInfo | None:
        """`times_zone()`, asked once per request: the page and its form's help read it."""
        if not hasattr(request, "times_zone"):
            request.times_zone = self.times_zone(request, object_id)
        return request.times_zone

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        zone = self.page_zone(request, object_id)
        extra_context = {**(extra_context or {}), "times_zone": zone}
        with timezone.override(zone) if zone else contextlib.nullcontext():
            response = super().changeform_view(request, object_id, form_url, extra_context)
            # A template response renders after the view returns, out of the override.
            if isinstance(response, SimpleTemplateResponse):
                response.render()
        return response


class SessionRows(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        # A row of the table has no labels of its own: each control says what it is.
        for field in form.fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs["aria-label"] = field.label
        if "DELETE" in form.fields and form.instance.pk is not None:
            form.fields["DELETE"].widget.attrs["aria-label"] = gettext(
                "Delete the session “%(title)s”"
            ) % {"title": form.instance.title}


class SessionInline(admin.TabularInline):
    model = Session
    formset = SessionRows
    fields = ["title", "kind", "track", "room", "starts_at", "ends_at"]
    extra = 0
    show_change_link = True
    template = "admin/conference/event/sessions_inline.html"
    # One box a time (the browser's own picker) rather than Django's date and time boxes
    # with their shortcuts and a note each: seven columns fit a laptop's screen on one line.
    formfield_overrides = {
        models.DateTimeField: {
            "form_class": forms.DateTimeField,
            "widget": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        },
    }


@admin.register(Event)
class EventAdmin(TimesOnTheEventsClock, KeepsOldSlugsAdmin):
    list_display = ["name", "city", "starts_on", "ends_on", "format", "session_count"]
    list_filter = ["format"]
    search_fields = ["name", "city", "venue"]
    date_hierarchy = "starts_on"
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SessionInline]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "format", "website"]}),
        (
            _("Where and when"),
            {"fields": ["city", "venue", ("starts_on", "ends_on"), "time_zone"]},
        ),
        (None, {"fields": ["description"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(session_total=Count("sessions"))

    def times_zone(self, request, object_id):
        if object_id is not None:
            return _event_zone(pk=unquote(object_id))
        # A new event has no session yet: the time zone chosen on its form.
        try:
            validate_time_zone(name := request.POST.get("time_zone", ""))
        except ValidationError:
            return None
        return zoneinfo.ZoneInfo(name)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and "time_zone" in form.changed_data:
            self._say_sessions_kept_their_moments(request, form)

    def _say_sessions_kept_their_moments(self, request, form):
        timed = form.instance.sessions.exclude(starts_at=None)
        first = timed.select_related("event").order_by("starts_at").first()
        if first is None:
            return
        count = timed.count()
        old_zone = zoneinfo.ZoneInfo(form.initial["time_zone"])
        messages.warning(
            request,
            ngettext(
                "The time zone changed from %(old)s to %(new)s. The session with a time "
                "keeps its moment and is now shown on the new clock: %(before)s is "
                "%(after)s. If it was typed as the new zone's time, correct it.",
                "The time zone changed from %(old)s to %(new)s. The %(count)d sessions with "
                "a time keep their moments and are now shown on the new clock: the first, "
                "%(before)s, is %(after)s. If they were typed as the new zone's times, "
                "correct them.",
                count,
            )
            % {
                "old": old_zone.key,
                "new": first.event.time_zone,
                "count": count,
                "before": ScheduleTime(timezone.localtime(first.starts_at, old_zone)).short,
                "after": first.start_time.short,
            },
        )

    def get_urls(self):
        own = [
            path(
                "<path:object_id>/import-schedule/",
                self.admin_site.admin_view(self.import_schedule_view),
                name="conference_event_import_schedule",
            ),
        ]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import_schedule": request.user.has_perm("conference.import_schedule"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def import_schedule_view(self, request, object_id):
        """Upload a schedule file, see its plan, confirm: then all of it is written."""
        if not request.user.has_perm("conference.import_schedule"):
            raise PermissionDenied
        event = get_object_or_404(Event, pk=object_id)
        if request.method == "POST" and "token" in request.POST:
            return self._confirm_import(request, event)
        upload_form = ScheduleUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and upload_form.is_valid():
            content = upload_form.cleaned_data["file"]
            try:
                plan = plan_import(event, content)
            except ScheduleError as error:
                upload_form.add_error("file", list(error.problems))
            else:
                token = secrets.token_urlsafe(16)
                request.session[PENDING_IMPORT_KEY] = {
                    "event": event.pk,
                    "token": token,
                    "content": base64.b64encode(content).decode("ascii"),
                }
                return self._preview(request, event, plan, token)
        return self._render_import(request, event, upload_form=upload_form)

    def _confirm_import(self, request, event: Event):
        confirm_form = ScheduleConfirmForm(request.POST)
        pending = request.session.get(PENDING_IMPORT_KEY) or {}
        if (
            not confirm_form.is_valid()
            or pending.get("event") != event.pk
            or pending.get("token") != confirm_form.cleaned_data["token"]
        ):
            messages.error(
                request,
                _(
                    "This plan is no longer waiting to be imported (it was imported, or "
                    "another file was uploaded since). Nothing was changed; upload the file "
                    "again."
                ),
            )
            return redirect("admin:conference_event_import_schedule", event.pk)
        content = base64.b64decode(pending["content"])
        try:
            plan = import_schedule(
                event, content, expected_digest=confirm_form.cleaned_data["digest"]
            )
        except StalePlanError as stale:
            messages.error(request, stale.problems[0])
            return self._preview(request, event, stale.plan, pending["token"])
        except ScheduleError as error:
            del request.session[PENDING_IMPORT_KEY]
            upload_form = ScheduleUploadForm()
            upload_form.add_error(None, list(error.problems))
            return self._render_import(request, event, upload_form=upload_form)
        del request.session[PENDING_IMPORT_KEY]
        messages.success(
            request,
            _("The schedule was imported: %(summary)s") % {"summary": plan.summary()},
        )
        return redirect("admin:conference_event_change", event.pk)

    def _preview(self, request, event: Event, plan: SchedulePlan, token: str):
        confirm_form = ScheduleConfirmForm(initial={"token": token, "digest": plan.digest})
        return self._render_import(request, event, plan=plan, confirm_form=confirm_form)

    def _render_import(self, request, event: Event, **context):
        return TemplateResponse(
            request,
            "admin/conference/event/import_schedule.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": event,
                "event": event,
                "title": _("Import the schedule of %(event)s") % {"event": event.name},
                "event_url": reverse("admin:conference_event_change", args=[event.pk]),
                **context,
            },
        )

    @admin.display(description=_("sessions"), ordering="session_total")
    def session_count(self, event: Event) -> int:
        return event.session_total


class SessionSpeakerInline(SearchMenusOfKeysOnly, admin.TabularInline):
    model = SessionSpeaker
    fields = ["position", "speaker"]
    autocomplete_fields = ["speaker"]
    extra = 1
    ordering = ["position", "id"]


@admin.register(Session)
class SessionAdmin(TimesOnTheEventsClock, KeepsOldSlugsAdmin):
    list_display = ["title", "event", "kind", "track", "room", "speaker_names", "start_display"]
    list_filter = ["event", "kind", "track"]
    search_fields = ["title", "track", "speakers__name", "speakers__affiliation"]
    autocomplete_fields = ["event"]
    list_select_related = ["event"]
    inlines = [SessionSpeakerInline]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "event",
                    "title",
                    "slug",
                    "kind",
                    "track",
                    "room",
                    ("starts_at", "ends_at"),
                ]
            },
        ),
        (None, {"fields": ["abstract"]}),
        (_("Links"), {"fields": ["schedule_url", "slides_url", "video_url"]}),
        (_("Schedule import"), {"fields": ["schedule_uid"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event").with_speakers()

    def autocomplete_label(self, session: Session) -> str:
        """How a search menu of sessions names each (cms.admin.AutocompleteView)."""
        return session.menu_label

    def times_zone(self, request, object_id):
        if object_id is not None:
            return _event_zone(sessions__pk=unquote(object_id))
        # A new session: the event the page was opened for (its address keeps ?event= when
        # the form is sent), else the one chosen on the form, once it is chosen.
        return _event_zone(pk=request.GET.get("event")) or _event_zone(pk=request.POST.get("event"))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "starts_at" in form.base_fields:
            zone = self.page_zone(request, None if obj is None else str(obj.pk))
            form.base_fields["starts_at"].help_text = (
                _("On the clock where the event is held: %(zone)s.") % {"zone": zone.key}
                if zone
                else _("Read on the clock where the event chosen above is held, in its time zone.")
            )
        return form

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        read_in = timezone.get_current_timezone()
        if obj.starts_at is not None and obj.event.zone.key != read_in.key:
            messages.warning(
                request,
                gettext(
                    "The times were read in %(read)s, the time zone this page showed them in. "
                    "%(event)s is held in %(zone)s, where the session starts at %(start)s: "
                    "check its times."
                )
                % {
                    "read": read_in.key,
                    "event": obj.event.name,
                    "zone": obj.event.time_zone,
                    "start": obj.start_time,
                },
            )

    @admin.display(description=_("scheduled at"), ordering="starts_at")
    def start_display(self, session: Session) -> str | None:
        """On the event's clock, as the session's own page has it."""
        start = session.start_time
        return None if start is None else str(start)

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
