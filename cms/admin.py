"""What the admin pages of every public object with a slug share."""

from django.contrib import admin

from cms.slugs import record_slug_change, stored_slug


class KeepsOldSlugsAdmin(admin.ModelAdmin):
    """An editor may change a slug; the old address then redirects to the new one.

    Django's admin saves each change page in one transaction, so the object and its
    old slug are written together or not at all.
    """

    def save_model(self, request, obj, form, change):
        previous = stored_slug(obj) if change else None
        super().save_model(request, obj, form, change)
        record_slug_change(obj, previous)
