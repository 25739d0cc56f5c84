from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    """What every public object shares: its old addresses (cms.models.OldSlug)."""

    name = "cms"
    verbose_name = _("site")
    default_auto_field = "django.db.models.BigAutoField"


class LoginLimitsConfig(AxesConfig):
    """django-axes (login throttling) under a name an administrator reads in the admin's
    list of apps: it has none of its own, and no Japanese (its models' names are in
    cms/django_strings.py)."""

    verbose_name = _("login attempts")
