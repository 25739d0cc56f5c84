"""The staff side: writers draft their sections, editors review and publish.

Access is decided by the rules in blog/rules.py, asked through
`user.has_perm(...)`; status changes go through blog/workflow.py; revisions
are recorded around every admin save (blog/revisions.py).
"""

import datetime

import reversion
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from markdownx.models import MarkdownxField
from reversion.models import Version

from blog import revisions, workflow
from blog.enums import EDITORS, SectionAction, SectionStatus
from blog.forms import (
    MAX_BODY_CHARACTERS,
    CommentForm,
    ReportAdminForm,
    RequestChangesForm,
    ScheduleForm,
    SectionAdminForm,
    ShareLinkForm,
)
from blog.models import (
    AuthorProfile,
    Photo,
    Report,
    Section,
    SectionAutosave,
    ShareLink,
    Tag,
)
from blog.sharing import share_url
from blog.widgets import MarkdownEditorWidget

# Live preview and photo upload; the admin forms below tell it which text it edits.
MARKDOWN_WIDGETS = {MarkdownxField: {"widget": MarkdownEditorWidget}}

User = get_user_model()


def thumbnail(photo: Photo):
    if not photo.pk or not photo.renditions:
        return "—"
    smallest = min(photo.renditions, key=lambda r: r["width"])
    return format_html(
        '<img src="{}" alt="{}" width="96" class="photo-thumbnail">',
        photo.image.storage.url(smallest["name"]),
        photo.alt_text,
    )


def status_badge(status: str, label: str):
    return format_html('<span class="status-badge status-badge--{}">{}</span>', status, label)


class RevisionedAdmin(admin.ModelAdmin):
    """Records a revision (who, when, every field) around each save made in the admin."""

    revision_template = "admin/blog/revisions.html"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        with reversion.create_revision():
            reversion.set_user(request.user)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def revision_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/revisions/",
                self.admin_site.admin_view(self.revisions_view),
                name="{}_{}_revisions".format(*info),
            ),
            path(
                "<path:object_id>/revisions/<int:version_id>/restore/",
                self.admin_site.admin_view(require_POST(self.restore_view)),
                name="{}_{}_restore".format(*info),
            ),
        ]

    def revisions_view(self, request, object_id):
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            raise PermissionDenied
        versions = revisions.versions_of(obj)
        by_id = {version.pk: version for version in versions}
        diffs, older, newer = [], None, None
        if len(versions) >= 2:
            newer = by_id.get(_int(request.GET.get("newer")), versions[0])
            older = by_id.get(_int(request.GET.get("older")), versions[1])
            if older.revision.date_created > newer.revision.date_created:
                older, newer = newer, older
            diffs = revisions.compare(type(obj), older, newer)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": gettext("Revisions of “%(name)s”") % {"name": obj},
            "versions": versions,
            "older": older,
            "newer": newer,
            "diffs": diffs,
            "can_restore": self.has_restore_permission(request, obj),
        }
        return TemplateResponse(request, self.revision_template, context)

    def restore_view(self, request, object_id, version_id):
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_restore_permission(request, obj):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_for_object(obj), pk=version_id)
        revisions.restore(obj, version, by=request.user)
        self.after_restore(request, obj)
        messages.success(request, gettext("The older version was restored as a new revision."))
        return HttpResponseRedirect(self._change_url(obj))

    def has_restore_permission(self, request, obj) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}", obj)

    def view_on_site(self, obj) -> str:
        """The public page once readers can see it; until then, the preview."""
        report = obj if isinstance(obj, Report) else obj.report
        if report.is_published:
            return obj.get_absolute_url()
        preview = reverse("blog:report_preview", args=[report.pk])
        return preview if isinstance(obj, Report) else f"{preview}#{obj.anchor}"

    def after_restore(self, request, obj) -> None:
        """Hook for what a restore implies beyond the new revision."""

    def _change_url(self, obj) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- Photos --------------------------------------------------------------------------------------


class PhotoInlineBase(admin.StackedInline):
    model = Photo
    extra = 0
    readonly_fields = ["preview"]
    ordering = ["position", "pk"]

    @admin.display(description=_("preview"))
    def preview(self, photo: Photo):
        return thumbnail(photo)


class GalleryPhotoInline(PhotoInlineBase):
    """Photos of the report as a whole: the gallery at the end of the page."""

    fields = [
        ("image", "preview"),
        "alt_text",
        "caption",
        ("credit_text", "credit_url"),
        ("position", "in_gallery"),
    ]
    verbose_name = _("gallery photo")
    verbose_name_plural = _("gallery photos")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(section__isnull=True)


