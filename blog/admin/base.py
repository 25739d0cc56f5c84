"""What every editorial admin page shares: revisions, badges, the Markdown editor, user menus."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import model_ngettext
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField
from reversion.models import Version

from blog import revisions, roles, trash
from blog.forms import MarkdownTextField
from blog.models import Photo, Report, display_name_of, display_names_of
from blog.widgets import MarkdownEditorWidget
from cms.admin import ModelAdmin
from cms.errors import Refusal, post_only
from sessions.dates import zone_label

# Live preview and photo upload; the admin forms below tell it which text it edits.
MARKDOWN_WIDGETS = {
    MarkdownxField: {"widget": MarkdownEditorWidget, "form_class": MarkdownTextField}
}


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


def time_tag(moment: datetime.datetime):
    """A moment in local time as the editorial tables write it, "2026-12-04 04:03 JST", with
    its zone as an editor's browser may be in another. A narrow column puts the time under
    the date, and breaks neither (a browser may break a date after a hyphen)."""
    local = timezone.localtime(moment)
    return format_html(
        '<time datetime="{}"><span class="nowrap">{}</span> '
        '<span class="nowrap">{} {}</span></time>',
        local.isoformat(),
        local.strftime("%Y-%m-%d"),
        local.strftime("%H:%M"),
        zone_label(local),
    )


def error_links(form, formsets) -> list[dict]:
    """Every error on a change page, each with the id of the field it is about, so the
    list at the top of the page can link to the field."""
    found = []

    def add(one_form, label_prefix: str = "") -> None:
        for name, messages_ in one_form.errors.items():
            field = one_form[name] if name in one_form.fields else None
            label = str(field.label) if field is not None else ""
            for message in messages_:
                found.append(
                    {
                        "label": f"{label_prefix}{label}",
                        "message": message,
                        "anchor": field.id_for_label if field is not None else "",
                    }
                )

    add(form)
    for formset in formsets:
        for index, row in enumerate(formset.forms, start=1):
            add(row, f"{formset.model._meta.verbose_name} {index}: ")
        for message in formset.non_form_errors():
            found.append({"label": "", "message": message, "anchor": ""})
    return found


class RevisionedAdmin(ModelAdmin):
    """Revision history (list, compare, restore) of objects saved through blog/editing.py,
    which records a revision for every change."""

    revision_template = "admin/blog/revisions.html"

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        # The save sets `request.content_edit` (blog/editing.py's outcome); when it wrote
        # nothing, Django's "was changed successfully" would be untrue.
        edit = getattr(request, "content_edit", None)
        if edit is not None and not edit.saved and level == messages.SUCCESS:
            message, level = gettext("Nothing had changed, so nothing was saved."), messages.INFO
        super().message_user(request, message, level, *args, **kwargs)

    def log_change(self, request, obj, message):
        # A save that wrote nothing is no event in the object's history.
        edit = getattr(request, "content_edit", None)
        if edit is not None and not edit.saved:
            return None
        return super().log_change(request, obj, message)

    def history_view(self, request, object_id, extra_context=None):
        """The admin's 履歴 button opens the revisions: one history, with the writers'
        names, each version's text, comparison and restore."""
        info = self.opts.app_label, self.opts.model_name
        return HttpResponseRedirect(
            reverse("admin:{}_{}_revisions".format(*info), args=[object_id])
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["error_links"] = error_links(
            context["adminform"].form,
            [inline.formset for inline in context.get("inline_admin_formsets", [])],
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

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
                self.admin_site.admin_view(post_only(self.restore_view)),
                name="{}_{}_restore".format(*info),
            ),
        ]

    def revisions_view(self, request, object_id):
        obj = self.get_object(request, object_id)
        if obj is None:
            refuse_if_in_trash(request, self.model, object_id)
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
        edit = revisions.restore(obj, version, by=request.user)
        if edit.saved:
            messages.success(request, gettext("The older version was restored as a new revision."))
        else:
            messages.info(request, gettext("That version is the same as the current one."))
        tell(request, edit.messages())
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

    def _change_url(self, obj) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])


