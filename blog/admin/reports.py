"""Reports: the combined post, its sections in order, publishing and share links."""

import datetime
import io

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from blog import archive, editing, export, membership, public, trash, workflow
from blog.admin import trash as trash_pages
from blog.admin.base import (
    MARKDOWN_WIDGETS,
    PeopleMenusMixin,
    RevisionedAdmin,
    TrashAdminMixin,
    status_badge,
    tell,
    tell_errors,
    time_tag,
)
from blog.admin.coverage import CoverageBoardViews
from blog.admin.photos import GalleryPhotoInline
from blog.enums import ExportFormat, ReportStatus
from blog.forms import (
    ReportAdminForm,
    ScheduleForm,
    ShareLinkForm,
)
from blog.models import (
    Photo,
    Report,
    ReportMember,
    Section,
    ShareLink,
    Tag,
    alt_placeholders,
    display_name_of,
    display_names_of,
)
from blog.models.reports import outline_parts
from blog.sharing import share_url
from cms.admin import KeepsOldSlugsAdmin, OnSiteOnceReadersSeeIt
from cms.errors import post_only
from sessions.dates import site_time


@admin.register(Tag)
class TagAdmin(OnSiteOnceReadersSeeIt, KeepsOldSlugsAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]

    def public_rows(self):
        return public.public_tags()


# Messages said inside a box of the report page, where the person is looking after the page
# opens there, instead of at its top: the tag names the box for the template.
IN_SECTION_LIST = "report_sections"
IN_SHARE_LINKS = "share_links"
MESSAGE_PLACES = (IN_SECTION_LIST, IN_SHARE_LINKS)


def placed_messages(request) -> dict[str, list]:
    """This request's messages that belong in a box of the report page, by box."""
    placed = {place: [] for place in MESSAGE_PLACES}
    for message in messages.get_messages(request):
        for tag in message.extra_tags.split():
            if tag in placed:
                placed[tag].append(message)
    return placed


def _offer_steps(sections: list, *, moved: str, step: str | None) -> None:
    """Give each of `sections` (in order) its arrows for the list: `steps`, one
    (name, symbol, label) per way it can move, None where it is at that end (a gap keeps
    the arrows in line); and to the section just `moved`, `focused_step`: the arrow pressed,
    else (it reached that end) the other."""
    for index, section in enumerate(sections):
        names = {"title": section.title or gettext("(untitled)")}
        section.steps = [
            (name, each.symbol, str(each.label) % names)
            if 0 <= index + each.offset < len(sections)
            else None
            for name, each in editing.SECTION_STEPS.items()
        ]
        if str(section.pk) == moved:
            offered = [offer[0] for offer in section.steps if offer]
            section.focused_step = step if step in offered else next(iter(offered), None)


class ReportMemberFormSet(forms.BaseInlineFormSet):
    _people_menu = None

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "user" not in form.fields:
            return  # read only: the writers are named, not chosen
        # One query for the people menu, shared by every writer row and the blank one.
        if self._people_menu is None:
            self._people_menu = list(self.form.base_fields["user"].choices)
        person = form.fields["user"]
        person.choices = self._people_menu
        # A row of the table has no labels of its own: each control says what it is.
        # Through the admin's wrapper (its add and change links), whose attrs are shared.
        menu = getattr(person.widget, "widget", person.widget)
        menu.attrs["aria-label"] = person.label
        if "DELETE" in form.fields and form.instance.pk is not None:
            form.fields["DELETE"].widget.attrs["aria-label"] = gettext(
                "Remove %(name)s from the writers"
            ) % {"name": display_name_of(form.instance.user)}

    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            member = form.instance
            if member.pk and (refusal := membership.removal_refusal(self.instance, member.user)):
                raise forms.ValidationError(refusal)


