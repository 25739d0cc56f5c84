"""What every editorial admin page shares: revisions, badges, the Markdown editor, user menus."""

import reversion
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from markdownx.models import MarkdownxField
from reversion.models import Version

from blog import revisions
from blog.models import (
    Photo,
    Report,
)
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


def staff_choices(db_field, kwargs: dict) -> dict:
    """Limit user menus to active staff: only they write, edit and review."""
    if db_field.related_model is User:
        kwargs["queryset"] = User.objects.filter(is_staff=True, is_active=True).select_related(
            "author_profile"
        )
    return kwargs


def _is_editor(user) -> bool:
    return user.has_perm("blog.review_sections")
