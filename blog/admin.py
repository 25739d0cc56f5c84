from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count, Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField

from blog.forms import ReportAdminForm, SectionAdminForm
from blog.models import AuthorProfile, Photo, Report, Section, SectionStatus, Tag
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


class PhotoInlineBase(admin.StackedInline):
    model = Photo
    extra = 0
    readonly_fields = ["preview"]
    ordering = ["position", "pk"]

    @admin.display(description=_("preview"))
    def preview(self, photo: Photo):
        return thumbnail(photo)


class GalleryPhotoInline(PhotoInlineBase):
    """Photos of the report as a whole: the gallery and the cover."""

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
    """Figures of one section; their report is the section's."""

    fields = [
        ("image", "preview"),
        "alt_text",
        "caption",
        ("credit_text", "credit_url"),
        "position",
    ]
    verbose_name = _("figure")
    verbose_name_plural = _("figures")


class SectionInline(admin.StackedInline):
    model = Section
    form = SectionAdminForm
    formfield_overrides = MARKDOWN_WIDGETS
    fields = [("position", "session", "heading"), ("author", "status"), "body"]
    readonly_fields = ["status"]
    autocomplete_fields = ["session", "author"]
    extra = 0
    show_change_link = True
    ordering = ["position", "pk"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["title", "event", "status", "published_at", "review_progress"]
    list_filter = ["status", "event", "tags"]
    search_fields = ["title", "lead", "sections__heading", "sections__session__title"]
    list_select_related = ["event"]
    autocomplete_fields = ["event", "tags", "editors"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    form = ReportAdminForm
    formfield_overrides = MARKDOWN_WIDGETS
    inlines = [SectionInline, GalleryPhotoInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "event", "tags"]}),
        (_("Text"), {"fields": ["lead", "closing"]}),
        (_("Publishing"), {"fields": ["status", "published_at", "editors"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                section_total=Count("sections", distinct=True),
                approved_total=Count(
                    "sections", filter=Q(sections__status=SectionStatus.APPROVED), distinct=True
                ),
            )
        )

    @admin.display(description=_("approved sections"))
    def review_progress(self, report: Report) -> str:
        return f"{report.approved_total} / {report.section_total}"

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, Photo):
                instance.report = form.instance
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["title", "report", "position", "author_display", "status", "updated_at"]
    list_filter = ["status", "report"]
    search_fields = [
        "heading",
        "session__title",
        "body",
        "author__username",
        "author__author_profile__display_name",
    ]
    list_select_related = ["report", "session", "author__author_profile"]
    autocomplete_fields = ["report", "session", "author"]
    readonly_fields = ["status", "version", "updated_at"]
    form = SectionAdminForm
    formfield_overrides = MARKDOWN_WIDGETS
    inlines = [SectionPhotoInline]
    fieldsets = [
        (None, {"fields": ["report", "position", "session", "heading"]}),
        (_("Author"), {"fields": ["author", "author_team"]}),
        (None, {"fields": ["body"]}),
        (_("Review"), {"fields": ["status", "version", "updated_at"]}),
    ]

    @admin.display(description=_("author"), ordering="author__username")
    def author_display(self, section: Section) -> str:
        return section.author_name

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for photo in instances:
            photo.report_id = form.instance.report_id
            photo.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


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
