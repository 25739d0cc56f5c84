from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    """What every public object shares: its old addresses (cms.models.OldSlug)."""

    name = "cms"
    verbose_name = _("site")
    default_auto_field = "django.db.models.BigAutoField"
