"""Photos: a section's figures, the report's gallery, and the photo list."""

from django.contrib import admin
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from blog import editing, membership, roles, trash
from blog.admin.base import (
    TrashAdminMixin,
    _int,
    refusal_to_open,
    tell,
    thumbnail,
    yes_no_icon,
)
from blog.enums import EDITABLE_BY_AUTHOR, ReportStatus
from blog.models import Photo, Report, Section, alt_placeholders, display_name_of
from blog.widgets import PhotoFileInput
from cms.admin import ModelAdmin
from cms.errors import Refusal


def save_photo_rows(formset, section: Section, *, by) -> bool:
    """Save a section's figures edited under its text; True if anything changed.

    Called inside the section's save (blog/editing.py), which renders the text and asks
    about the approval once for everything, removed figures included.
    """
    photos = formset.save(commit=False)
    for photo in photos:
        photo.report_id, photo.section = section.report_id, section
        photo.save()
    for photo in formset.deleted_objects:
        trash.trash_photo(photo, by=by, follow_up=False)
    return bool(photos or formset.deleted_objects)


# The photo's file as a link to the original, not its generated storage path.
PHOTO_FILE_WIDGET = {models.ImageField: {"widget": PhotoFileInput}}


class GalleryFlagMixin:
    """Read-only pages show "in the gallery" through yes_no_icon: Django's own read-only
    tick says "True" or "False" in English whatever the language."""

    @admin.display(description=_("in the gallery"), ordering="in_gallery")
    def gallery_display(self, photo: Photo) -> str:
        return yes_no_icon(photo.in_gallery)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self.page_can_save(request, obj):
            return fields
        return [_swap_in(field, "in_gallery", "gallery_display") for field in fields]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if self.page_can_save(request, obj) else [*fields, "gallery_display"]

    def page_can_save(self, request, obj) -> bool:
        return self.has_change_permission(request, obj)


def _swap_in(field, old: str, new: str):
    if isinstance(field, (list, tuple)):
        return type(field)(new if name == old else name for name in field)
    return new if field == old else field


class PlacedPhotoFormSet(BaseInlineFormSet):
    """A photo placed in its section's (or report's) text takes its description and caption
    from its reference there, copied onto it at every save (blog/editing.py): those fields
    are shown here, not edited, with where to change them. Typed here, the words were
    thrown away at the save that said it had saved them."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "alt_text" in form.fields:
            form.fields["alt_text"].error_messages["required"] = gettext(
                "Describe what the photo shows, for readers who cannot see it."
            )
        photo_id, parent = form.instance.pk, self.instance
        if photo_id is not None and parent.pk is not None and photo_id in parent.inline_photo_ids:
            described_in_the_text(form.fields, photo_id)


def described_in_the_text(fields, photo_id: int) -> None:
    """Show a placed photo's description and caption, with where to change them."""
    for name in ("alt_text", "caption"):
        if name in fields:
            fields[name].disabled = True
            fields[name].help_text = gettext(
                "Placed in the text: change it in its reference there, "
                '![description](photo:%(id)s "caption").'
            ) % {"id": photo_id}