class TrashAdminMixin:
    """ "Delete" on these pages moves to the trash (blog/trash.py): the delete page, the
    "Move to the trash" action in place of Django's bulk delete, and the messages say so.
    """

    delete_confirmation_template = "admin/blog/trash_confirmation.html"
    actions = ["move_to_trash"]

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django's "not found, perhaps deleted", on the change, delete and history pages:
        # of what is in the trash, those who could see it are told where it went.
        refuse_if_in_trash(request, self.model, object_id)
        return super()._get_obj_does_not_exist_redirect(request, opts, object_id)

    def get_deleted_objects(self, objs, request):
        # Nothing is deleted: everything attached goes to the trash with it and comes back
        # with it, so no permission is asked for it; the confirmation says what goes along.
        return [trash.going(obj, by=request.user) for obj in objs], {}, set(), []

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        # Given only to those who may unpublish (editors, who see everything).
        refusal = trash.refusal(obj, by=request.user) if obj is not None else ""
        if refusal:
            messages.error(request, refusal)
            info = self.opts.app_label, self.opts.model_name
            return HttpResponseRedirect(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        tell(request, self._move_one_to_trash(request, obj).messages())

    def delete_queryset(self, request, queryset):
        self._move_each_to_trash(request, queryset)

    def log_deletions(self, request, queryset):
        # Django logs before it deletes; a move is logged with it (_move_one_to_trash).
        pass

    def _move_one_to_trash(self, request, obj) -> trash.TrashOutcome:
        """The one way this page moves something to the trash, alone or chosen with others:
        the move, its audit entry (blog/trash.py) and the admin's history entry, together."""
        with transaction.atomic():
            outcome = trash.move_to_trash(obj, by=request.user)
            if outcome.changed:
                self.log_change(request, obj, gettext("Moved to the trash."))
        return outcome

    def response_delete(self, request, obj_display, obj_id):
        # In place of Django's "deleted": where it went.
        messages.success(
            request,
            gettext("“%(name)s” was moved to the trash. Editors can restore it from there.")
            % {"name": obj_display},
        )
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        )

    @admin.action(description=_("Move the selected to the trash"), permissions=["delete"])
    def move_to_trash(self, request, queryset):
        """Asks first, on the delete page's template, saying what goes with each (as the
        delete page does); moves them once that page's button is pressed."""
        if not request.POST.get("post"):
            return self._confirm_move_to_trash(request, queryset)
        self._move_each_to_trash(request, queryset)
        return None

    def _confirm_move_to_trash(self, request, queryset):
        going = self.get_deleted_objects(queryset, request)[0]
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Move to the trash"),
            "objects_name": model_ngettext(queryset),
            "deleted_objects": going,
            "nothing_goes": all(one.refusal for one in going),
            "queryset": queryset,
            "opts": self.opts,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": "move_to_trash",
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.delete_confirmation_template, context)

    def _move_each_to_trash(self, request, queryset):
        moved = 0
        for obj in queryset:
            try:
                outcome = self._move_one_to_trash(request, obj)
            except ValidationError as error:
                # Named: the reason may name only the report, for one of its sections.
                for message in error.messages:
                    messages.error(request, f"{obj}: {message}")
            except PermissionDenied as error:
                messages.error(request, f"{obj}: {error}")
            else:
                moved += outcome.changed
                tell(request, outcome.messages())
        if moved:
            messages.success(
                request,
                ngettext(
                    "%(count)s item was moved to the trash.",
                    "%(count)s items were moved to the trash.",
                    moved,
                )
                % {"count": moved},
            )


def refuse_if_in_trash(request, model, object_id) -> None:
    """Raise a Refusal saying that the report, section or photo `object_id` is in the trash
    (when, with what, by whom) to someone who could see it: an editor gets the way to the
    trash, a writer whom to ask. Anyone else learns nothing of it (nothing is raised)."""
    pk = _int(object_id)
    obj = model.all_objects.filter(pk=pk).first() if pk is not None else None
    if obj is None or not obj.in_trash:
        return
    user = request.user
    may_restore = user.has_perm("blog.view_trash")
    if not may_restore and not user.has_perm(f"blog.view_{model._meta.model_name}", obj):
        return
    carrier = trash.moved_with(obj)
    carrier_kind = carrier._meta.verbose_name
    if may_restore:
        advice = (
            gettext("Nothing of it is lost yet: it can be put back from the Trash until %(date)s.")
            % {"date": timezone.localtime(trash.restorable_until(carrier)).strftime("%Y-%m-%d")}
            if carrier is obj
            else gettext("It comes back when the %(kind)s is put back from the Trash.")
            % {"kind": carrier_kind}
        )
        raise Refusal(
            _where_it_went(obj, carrier),
            title=gettext("In the trash"),
            advice=advice,
            instead_url=f"{reverse('admin:blog_trash')}#trash-{carrier._meta.model_name}-{carrier.pk}",
            instead_label=gettext("Open the Trash"),
        )
    raise Refusal(
        _where_it_went(obj, carrier),
        title=gettext("In the trash"),
        advice=gettext("Only editors can put it back from the trash: %(names)s.")
        % {"names": display_names_of(roles.desk())},
    )


