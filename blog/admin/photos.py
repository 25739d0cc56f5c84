"""Photos: a section's figures, the report's gallery, and the photo list."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from blog.admin.base import _is_editor, thumbnail
from blog.models import (
    Photo,
    Section,
)


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