class PhotoInlineBase(GalleryFlagMixin, admin.StackedInline):
    model = Photo
    formset = PlacedPhotoFormSet
    formfield_overrides = PHOTO_FILE_WIDGET
    extra = 0
    readonly_fields = ["preview"]
    ordering = ["position", "pk"]

    @admin.display(description=_("preview"))
    def preview(self, photo: Photo):
        return thumbnail(photo)

    def has_delete_permission(self, request, obj=None):
        # `obj` is the report or section: a published report keeps its photos (the rule of
        # blog/trash.py), so its rows offer no delete box rather than a refusal mid-save.
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or not trash.refusal(obj))


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
    classes = ["collapse"]  # folded: the report page opens on its sections, not its photos

    def page_can_save(self, request, obj) -> bool:
        return request.user.has_perm("blog.change_report", obj)  # obj: the report

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

    def get_queryset(self, request):
        # A photo dropped into the text but never described is not listed: it is named
        # in the text (which says what is missing), and removed once the text lets go.
        return super().get_queryset(request).exclude(alt_text__in=alt_placeholders())

    def _may_edit_section(self, request, section) -> bool:
        if section is None:
            return request.user.has_perm("blog.add_section")
        return request.user.has_perm("blog.change_section", section)

    def has_add_permission(self, request, obj=None):
        return self._may_edit_section(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_edit_section(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit_section(request, obj) and (obj is None or not trash.refusal(obj))

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return True
        if not request.user.has_perm("blog.view_section", obj):
            return False
        # A section shown read-only with no figures gets no empty 図 group.
        return (
            self._may_edit_section(request, obj)
            or self.get_queryset(request).filter(section=obj).exists()
        )


@admin.register(Photo)
class PhotoAdmin(TrashAdminMixin, GalleryFlagMixin, ModelAdmin):
    list_display = [
        "preview",
        "alt_text",
        "report_display",
        "section_display",
        "gallery_display",
        "position",
    ]
    list_display_links = ["preview", "alt_text"]
    list_filter = ["in_gallery", ("report", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["alt_text", "caption", "credit_text"]
    list_select_related = ["report", "section__session"]
    autocomplete_fields = ["report", "section"]
    readonly_fields = ["preview", "width", "height"]
    formfield_overrides = PHOTO_FILE_WIDGET
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
        return super().get_queryset(request).visible_to(request.user)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django says "not found, perhaps deleted" of a photo one may not open, as of a
        # missing one: this one exists, so say whose it is, as a section's page does.
        photo = Photo.objects.select_related("section__author").filter(pk=_int(object_id)).first()
        if photo is not None:
            raise refusal_to_open_photo(request.user, photo)
        return super()._get_obj_does_not_exist_redirect(request, opts, object_id)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("blog.view_photo", obj)

    def has_add_permission(self, request):
        # As for sections: a writer with no report to write in has no section to add to.
        return request.user.has_perm("blog.add_photo") and membership.has_somewhere_to_write(
            request.user
        )

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("blog.change_photo", obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("blog.delete_photo", obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not roles.is_editor(request.user):
            if "report" in form.base_fields:
                form.base_fields["report"].queryset = Report.objects.visible_to(request.user)
            if "section" in form.base_fields:
                form.base_fields["section"].queryset = Section.objects.visible_to(
                    request.user
                ).filter(status__in=EDITABLE_BY_AUTHOR, report__status=ReportStatus.DRAFT)
                form.base_fields["section"].required = True
            if "in_gallery" in form.base_fields:
                form.base_fields["in_gallery"].disabled = True
        owner = obj and (obj.section if obj.section_id else obj.report)
        if owner is not None and obj.pk in owner.inline_photo_ids:
            described_in_the_text(form.base_fields, obj.pk)
        return form

    def save_model(self, request, obj, form, change):
        tell(request, editing.save_photo(obj, by=request.user).messages())

    @admin.display(description=_("preview"))
    def preview(self, photo: Photo):
        return thumbnail(photo)

    # A report's title and a session's are long: on one line they left the description
    # a column a word wide and pushed the other columns out of sight. They wrap, cut to a
    # few lines by the stylesheet; the whole name is in the tooltip and read out.
    @admin.display(description=_("report"), ordering="report__title")
    def report_display(self, photo: Photo):
        return _clamped(str(photo.report)) if photo.report_id else "—"

    @admin.display(description=_("section"), ordering="section__position")
    def section_display(self, photo: Photo):
        return _clamped(str(photo.section)) if photo.section_id else "—"


def _clamped(name: str):
    return format_html('<span class="clamped" title="{}">{}</span>', name, name)


def refusal_to_open_photo(user, photo: Photo) -> Refusal:
    """Why `user` may not open `photo`'s page, and where they can see it instead."""
    if photo.section_id:
        reason = gettext(
            "This photo is in %(name)s's section. Only that section's writer and the editors "
            "may open its page."
        ) % {"name": display_name_of(photo.section.author)}
    else:
        reason = gettext("This photo is in the report's gallery, which only editors change.")
    return refusal_to_open(user, photo.report, reason, label=gettext("See it in the preview"))
