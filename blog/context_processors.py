from django.conf import settings
from django.utils.translation import gettext_lazy as _


def site(request) -> dict:
    return {
        "site_name": settings.SITE_NAME,
        "site_description": _("Conference reports and engineering notes from our SRE team."),
        # What the reports are written in, whatever language the interface speaks.
        "content_language": settings.LANGUAGE_CODE,
    }
