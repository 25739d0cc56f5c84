"""Reports: the combined post, its sections in order, publishing and share links."""

import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from blog import workflow
from blog.admin.base import MARKDOWN_WIDGETS, RevisionedAdmin, staff_choices, status_badge
from blog.admin.photos import GalleryPhotoInline
from blog.admin.sections import SectionInline
from blog.enums import SectionStatus
from blog.forms import (
    ReportAdminForm,
    ScheduleForm,
    ShareLinkForm,
)
from blog.models import (
    Photo,
    Report,
    Section,
    ShareLink,
    Tag,
)
from blog.sharing import share_url


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(Report)
class ReportAdmin(RevisionedAdmin):
    change_form_template = "admin/blog/report/change_form.html"
    list_display = ["title", "event", "publication_display", "review_progress"]
    list_filter = ["status", "event", "tags"]
    search_fields = ["title", "lead", "sections__heading", "sections__session__title"]
    list_select_related = ["event"]
    autocomplete_fields = ["event", "tags"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["publication_display"]
    date_hierarchy = "published_at"
    form = ReportAdminForm
    formfield_overrides = MARKDOWN_WIDGETS
    inlines = [SectionInline, GalleryPhotoInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "event", "tags", "cover"]}),
        (_("Text"), {"fields": ["lead", "closing"]}),
        (_("Publishing"), {"fields": ["publication_display", "editors"]}),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cover":
            # Only this report's own photos; a new report has none yet.
            report_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Photo.objects.filter(report_id=report_id).order_by(
                "position", "pk"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .annotate(
                section_total=Count("sections", distinct=True),
                approved_total=Count(
                    "sections", filter=Q(sections__status=SectionStatus.APPROVED), distinct=True
                ),
            )
        )

    def get_object(self, request, object_id, from_field=None):
        # Looked up among all reports, so that a writer who opens another team's report
        # by URL is refused (403) instead of told it is gone.
        try:
            return Report.objects.get(pk=int(object_id))
        except (Report.DoesNotExist, ValueError):
            return None

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("blog.view_report", obj)

    @admin.display(description=_("approved sections"))
    def review_progress(self, report: Report) -> str:
        return f"{report.approved_total} / {report.section_total}"

    @admin.display(description=_("publication"), ordering="published_at")
    def publication_display(self, report: Report):
        if report.is_scheduled:
            when = timezone.localtime(report.published_at).strftime("%Y-%m-%d %H:%M")
            return status_badge("scheduled", gettext("Scheduled for %(time)s") % {"time": when})
        if report.is_published:
            when = timezone.localtime(report.published_at).strftime("%Y-%m-%d %H:%M")
            return status_badge("published", gettext("Published %(time)s") % {"time": when})
        return status_badge("draft", gettext("Not published"))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(
            db_field, request, **staff_choices(db_field, kwargs)
        )

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, Photo):
                instance.report = form.instance
            instance.save()
            if isinstance(instance, Section):
                workflow.record_edit(instance, by=request.user)
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(
                {
                    "report": obj,
                    "schedule_form": ScheduleForm(),
                    "share_form": ShareLinkForm(),
                    "share_links": [
                        (link, share_url(request, link)) for link in obj.share_links.all()
                    ],
                    "unapproved": list(obj.unapproved_sections()),
                    "preview_url": reverse("blog:report_preview", args=[obj.pk]),
                    "can_publish": request.user.has_perm("blog.publish_report", obj),
                    "can_share": request.user.has_perm("blog.share_report", obj),
                    "now": timezone.now(),
                }
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "<int:object_id>/publish/",
                self.admin_site.admin_view(require_POST(self.publish_view)),
                name="{}_{}_publish".format(*info),
            ),
            path(
                "<int:object_id>/unpublish/",
                self.admin_site.admin_view(require_POST(self.unpublish_view)),
                name="{}_{}_unpublish".format(*info),
            ),
            path(
                "<int:object_id>/share/",
                self.admin_site.admin_view(require_POST(self.share_view)),
                name="{}_{}_share".format(*info),
            ),
            path(
                "<int:object_id>/share/<int:link_id>/revoke/",
                self.admin_site.admin_view(require_POST(self.revoke_view)),
                name="{}_{}_revoke".format(*info),
            ),
        ]
        return own + self.revision_urls() + super().get_urls()

    def _report_for(self, request, object_id, permission: str) -> Report:
        report = get_object_or_404(Report, pk=object_id)
        if not request.user.has_perm(permission, report):
            raise PermissionDenied
        return report

    def publish_view(self, request, object_id):
        report = self._report_for(request, object_id, "blog.publish_report")
        at = None
        if "schedule" in request.POST:
            form = ScheduleForm(request.POST)
            if not form.is_valid():
                for error in form.errors.get("publish_at", []):
                    messages.error(request, error)
                return HttpResponseRedirect(self._change_url(report))
            at = form.cleaned_data["publish_at"]
        try:
            workflow.publish(report, by=request.user, at=at)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            if at:
                when = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
                notice = gettext("Scheduled: readers will see it from %(time)s.")
                messages.success(request, notice % {"time": when})
            else:
                messages.success(request, gettext("Published: readers can see it now."))
        return HttpResponseRedirect(self._change_url(report))

    def unpublish_view(self, request, object_id):
        report = self._report_for(request, object_id, "blog.publish_report")
        try:
            workflow.unpublish(report, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, gettext("Unpublished: readers no longer see it."))
        return HttpResponseRedirect(self._change_url(report))

    def share_view(self, request, object_id):
        report = self._report_for(request, object_id, "blog.share_report")
        form = ShareLinkForm(request.POST)
        if form.is_valid():
            link = ShareLink.objects.create(
                report=report,
                created_by=request.user,
                expires_at=timezone.now() + datetime.timedelta(days=form.cleaned_data["valid_for"]),
            )
            messages.success(
                request,
                gettext("Share link created: %(url)s") % {"url": share_url(request, link)},
            )
        return HttpResponseRedirect(self._change_url(report) + "#share-links")

    def revoke_view(self, request, object_id, link_id):
        report = self._report_for(request, object_id, "blog.share_report")
        ShareLink.objects.filter(pk=link_id, report=report, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        messages.success(request, gettext("The share link no longer works."))
        return HttpResponseRedirect(self._change_url(report) + "#share-links")
