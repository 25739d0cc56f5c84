import base64
import secrets

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from cms.admin import KeepsOldSlugsAdmin
from sessions.forms import ScheduleConfirmForm, ScheduleUploadForm
from sessions.importing import SchedulePlan, StalePlanError, import_schedule, plan_import
from sessions.models import Event, Session, SessionSpeaker, Speaker
from sessions.schedule_files import ScheduleError

# Where an uploaded schedule waits, in the person's session, between the preview of its
# plan and the confirmation: the confirmation imports exactly the bytes that were
# planned, and a second upload replaces the first (its token no longer matches).
PENDING_IMPORT_KEY = "conference_pending_schedule_import"


class SessionInline(admin.TabularInline):
    model = Session
    fields = ["title", "kind", "track", "room", "starts_at", "ends_at"]
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
        (None, {"fields": ["name", "short_name", "slug", "format", "website"]}),
        (
            _("Where and when"),
            {"fields": ["city", "venue", ("starts_on", "ends_on"), "time_zone"]},
        ),
        (None, {"fields": ["description"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(session_total=Count("sessions"))

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


class SessionSpeakerInline(admin.TabularInline):
    model = SessionSpeaker
    fields = ["position", "speaker"]
    autocomplete_fields = ["speaker"]
    extra = 1
    ordering = ["position", "id"]


@admin.register(Session)
class SessionAdmin(KeepsOldSlugsAdmin):
    list_display = ["title", "event", "kind", "track", "room", "speaker_names", "starts_at"]
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
