"""Site-wide answers: old slugs, the favicon at its conventional address, the web app
manifest, the admin's JavaScript strings."""

from django.conf import settings
from django.db import models
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.i18n import JavaScriptCatalog

from cms.models import OldSlug

# The site's colours (static/css/site.css), for the browser's frame and splash screen.
THEME_COLOR = "#1f5fbf"
BACKGROUND_COLOR = "#fbfbfd"
DAY = 24 * 60 * 60


class AdminJavaScriptCatalog(JavaScriptCatalog):
    """The admin's JavaScript strings in the person's language, with ours (LOCALE_PATHS,
    domain djangojs) over Django's: its Japanese leaves some untranslated, such as the
    time-zone note under a time field that a writer abroad at a conference sees."""

    def get_paths(self, packages):
        return [*super().get_paths(packages), *(str(path) for path in settings.LOCALE_PATHS)]


@cache_control(public=True, max_age=DAY)
def favicon(request):
    """/favicon.ico, which browsers and feed readers ask for whatever the page says: a
    permanent redirect to the hashed static file, so that no request ends in a 404."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))


@cache_control(public=True, max_age=DAY)
def web_manifest(request):
    """/manifest.webmanifest: the name and icons a phone uses for the site on a home screen.

    Always in the site's own language, whoever asks, so that one cached copy fits all.
    """
    with translation.override(settings.LANGUAGE_CODE):
        manifest = {
            "name": _("%(site)s: conference reports") % {"site": settings.SITE_NAME},
            "short_name": settings.SITE_NAME,
            "description": _("Conference reports and engineering notes from our SRE team."),
            "lang": settings.LANGUAGE_CODE,
            "start_url": "/",
            "scope": "/",
            "display": "browser",
            "theme_color": THEME_COLOR,
            "background_color": BACKGROUND_COLOR,
            "icons": [
                {"src": static("favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
                {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            ],
        }
    return JsonResponse(
        manifest,
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )


class OldSlugRedirectMixin:
    """For a DetailView found by slug: an old slug answers 301 to the object's address now.

    Consulted only when no live object has the slug, and only among the objects the
    view shows (`get_queryset()`), so an unpublished object's new address never leaks.
    """

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            moved = self.moved_object()
            if moved is None:
                raise
            return HttpResponsePermanentRedirect(moved.get_absolute_url())

    def moved_object(self) -> models.Model | None:
        return OldSlug.objects.moved(self.get_queryset(), self.kwargs[self.slug_url_kwarg])
