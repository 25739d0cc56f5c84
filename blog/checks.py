"""System checks of our own, run by `manage.py check` (the deploy ones with `--deploy`)."""

from django.conf import settings
from django.core import checks
from django.core.mail.backends import console, dummy, filebased, locmem
from django.utils.module_loading import import_string

# Backends that accept mail and deliver it to nobody. Subclasses count too: Django's own
# check (mail.E001) compares dotted paths, so a renamed or extended console backend, or
# one behind another alias, would pass it.
NON_DELIVERING_BACKENDS = (
    console.EmailBackend,
    dummy.EmailBackend,
    filebased.EmailBackend,
    locmem.EmailBackend,
)


@checks.register(checks.Tags.mail, deploy=True)
def check_mail_is_delivered(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Review notifications and share links go by email: a site that never sends any
    leaves writers waiting for reviews that nobody hears about."""
    found = []
    for alias, config in getattr(settings, "MAILERS", {}).items():
        path = config.get("BACKEND", "django.core.mail.backends.smtp.EmailBackend")
        try:
            backend = import_string(path)
        except ImportError:
            continue  # Django reports a backend that cannot be imported when mail is sent.
        if isinstance(backend, type) and issubclass(backend, NON_DELIVERING_BACKENDS):
            found.append(
                checks.Warning(
                    f"The '{alias}' mailer ({path}) does not deliver email: review "
                    "notifications would never reach anyone.",
                    hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend "
                    "and EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD.",
                    id="blog.W001",
                )
            )
    return found