class SectionPhotoInline(PhotoInlineBase):
    """Figures of one section: whoever may edit the section may manage them."""

    fields = [
        ("image", "preview"),
        "alt_text",
        "caption",
        ("credit_text", "credit_url"),
        "position",
    ]
    verbose_name = _("figure")
    verbose_name_plural = _("figures")

    def _may_edit_section(self, request, section) -> bool:
        if section is None:
            return request.user.has_perm("blog.add_section")
        return request.user.has_perm("blog.change_section", section)

    def has_add_permission(self, request, obj=None):
        return self._may_edit_section(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_edit_section(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit_section(request, obj)

    def has_view_permission(self, request, obj=None):
        return obj is None or request.user.has_perm("blog.view_section", obj)


def staff_choices(db_field, kwargs: dict) -> dict:
    """Limit user menus to active staff: only they write, edit and review."""
    if db_field.related_model is User:
        kwargs["queryset"] = User.objects.filter(is_staff=True, is_active=True).select_related(
            "author_profile"
        )
    return kwargs


# --- Sections ------------------------------------------------------------------------------------


class SectionInline(admin.StackedInline):
    """The sections of a report, for editors to order, open, or write right here."""

    model = Section
    form = SectionAdminForm
    formfield_overrides = MARKDOWN_WIDGETS
    fields = [
        ("position", "session", "heading"),
        ("author", "reviewer"),
        "status_display",
        "body",
        "base_version",
    ]
    readonly_fields = ["status_display"]
    autocomplete_fields = ["session"]
    extra = 0
    show_change_link = True
    ordering = ["position", "pk"]

    @admin.display(description=_("review status"))
    def status_display(self, section: Section):
        return status_badge(section.status, section.get_status_display())

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(
            db_field, request, **staff_choices(db_field, kwargs)
        )


@admin.register(Section)
class SectionAdmin(RevisionedAdmin):
    form = SectionAdminForm
    change_form_template = "admin/blog/section/change_form.html"
    list_display = [
        "title",
        "report",
        "position",
        "author_display",
        "status_display",
        "reviewer_display",
        "updated_at",
    ]
    list_filter = ["status", "report", ("reviewer", admin.RelatedOnlyFieldListFilter)]
    search_fields = [
        "heading",
        "session__title",
        "body",
        "author__username",
        "author__author_profile__display_name",
    ]
    list_select_related = ["report", "session", "author__author_profile", "reviewer"]
    # Staff users are few: plain menus, which need no access to the user admin.
    autocomplete_fields = ["session"]
    readonly_fields = ["status_display", "version", "updated_at"]
    formfield_overrides = MARKDOWN_WIDGETS
    inlines = [SectionPhotoInline]

    class Media:
        js = ["blog/admin/autosave.js"]

    # Who sees what -----------------------------------------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_object(self, request, object_id, from_field=None):
        # Looked up among all sections, so that a writer who opens another
        # writer's section by URL is refused (403) instead of told it is gone.
        try:
            return Section.objects.select_related("report", "author").get(pk=int(object_id))
        except (Section.DoesNotExist, ValueError):
            return None

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("blog.view_section", obj)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("blog.change_section", obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("blog.delete_section", obj)

    def has_add_permission(self, request):
        return request.user.has_perm("blog.add_section")

    def has_restore_permission(self, request, obj) -> bool:
        return _is_editor(request.user) and request.user.has_perm("blog.change_section", obj)

    def get_fieldsets(self, request, obj=None):
        author_fields = ["author", "author_team"] if _is_editor(request.user) else ["author_team"]
        review_fields = ["status_display", "version", "updated_at"]
        if _is_editor(request.user):
            review_fields.insert(1, "reviewer")
        return [
            (None, {"fields": ["report", "position", "session", "heading"]}),
            (_("Author"), {"fields": author_fields}),
            (None, {"fields": ["body", "base_version"]}),
            (_("Review"), {"fields": review_fields}),
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(
            db_field, request, **staff_choices(db_field, kwargs)
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "report" in form.base_fields and not _is_editor(request.user):
            # Writers add to reports still being written, never to published ones.
            form.base_fields["report"].queryset = Report.objects.filter(status="draft")
        if "reviewer" in form.base_fields:
            form.base_fields["reviewer"].queryset = User.objects.filter(
                Q(is_superuser=True) | Q(groups__name=EDITORS), is_staff=True, is_active=True
            ).distinct()
        return form

    # Columns ----------------------------------------------------------------------

    @admin.display(description=_("author"), ordering="author__username")
    def author_display(self, section: Section) -> str:
        return section.author_name

    @admin.display(description=_("review status"), ordering="status")
    def status_display(self, section: Section):
        return status_badge(section.status, section.get_status_display())

    @admin.display(description=_("reviewer"), ordering="reviewer__username")
    def reviewer_display(self, section: Section) -> str:
        return section.reviewer.get_username() if section.reviewer_id else "—"

    # Saving -----------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change and not _is_editor(request.user):
            obj.author = request.user
        if "reviewer" in form.changed_data:
            reviewer = form.cleaned_data["reviewer"]
            obj.reviewer = Section.objects.get(pk=obj.pk).reviewer if change else None
            super().save_model(request, obj, form, change)
            workflow.assign_reviewer(obj, reviewer, by=request.user)
        else:
            super().save_model(request, obj, form, change)
        workflow.record_edit(obj, by=request.user)
        SectionAutosave.objects.filter(section=obj, user=request.user).delete()

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for photo in instances:
            photo.report_id = form.instance.report_id
            photo.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()

    def response_add(self, request, obj, post_url_continue=None):
        self._submit_if_asked(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if self._submit_if_asked(request, obj):
            return HttpResponseRedirect(self._change_url(obj))
        return super().response_change(request, obj)

    def _submit_if_asked(self, request, obj) -> bool:
        if "_submit_for_review" not in request.POST:
            return False
        self._run(request, lambda: workflow.submit(obj, by=request.user), SectionAction.SUBMIT)
        return True

    # The change page --------------------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        user = request.user
        context.update(
            {
                "max_body_characters": MAX_BODY_CHARACTERS,
                "can_submit": obj is None or user.has_perm("blog.submit_section", obj),
            }
        )
        if obj is not None:
            autosave = SectionAutosave.objects.filter(section=obj, user=user).first()
            context.update(
                {
                    "section": obj,
                    "history": obj.history() if user.has_perm("blog.view_section", obj) else [],
                    "can_approve": user.has_perm("blog.approve_section", obj),
                    "can_request_changes": user.has_perm("blog.request_changes_section", obj),
                    "can_reopen": user.has_perm("blog.reopen_section", obj),
                    "can_comment": user.has_perm("blog.comment_section", obj),
                    "request_changes_form": RequestChangesForm(),
                    "comment_form": CommentForm(),
                    "conflict_with": getattr(context.get("adminform").form, "conflict_with", None)
                    if context.get("adminform")
                    else None,
                    "autosave": autosave if _worth_offering(autosave, obj) else None,
                    "preview_url": reverse("blog:report_preview", args=[obj.report_id]),
                    "latest_request": obj.transitions.filter(action=SectionAction.REQUEST_CHANGES)
                    .select_related("actor__author_profile")
                    .last(),
                }
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "<int:object_id>/transition/<str:action>/",
                self.admin_site.admin_view(require_POST(self.transition_view)),
                name="{}_{}_transition".format(*info),
            ),
            path(
                "<int:object_id>/comment/",
                self.admin_site.admin_view(require_POST(self.comment_view)),
                name="{}_{}_comment".format(*info),
            ),
            path(
                "<int:object_id>/autosave/",
                self.admin_site.admin_view(require_POST(self.autosave_view)),
                name="{}_{}_autosave".format(*info),
            ),
        ]
        return own + self.revision_urls() + super().get_urls()

    def transition_view(self, request: HttpRequest, object_id: int, action: str):
        section = self.get_object(request, object_id)
        if section is None:
            raise PermissionDenied
        moves = {
            SectionAction.SUBMIT: lambda: workflow.submit(section, by=request.user),
            SectionAction.APPROVE: lambda: workflow.approve(section, by=request.user),
            SectionAction.REOPEN: lambda: workflow.reopen(section, by=request.user),
            SectionAction.REQUEST_CHANGES: lambda: workflow.request_changes(
                section, by=request.user, comment=request.POST.get("comment", "")
            ),
        }
        if action not in moves:
            raise PermissionDenied
        self._run(request, moves[action], action)
        if request.user.has_perm("blog.view_section", section):
            return HttpResponseRedirect(self._change_url(section))
        return HttpResponseRedirect(reverse("admin:index"))

    def _run(self, request, move, action: str) -> None:
        done = {
            SectionAction.SUBMIT: gettext("Submitted for review. The editors have been told."),
            SectionAction.APPROVE: gettext("Approved. The author has been told."),
            SectionAction.REQUEST_CHANGES: gettext("Sent back to the author with your comment."),
            SectionAction.REOPEN: gettext("Reopened: the author can edit it again."),
        }
        try:
            outcome = move()
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return
        except workflow.WorkflowPermissionDenied as error:
            messages.error(request, str(error))
            return
        if outcome.changed:
            messages.success(request, done[action])
        else:
            messages.info(request, gettext("Nothing to do: that is already done."))

    def comment_view(self, request: HttpRequest, object_id: int):
        section = self.get_object(request, object_id)
        if section is None or not request.user.has_perm("blog.comment_section", section):
            raise PermissionDenied
        form = CommentForm(request.POST)
        if form.is_valid():
            workflow.comment_on(section, by=request.user, body=form.cleaned_data["message"])
            messages.success(request, gettext("Your comment was added."))
        else:
            for error in form.errors.get("message", []):
                messages.error(request, error)
        return HttpResponseRedirect(self._change_url(section) + "#review-thread")

    def autosave_view(self, request: HttpRequest, object_id: int):
        """Keep what is being typed, without a revision; the form's save is what counts."""
        section = self.get_object(request, object_id)
        if section is None or not request.user.has_perm("blog.change_section", section):
            refusal = gettext("You can no longer edit this section.")
            return JsonResponse({"error": refusal}, status=403)
        body = request.POST.get("body", "").replace("\r\n", "\n")
        base_version = _int(request.POST.get("base_version"))
        if len(body) > MAX_BODY_CHARACTERS or base_version is None:
            return JsonResponse({"error": gettext("The text could not be kept.")}, status=400)
        autosave, _created = SectionAutosave.objects.update_or_create(
            section=section,
            user=request.user,
            defaults={"body": body, "base_version": base_version},
        )
        return JsonResponse(
            {
                "saved_at": timezone.localtime(autosave.saved_at).strftime("%H:%M:%S"),
                "stale": base_version != section.version,
            }
        )

    def after_restore(self, request, obj) -> None:
        workflow.record_edit(obj, by=request.user)


def _worth_offering(autosave: SectionAutosave | None, section: Section) -> bool:
    """An autosave is offered back only if it differs and was typed over the current text."""
    return (
        autosave is not None
        and autosave.body != section.body
        and autosave.base_version == section.version
    )


def _is_editor(user) -> bool:
    return user.has_perm("blog.review_sections")


# --- Reports -------------------------------------------------------------------------------------


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


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = ["preview", "alt_text", "report", "section", "in_gallery", "position"]
    list_display_links = ["preview", "alt_text"]
    list_filter = ["in_gallery", "report"]
    search_fields = ["alt_text", "caption", "credit_text"]
    list_select_related = ["report", "section__session"]
    autocomplete_fields = ["report", "section"]
    readonly_fields = ["preview", "width", "height"]
    fields = [
        "report",
        "section",
        ("image", "preview"),
        ("width", "height"),
        "alt_text",
        "caption",
        ("credit_text", "credit_url"),
        ("position", "in_gallery"),
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if _is_editor(request.user):
            return queryset
        return queryset.filter(section__author=request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("blog.view_photo", obj)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("blog.change_photo", obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("blog.delete_photo", obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not _is_editor(request.user):
            if "section" in form.base_fields:
                form.base_fields["section"].queryset = Section.objects.filter(
                    author=request.user, status__in=["draft", "changes_requested"]
                )
                form.base_fields["section"].required = True
            if "in_gallery" in form.base_fields:
                form.base_fields["in_gallery"].disabled = True
        return form

    def save_model(self, request, obj, form, change):
        if obj.section_id and not request.user.has_perm("blog.change_section", obj.section):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    @admin.display(description=_("preview"))
    def preview(self, photo: Photo):
        return thumbnail(photo)


class AuthorProfileInline(admin.StackedInline):
    model = AuthorProfile
    can_delete = False
    verbose_name_plural = _("byline")


admin.site.unregister(User)


@admin.register(User)
class AuthorUserAdmin(UserAdmin):
    inlines = [AuthorProfileInline]
    list_display = ["username", "display_name", "email", "is_staff"]
    list_select_related = ["author_profile"]

    @admin.display(description=_("display name"), ordering="author_profile__display_name")
    def display_name(self, user) -> str:
        profile = getattr(user, "author_profile", None)
        return profile.display_name if profile else ""
