"""Staff accounts with the byline they sign with."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from blog.enums import ROLE_GROUP_LABELS
from blog.models import (
    AuthorProfile,
)
from cms.admin import NamesTheSavedObject

User = get_user_model()


def role_group_label(group) -> str:
    return str(ROLE_GROUP_LABELS.get(group.name, group.name))


class AuthorProfileInline(admin.StackedInline):
    model = AuthorProfile
    can_delete = False
    verbose_name_plural = _("byline")


admin.site.unregister(User)


@admin.register(User)
class AuthorUserAdmin(NamesTheSavedObject, UserAdmin):
    inlines = [AuthorProfileInline]
    list_display = ["username", "display_name", "email", "is_staff"]
    list_select_related = ["author_profile"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups":
            field.label_from_instance = role_group_label
        return field

    @admin.display(description=_("display name"), ordering="author_profile__display_name")
    def display_name(self, user) -> str:
        profile = getattr(user, "author_profile", None)
        return profile.display_name if profile else ""