def _where_it_went(obj, carrier) -> str:
    names = {
        "kind": obj._meta.verbose_name,
        "name": trash.label(obj),
        "carrier_kind": carrier._meta.verbose_name,
        "carrier": trash.label(carrier),
        "when": timezone.localtime(obj.trashed_at).strftime("%Y-%m-%d %H:%M"),
        "person": display_name_of(obj.trashed_by) if obj.trashed_by_id else "",
    }
    if carrier is obj:
        if names["person"]:
            text = gettext(
                "The %(kind)s “%(name)s” is in the trash: %(person)s moved it there on %(when)s."
            )
        else:
            text = gettext(
                "The %(kind)s “%(name)s” is in the trash: it was moved there on %(when)s."
            )
    elif names["person"]:
        text = gettext(
            "The %(kind)s “%(name)s” is in the trash with its %(carrier_kind)s “%(carrier)s”: "
            "%(person)s moved them there on %(when)s."
        )
    else:
        text = gettext(
            "The %(kind)s “%(name)s” is in the trash with its %(carrier_kind)s “%(carrier)s”: "
            "they were moved there on %(when)s."
        )
    return text % names


def refusal_to_open(user, report: Report, reason: str, *, label: str, anchor: str = "") -> Refusal:
    """A page `user` may not open, refused with `reason`; a writer of its report is offered
    where to read it instead, the report's preview (at `anchor`)."""
    if not user.has_perm("blog.preview_report", report):
        return Refusal(reason)
    preview = reverse("blog:report_preview", args=[report.pk])
    return Refusal(
        reason, instead_url=f"{preview}#{anchor}" if anchor else preview, instead_label=label
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class PersonChoiceField(forms.ModelChoiceField):
    """A menu of people by the names bylines print, not their login names."""

    def label_from_instance(self, user) -> str:
        return display_name_of(user)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user) -> str:
        return display_name_of(user)


# Which people each menu offers: one queryset per role (blog/roles.py).
PEOPLE_MENUS = {
    "author": roles.authors,
    "reviewer": roles.editors,
    "editors": roles.editors,
    "user": roles.writers,  # a report's writers
}


def person_field(db_field, kwargs: dict) -> dict:
    """Keyword arguments for a form field that chooses people from their role."""
    if db_field.name in PEOPLE_MENUS:
        kwargs["queryset"] = PEOPLE_MENUS[db_field.name]()
        many = db_field.many_to_many
        kwargs["form_class"] = PeopleChoiceField if many else PersonChoiceField
        if not many and db_field.name == "reviewer":
            kwargs["empty_label"] = gettext("— nobody yet —")
    return kwargs


class PersonListFilter(admin.RelatedOnlyFieldListFilter):
    """A filter by person that lists display names, not login names, and says what its
    empty choice means (Django labels it with the list's "-" for an empty cell)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.empty_value_display = gettext("unassigned")

    def field_choices(self, field, request, model_admin):
        chosen = [pk for pk, _label in super().field_choices(field, request, model_admin)]
        people = field.related_model.objects.filter(pk__in=chosen).select_related("author_profile")
        return sorted(
            ((person.pk, display_name_of(person)) for person in people), key=lambda c: c[1]
        )


def yes_no_icon(value: bool) -> str:
    """Django's tick or cross for a yes/no column, with its alt text in the reader's
    language (Django's own says "True" or "False" in English)."""
    icon = static("admin/img/icon-yes.svg" if value else "admin/img/icon-no.svg")
    return format_html('<img src="{}" alt="{}">', icon, gettext("Yes") if value else gettext("No"))


class PeopleMenusMixin:
    """Admin pages whose people menus list display names from the right role."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **person_field(db_field, kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **person_field(db_field, kwargs))


def tell(request, notes) -> None:
    """Show each note of a service's outcome as a message."""
    for note in notes:
        messages.info(request, note)


def tell_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def view_on_site(request, content_type_id: int, object_id: str):
    """The admin's "view on site" redirect (`/admin/r/…/…/`), for those who may see the
    object: Django's own redirects any staff member, revealing unpublished slugs."""
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model = content_type.model_class() if content_type else None
    try:
        model_admin = admin.site.get_model_admin(model) if model else None
    except NotRegistered:
        model_admin = None
    obj = model_admin.get_object(request, object_id) if model_admin else None
    if obj is None or not model_admin.has_view_permission(request, obj):
        raise Http404
    if callable(model_admin.view_on_site):
        return HttpResponseRedirect(model_admin.view_on_site(obj))
    if not model_admin.view_on_site or not hasattr(obj, "get_absolute_url"):
        raise Http404
    return HttpResponseRedirect(obj.get_absolute_url())
