"""Sections: where writers draft and editors review."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from blog import editing, membership, notifications, revisions, roles, workflow
from blog.admin.base import (
    MARKDOWN_WIDGETS,
    PeopleMenusMixin,
    PersonListFilter,
    RevisionedAdmin,
    TrashAdminMixin,
    _int,
    refusal_to_open,
    status_badge,
    tell,
    tell_errors,
)
from blog.admin.photos import SectionPhotoInline, save_photo_rows
from blog.enums import EDITABLE_BY_AUTHOR, SectionAction, SectionStatus
from blog.forms import (
    MAX_BODY_CHARACTERS,
    CommentForm,
    RequestChangesForm,
    SectionAdminForm,
)
from blog.models import (
    Section,
    SectionAutosave,
    SectionTransition,
    caption_placeholders,
    display_name_of,
    normalized_text,
)
from cms.errors import Refusal, post_only
from sessions.dates import site_time


def chosen_reviewer(form):
    """The reviewer a section form asks for, or editing.UNCHANGED."""
    if "reviewer" in form.fields and "reviewer" in form.changed_data:
        return form.cleaned_data["reviewer"]
    return editing.UNCHANGED


@admin.register(Section)
class SectionAdmin(TrashAdminMixin, PeopleMenusMixin, RevisionedAdmin):
    form = SectionAdminForm
    change_form_template = "admin/blog/section/change_form.html"
    # What waits for whom first, beside the title; the report last, as its name is long.
    # Beside the filters a desktop has room for five columns: no position (the list is in
    # the reports' order, and the report page shows it) and no time of the last save (the
    # admin home lists what waits for review by when it was submitted).
    list_display = [
        "title_display",
        "status_display",
        "author_display",
        "reviewer_display",
        "report",
    ]
    list_filter = [
        "status",
        ("report", admin.RelatedOnlyFieldListFilter),
        ("reviewer", PersonListFilter),
    ]
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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            section, taken = self._taken_away(request, object_id)
            if taken is not None:
                return self._taken_away_page(request, section, taken)
        try:
            return super().change_view(request, object_id, form_url, extra_context)
        except PermissionDenied as refused:
            # Django's refusal says nothing; a section one may not open says whose it is.
            # Looked up again only here, so that an allowed page reads it once.
            section = self.get_object(request, object_id)
            if section is None or self.has_view_or_change_permission(request, section):
                raise
            raise _refusal_to_open(request.user, section) from refused

    def _taken_away(self, request, object_id) -> tuple[Section | None, editing.TakenAway | None]:
        """The section (the trash included) and, when a page that could save it sends what
        it may no longer save, why it left this person's hands: Django's refusal would say
        nothing of it, and drop the text sent."""
        section = (
            Section.all_objects.select_related("report", "author", "reviewer", "trashed_by")
            .filter(pk=_int(object_id))
            .first()
        )
        if section is None:
            return None, None
        started_from = _int(request.POST.get("base_version"))
        return section, editing.taken_away(section, request.user, started_from=started_from)

    def _taken_away_page(self, request, section: Section, taken: editing.TakenAway):
        """Nothing saved; what happened, the text as sent (to copy) and what to do."""
        may_view = section.trashed_at is None and request.user.has_perm(
            "blog.view_section", section
        )
        sent = {
            "heading": request.POST.get("heading", ""),
            "body": normalized_text(request.POST.get("body", "")),
        }
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("This section can no longer be changed here"),
            "taken": taken,
            "sent": sent,
            # Theirs to read still: what is saved now, to compare with what they sent.
            "section": section if may_view else None,
            "saved": section if may_view and sent["body"] != section.body else None,
            "section_url": self._change_url(section) if may_view else "",
        }
        return TemplateResponse(request, "admin/blog/section/taken_away.html", context, status=409)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("blog.view_section", obj)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("blog.change_section", obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("blog.delete_section", obj)

    def has_add_permission(self, request):
        # Not offered (the admin's 追加 links) to a writer with no report to write in; the
        # add page itself still tells them whom to ask (add_view).
        return request.user.has_perm("blog.add_section") and membership.has_somewhere_to_write(
            request.user
        )

    def has_restore_permission(self, request, obj) -> bool:
        return roles.is_editor(request.user) and request.user.has_perm("blog.change_section", obj)

    def get_fieldsets(self, request, obj=None):
        is_editor = roles.is_editor(request.user)
        author_fields = ["author", "author_team"] if is_editor else ["author_team"]
        review_fields = ["status_display", "due_on", "version", "updated_at"]
        if is_editor:
            review_fields.insert(1, "reviewer")
        # The version a change started from matters only to a page that can save.
        can_save = obj is None or self.has_change_permission(request, obj)
        return [
            # No position: editors order the sections with the arrows on the report page.
            (None, {"fields": ["report", ("session", "heading")]}),
            (None, {"fields": ["body", "base_version"] if can_save else ["body"]}),
            (_("Author"), {"fields": author_fields}),
            (_("Review"), {"fields": review_fields}),
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("blog.set_due_date"):
            readonly.append("due_on")  # writers see their due date; editors set it
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)  # a class made for this request
        form.editing_user = request.user
        if "report" in form.base_fields:
            # A convenience only: the rule is checked by the form and by blog/editing.py.
            reports = membership.open_reports_for(request.user)
            if obj is not None:
                current = type(obj.report).objects.filter(pk=obj.report_id)
                # A published report keeps its sections: nothing else to offer.
                reports = current if obj.report.is_live else reports | current
            form.base_fields["report"].queryset = reports.distinct()
            form.base_fields["report"].error_messages["invalid_choice"] = _(
                "You are not a writer of this report, or it is already published. Ask one of "
                "its editors to add you to its writers."
            )
        return form

    def autocomplete_choices(self, request, field_name, queryset):
        """What the session menu offers (cms.admin.OffersWhatTheFormTakes)."""
        if field_name == "session":
            return membership.sessions_to_cover(request.user, queryset)
        return queryset

    def add_view(self, request, form_url="", extra_context=None):
        """A writer who writes in no open report is told whom to ask, not shown an empty menu."""
        if request.method == "GET" and not membership.has_somewhere_to_write(request.user):
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": gettext("Write a new section"),
                **membership.ways_in(request.user),
            }
            return TemplateResponse(request, "admin/blog/section/no_report.html", context)
        return super().add_view(request, form_url, extra_context)

    # Columns ----------------------------------------------------------------------

    @admin.display(description=_("title"), ordering="heading")
    def title_display(self, section: Section) -> str:
        return section.title

    @admin.display(description=_("author"), ordering="author__username")
    def author_display(self, section: Section) -> str:
        return section.author_name

    @admin.display(description=_("review status"), ordering="status")
    def status_display(self, section: Section):
        return status_badge(section.status, section.get_status_display())

    @admin.display(description=_("reviewer"), ordering="reviewer__author_profile__display_name")
    def reviewer_display(self, section: Section) -> str:
        return display_name_of(section.reviewer) if section.reviewer_id else "—"

    # Saving -----------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change and not roles.is_editor(request.user):
            obj.author = request.user
        # Written with its figures in save_related, through the one door for content.

    def save_related(self, request, form, formsets, change):
        def save_figures() -> bool:
            form.save_m2m()
            return any(
                [save_photo_rows(formset, form.instance, by=request.user) for formset in formsets]
            )

        edit = editing.save_section(
            form.instance, by=request.user, related=save_figures, reviewer=chosen_reviewer(form)
        )
        request.content_edit = edit
        tell(request, edit.messages())
        offered = request.POST.get("offered_autosave", "")
        if kept := SectionAutosave.objects.after_save(form.instance, request.user, offered=offered):
            messages.warning(
                request,
                gettext(
                    "You saved without putting back the heading and text kept automatically "
                    "at %(time)s. They are not lost: they are still offered at the top of "
                    "the section's page."
                )
                % {"time": site_time(kept.saved_at)},
            )

    def response_add(self, request, obj, post_url_continue=None):
        if self._submit_if_asked(request, obj) and obj.status == SectionStatus.DRAFT:
            # Saved, but not sent (no text yet, say): back to the section, to write it.
            super().response_add(request, obj, post_url_continue)  # its "added" message
            return HttpResponseRedirect(self._change_url(obj))
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
                # What a save leaves out of a text (autosave.js compares as it keeps).
                "caption_placeholders": sorted(caption_placeholders()),
                # The "save and submit" button, and the hint that points to it: only where
                # the text can be saved too.
                "can_submit": (add or self.has_change_permission(request, obj))
                and (obj is None or workflow.may(obj, user, SectionAction.SUBMIT)),
            }
        )
        if obj is not None:
            autosave = SectionAutosave.objects.filter(section=obj, user=user).first()
            # A refused save shows the person's own text as they sent it: text kept
            # automatically before it is older, never something to put back over it. Unless
            # the page offered it back and it is still that text: it was typed elsewhere,
            # and the choice is still to make.
            if request.method == "POST" and (
                autosave is None or autosave.stamp != request.POST.get("offered_autosave")
            ):
                autosave = None
            requests = SectionTransition.objects.latest_change_requests([obj])
            context.update(
                {
                    "section": obj,
                    "history": obj.history() if user.has_perm("blog.view_section", obj) else [],
                    "actions": [
                        action
                        for action in workflow.available_actions(obj, user)
                        if action.name != SectionAction.SUBMIT  # the save button's job
                    ],
                    "approval_stale": obj.status == SectionStatus.APPROVED
                    and not obj.approval_holds(),
                    "can_comment": user.has_perm("blog.comment_section", obj),
                    # Whom to ask, told to an author whose section waits for an editor.
                    "unlockers": workflow.unlockers(obj) if _locked_for(user, obj) else [],
                    "request_changes_form": RequestChangesForm(),
                    "comment_form": CommentForm(),
                    "conflict_with": getattr(context.get("adminform").form, "conflict_with", None)
                    if context.get("adminform")
                    else None,
                    "autosave": autosave if _worth_offering(autosave, obj) else None,
                    "preview_url": reverse("blog:report_preview", args=[obj.report_id]),
                    "latest_request": requests.get(obj.pk),
                    # Back with the editors after a request: what changed since.
                    "since_request": revisions.since_requests(requests).get(obj.pk)
                    if obj.status not in EDITABLE_BY_AUTHOR
                    else None,
                }
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "<int:object_id>/transition/<str:action>/",
                self.admin_site.admin_view(post_only(self.transition_view)),
                name="{}_{}_transition".format(*info),
            ),
            path(
                "<int:object_id>/comment/",
                self.admin_site.admin_view(post_only(self.comment_view)),
                name="{}_{}_comment".format(*info),
            ),
            path(
                "<int:object_id>/autosave/",
                self.admin_site.admin_view(post_only(self.autosave_view)),
                name="{}_{}_autosave".format(*info),
            ),
            path(
                "<int:object_id>/autosave/discard/",
                self.admin_site.admin_view(post_only(self.discard_autosave_view)),
                name="{}_{}_discard_autosave".format(*info),
            ),
        ]
        return own + self.revision_urls() + super().get_urls()

    def transition_view(self, request: HttpRequest, object_id: int, action: str):
        section = self.get_object(request, object_id)
        if section is None or action not in workflow.SECTION_ACTIONS:
            raise PermissionDenied
        if not workflow.SECTION_ACTIONS[action].is_button:
            raise PermissionDenied
        self._run(
            request,
            lambda: workflow.move_section(
                section,
                action,
                by=request.user,
                comment=request.POST.get("comment", ""),
                seen_version=_int(request.POST.get("version")),
            ),
            action,
        )
        if request.user.has_perm("blog.view_section", section):
            return HttpResponseRedirect(self._change_url(section))
        return HttpResponseRedirect(reverse("admin:index"))

    def _run(self, request, move, action: str) -> None:
        try:
            outcome = move()
        except ValidationError as error:
            tell_errors(request, error)
            return
        except workflow.WorkflowPermissionDenied as error:
            messages.error(request, str(error))
            return
        if outcome.changed:
            move = workflow.SECTION_ACTIONS[action]
            messages.success(request, str(move.done) % {"title": outcome.section.title})
            for note in notifications.mail_notes(outcome.section, move, request.user):
                messages.info(request, note)
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
        section, taken = self._taken_away(request, object_id)
        if taken is not None:
            # Told as what happened to the section, not as an expired login (autosave.js).
            refusal = gettext(
                "%(reason)s What you type here can no longer be saved: it is kept only in "
                "this browser. Copy what you need."
            ) % {"reason": taken.reason}
            return JsonResponse({"error": refusal}, status=409)
        if (
            section is None
            or section.trashed_at is not None
            or not request.user.has_perm("blog.change_section", section)
        ):
            refusal = gettext("You can no longer edit this section.")
            return JsonResponse({"error": refusal}, status=403)
        # As the form's field keeps it; a page without the field keeps the section's.
        heading = request.POST.get("heading", section.heading).strip()
        body = normalized_text(request.POST.get("body", ""))
        base_version = _int(request.POST.get("base_version"))
        if (
            len(heading) > SectionAutosave._meta.get_field("heading").max_length
            or len(body) > MAX_BODY_CHARACTERS
            or base_version is None
        ):
            return JsonResponse({"error": gettext("The text could not be kept.")}, status=400)
        autosave, _created = SectionAutosave.objects.update_or_create(
            section=section,
            user=request.user,
            defaults={"heading": heading, "body": body, "base_version": base_version},
        )
        return JsonResponse(
            {
                "saved_at": timezone.localtime(autosave.saved_at).strftime("%H:%M:%S"),
                "stale": base_version != section.version,
            }
        )

    def discard_autosave_view(self, request: HttpRequest, object_id: int):
        """Drop what was kept of this person's typing; the section as saved is untouched."""
        section = self.get_object(request, object_id)
        if section is None:
            raise PermissionDenied
        SectionAutosave.objects.filter(section=section, user=request.user).delete()
        messages.success(
            request, gettext("The heading and text kept automatically were discarded.")
        )
        return HttpResponseRedirect(self._change_url(section))


def _refusal_to_open(user, section: Section) -> Refusal:
    """Why `user` may not open another writer's section, and where they can read it."""
    if section.author_id:
        reason = gettext(
            "This section is %(name)s's. Only its writer and the editors may open its page."
        ) % {"name": display_name_of(section.author)}
    else:
        reason = gettext("Only a section's writer and the editors may open its page.")
    return refusal_to_open(
        user, section.report, reason, label=gettext("Read it in the preview"), anchor=section.anchor
    )


def _worth_offering(autosave: SectionAutosave | None, section: Section) -> bool:
    """An autosave is offered back only if it differs from what the form shows, as a save
    would keep both, and was typed over the current text (or kept over it on purpose,
    SectionAutosave.objects.after_save)."""
    return (
        autosave is not None
        and autosave.differs_from(section)
        and autosave.base_version == section.version
    )


def _locked_for(user, section: Section) -> bool:
    """The author may not edit the section now because it is in review or approved (a
    published report's sections are locked for another reason, said on their own)."""
    return (
        section.author_id == user.pk
        and section.status in {SectionStatus.IN_REVIEW, SectionStatus.APPROVED}
        and not section.report.is_live
        and not user.has_perm("blog.change_section", section)
    )