class ReportMemberInline(PeopleMenusMixin, admin.TabularInline):
    """The report's writers: they may add sections to it and read its drafts."""

    model = ReportMember
    formset = ReportMemberFormSet
    fk_name = "report"
    fields = ["user", "added_by_name", "added_at"]
    readonly_fields = ["writer_name", "added_by_name", "added_at"]
    extra = 0
    verbose_name = _("writer")
    verbose_name_plural = _("writers (they may add sections and read the drafts)")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("user__author_profile", "added_by__author_profile")
        )

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("blog.change_report", obj)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("blog.change_report", obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("blog.change_report", obj)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("blog.view_report", obj)

    def get_fields(self, request, obj=None):
        if self.has_change_permission(request, obj):
            return self.fields
        # Read only: each writer by name, not as a link to a user page only staff may open.
        return ["writer_name", "added_by_name", "added_at"]

    @admin.display(description=_("writer"))
    def writer_name(self, member: ReportMember) -> str:
        return display_name_of(member.user)

    @admin.display(description=_("added by"))
    def added_by_name(self, member: ReportMember) -> str:
        return display_name_of(member.added_by) if member.added_by_id else "—"


def save_member_rows(request, formset, report: Report) -> bool:
    """Writers added and removed on the report page, through blog/membership.py."""
    formset.save(commit=False)  # writes nothing; lists what changed for the admin's log
    changed = False
    for form in formset.forms:
        if form in formset.deleted_forms:
            if form.instance.pk is not None:
                membership.remove_writer(report, form.instance.user, by=request.user)
                changed = True
        elif form.has_changed() and form.cleaned_data.get("user") is not None:
            if form.instance.pk is not None and "user" in form.changed_data:
                replaced = ReportMember.objects.get(pk=form.instance.pk).user
                membership.remove_writer(report, replaced, by=request.user)
            membership.add_writer(report, form.cleaned_data["user"], by=request.user)
            changed = True
    return changed


@admin.register(Report)
class ReportAdmin(CoverageBoardViews, TrashAdminMixin, PeopleMenusMixin, RevisionedAdmin):
    change_form_template = "admin/blog/report/change_form.html"
    actions = ["move_to_trash", "download_archive"]
    # Where each report stands first, beside its title; the event's long name last.
    list_display = ["title", "publication_display", "review_progress", "event"]
    list_filter = ["status", "event", "tags"]
    search_fields = ["title", "lead", "sections__heading", "sections__session__title"]
    list_select_related = ["event"]
    autocomplete_fields = ["event", "tags"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["publication_display", "editor_names"]
    date_hierarchy = "published_at"
    form = ReportAdminForm
    formfield_overrides = MARKDOWN_WIDGETS
    # Sections are listed in a table above the form (change_form.html) and edited on
    # their own pages: as inline editors they made this page thousands of pixels tall.
    inlines = [ReportMemberInline, GalleryPhotoInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "event", "tags", "cover"]}),
        (_("Text"), {"fields": ["lead", "closing"]}),
        (_("Publishing"), {"fields": ["due_on", "publication_display", "editors"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # Read only: the editors by name, not as usernames (Django's way with a many-to-many).
        shown = {"editors": "editor_names"}
        return [
            (name, {**options, "fields": [shown.get(f, f) for f in options["fields"]]})
            for name, options in fieldsets
        ]

    @admin.display(description=Report._meta.get_field("editors").verbose_name)
    def editor_names(self, report: Report) -> str:
        return display_names_of(report.editors.select_related("author_profile")) or "—"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cover":
            # Only this report's own photos, described; a new report has none yet.
            report_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = (
                Photo.objects.filter(report_id=report_id)
                .exclude(alt_text__in=alt_placeholders())
                .order_by("position", "pk")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).with_review_progress()

    def get_object(self, request, object_id, from_field=None):
        # Looked up among all reports, so that a writer who opens another team's report
        # by URL is refused (403) instead of told it is gone.
        try:
            return Report.objects.get(pk=int(object_id))
        except (Report.DoesNotExist, ValueError):
            return None

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("blog.view_report", obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("blog.delete_report", obj)

    def has_archive_permission(self, request) -> bool:
        return request.user.has_perm("blog.download_archive")

    @admin.action(description=_("Download the selected as an archive"), permissions=["archive"])
    def download_archive(self, request, queryset):
        """A zip of the reports, their history and photos, for `import_reports` elsewhere."""
        buffer = io.BytesIO()
        archive.export_reports(queryset.order_by("pk"), buffer)
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        name = f"reports-{timezone.localtime():%Y%m%d-%H%M}.zip"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @admin.display(description=_("approved sections"))
    def review_progress(self, report: Report) -> str:
        return f"{report.approved_total} / {report.section_total}"

    @admin.display(description=_("publication"), ordering="published_at")
    def publication_display(self, report: Report):
        # The time beside the badge, not in it, so that a narrow column can put it below.
        if report.is_scheduled:
            badge = status_badge("scheduled", gettext("Scheduled"))
        elif report.is_published:
            badge = status_badge(ReportStatus.PUBLISHED, gettext("Published"))
        else:
            return status_badge(ReportStatus.DRAFT, gettext("Not published"))
        return format_html("{} {}", badge, time_tag(report.published_at))

    def save_model(self, request, obj, form, change):
        """Written with everything edited beside it in save_related, through blog/editing.py."""

    def save_related(self, request, form, formsets, change):
        report = form.instance

        def save_beside() -> bool:
            form.save_m2m()
            changed = bool({"tags", "editors"} & set(form.changed_data))
            for formset in formsets:
                if formset.model is ReportMember:
                    changed |= save_member_rows(request, formset, report)
                elif formset.model is Photo:
                    changed |= self._save_gallery(request, formset, report)
            return changed

        request.content_edit = editing.save_report(report, by=request.user, related=save_beside)
        tell(request, request.content_edit.messages())

    def _save_gallery(self, request, formset, report: Report) -> bool:
        photos = formset.save(commit=False)
        for photo in photos:
            photo.report = report
            tell(request, editing.save_photo(photo, by=request.user).messages())
        for photo in formset.deleted_objects:
            tell(request, trash.trash_photo(photo, by=request.user).messages())
        return bool(photos or formset.deleted_objects)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            sections = list(obj.sections.for_report_table())
            placed = placed_messages(request)
            can_reorder = request.user.has_perm("blog.reorder_sections", obj)
            if can_reorder:
                _offer_steps(
                    sections, moved=request.GET.get("moved", ""), step=request.GET.get("step")
                )
            blockers = workflow.publication_blockers(obj)
            context.update(
                {
                    "report": obj,
                    "sections": sections,
                    # The others' sections a writer may read in the preview, not open.
                    "openable_sections": {
                        section.pk
                        for section in [*sections, *(blocker.section for blocker in blockers)]
                        if request.user.has_perm("blog.view_section", section)
                    },
                    "can_add_section": request.user.has_perm("blog.write_in_report", obj),
                    "can_reorder": can_reorder,
                    "placed_messages": placed,
                    "boxed_messages": [m for box in placed.values() for m in box],
                    "session_parts": sum(
                        part["is_session_part"] for part in outline_parts(sections)
                    ),
                    # A refused time comes back in the address (publish_view), to be fixed.
                    "schedule_form": ScheduleForm(
                        initial={"publish_at": request.GET.get("publish_at", "")[:40]}
                    ),
                    "share_form": ShareLinkForm(),
                    "share_links": [
                        (link, share_url(request, link))
                        for link in obj.share_links.select_related("created_by__author_profile")
                    ],
                    "blockers": blockers,
                    "preview_url": reverse("blog:report_preview", args=[obj.pk]),
                    "can_publish": request.user.has_perm("blog.publish_report", obj),
                    "can_share": request.user.has_perm("blog.share_report", obj),
                    "can_export": request.user.has_perm("blog.export_report", obj),
                    "export_formats": ExportFormat.choices,
                    "can_read_audit_trail": request.user.has_perm("blog.view_audit_trail"),
                    "now": timezone.now(),
                }
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "<int:object_id>/publish/",
                self.admin_site.admin_view(post_only(self.publish_view)),
                name="{}_{}_publish".format(*info),
            ),
            path(
                "<int:object_id>/unpublish/",
                self.admin_site.admin_view(self.unpublish_view),
                name="{}_{}_unpublish".format(*info),
            ),
            path(
                "<int:object_id>/sections/<int:section_id>/<str:direction>/",
                self.admin_site.admin_view(post_only(self.move_section_view)),
                name="{}_{}_move_section".format(*info),
            ),
            path(
                "<int:object_id>/share/",
                self.admin_site.admin_view(post_only(self.share_view)),
                name="{}_{}_share".format(*info),
            ),
            path(
                "<int:object_id>/share/<int:link_id>/revoke/",
                self.admin_site.admin_view(post_only(self.revoke_view)),
                name="{}_{}_revoke".format(*info),
            ),
            path(
                "<int:object_id>/export/<str:export_format>/",
                self.admin_site.admin_view(self.export_view),
                name="{}_{}_export".format(*info),
            ),
        ]
        return (
            own
            + self.coverage_urls()
            + trash_pages.urls(self.admin_site)
            + self.revision_urls()
            + super().get_urls()
        )

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
                return self._back_with_the_time_typed(request, report)
            at = form.cleaned_data["publish_at"]
        try:
            outcome = workflow.publish(report, by=request.user, at=at)
        except ValidationError as error:
            tell_errors(request, error)
            return self._back_with_the_time_typed(request, report)
        self._tell_report_outcome(request, outcome)
        return HttpResponseRedirect(self._change_url(report))

    def _back_with_the_time_typed(self, request, report: Report) -> HttpResponseRedirect:
        """To the report page, whose schedule field shows again the time that was refused."""
        typed = request.POST.get("publish_at", "")[:40]
        query = f"?{urlencode({'publish_at': typed})}" if typed else ""
        return HttpResponseRedirect(self._change_url(report) + query)

    def _tell_report_outcome(self, request, outcome: workflow.ReportOutcome) -> None:
        if outcome.action is None:
            messages.info(request, gettext("Nothing to do: that is already done."))
            return
        when = site_time(outcome.report.published_at or timezone.now())
        done = str(workflow.REPORT_ACTIONS[outcome.action].done)
        messages.success(request, done % {"time": when})

    def unpublish_view(self, request, object_id):
        """Asks first when readers would lose the page; cancelling a schedule, which they
        never saw, is done at once."""
        report = self._report_for(request, object_id, "blog.publish_report")
        if request.method == "GET" and report.is_published:
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "report": report,
                "title": gettext("Unpublish the report"),
            }
            return TemplateResponse(
                request, "admin/blog/report/unpublish_confirmation.html", context
            )
        return post_only(self._unpublish)(request, report)

    def _unpublish(self, request, report: Report):
        try:
            outcome = workflow.unpublish(report, by=request.user)
        except ValidationError as error:
            tell_errors(request, error)
        else:
            self._tell_report_outcome(request, outcome)
        return HttpResponseRedirect(self._change_url(report))

    def move_section_view(self, request, object_id, section_id, direction):
        report = self._report_for(request, object_id, "blog.reorder_sections")
        step = editing.SECTION_STEPS.get(direction)
        if step is None:
            raise Http404("No such move.")
        section = get_object_or_404(report.sections, pk=section_id)
        try:
            moved = editing.move_section(section, step, by=request.user)
        except Section.DoesNotExist:
            raise Http404("The section is no longer in this report.") from None
        names = {"title": section.title}
        # Said in the list of sections, where the person is looking (the page opens there).
        if not moved:
            messages.info(request, str(step.refused_at_end) % names, extra_tags=IN_SECTION_LIST)
        else:
            messages.success(request, str(step.done) % names, extra_tags=IN_SECTION_LIST)
            if report.is_live:
                messages.info(
                    request,
                    gettext("Readers see the new order at once."),
                    extra_tags=IN_SECTION_LIST,
                )
        # The same arrow keeps the keyboard's focus (and so the page's scroll), for the next
        # step the same way. No fragment: a browser ignores autofocus on a page opened at one.
        query = urlencode({"moved": section.pk, "step": direction})
        return HttpResponseRedirect(f"{self._change_url(report)}?{query}")

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
                extra_tags=IN_SHARE_LINKS,
            )
        return HttpResponseRedirect(self._change_url(report) + "#share-links")

    def revoke_view(self, request, object_id, link_id):
        report = self._report_for(request, object_id, "blog.share_report")
        ShareLink.objects.filter(pk=link_id, report=report, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        messages.success(
            request, gettext("The share link no longer works."), extra_tags=IN_SHARE_LINKS
        )
        return HttpResponseRedirect(self._change_url(report) + "#share-links")

    def export_view(self, request, object_id, export_format):
        """The report as a file for the company blog, downloaded (nothing is written)."""
        report = self._report_for(request, object_id, "blog.export_report")
        if export_format not in ExportFormat.values:
            raise Http404("No such export format.")
        exported = export.export(
            report, ExportFormat(export_format), base_url=export.site_base_url(request)
        )
        response = HttpResponse(exported.content, content_type=exported.content_type)
        # Django's header writes a non-ASCII name (a Japanese slug) as RFC 5987 filename*.
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=exported.filename
        )
        return response
