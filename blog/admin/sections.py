"""Sections: where writers draft and editors review."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from blog import workflow
from blog.admin.base import (
    MARKDOWN_WIDGETS,
    RevisionedAdmin,
    _int,
    _is_editor,
    staff_choices,
    status_badge,
)
from blog.admin.photos import SectionPhotoInline
from blog.enums import EDITORS, SectionAction
from blog.forms import (
    MAX_BODY_CHARACTERS,
    CommentForm,
    RequestChangesForm,
    SectionAdminForm,
)
from blog.models import (
    Report,
    Section,
    SectionAutosave,
)

User = get_user_model()


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
