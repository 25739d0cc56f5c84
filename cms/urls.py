from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from blog.admin.base import view_on_site
from blog.editor_views import MarkdownPreviewView, PhotoUploadView
from cms.admin import AUTOCOMPLETE_URL_NAME, AutocompleteView
from cms.health import healthz
from cms.views import AdminJavaScriptCatalog, favicon, web_manifest

admin.site.site_header = settings.SITE_NAME
admin.site.site_title = settings.SITE_NAME

handler403 = "cms.errors.permission_denied"

urlpatterns = [
    # For load balancers and container health checks; outside any language prefix.
    path("healthz", healthz, name="healthz"),
    # The admin speaks the language chosen with its switch, or the browser's (cms/locale.py).
    # Before the admin's own: the same URL, with a permission check.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(view_on_site),
        name="view_on_site_checked",
    ),
    # Before the admin's own too: its JavaScript strings, with our translations over Django's.
    path(
        "admin/jsi18n/",
        admin.site.admin_view(
            AdminJavaScriptCatalog.as_view(packages=["django.contrib.admin"]), cacheable=True
        ),
        name="admin_jsi18n",
    ),
    # And its search menus (reverse("admin:autocomplete") leads here), which name their
    # results as the admin of the model searched says.
    path(
        "admin/autocomplete/",
        admin.site.admin_view(AutocompleteView.as_view(admin_site=admin.site)),
        name=AUTOCOMPLETE_URL_NAME,
    ),
    path("admin/", admin.site.urls),
    # The admin's language switch (templates/admin/base_site.html): Django's set_language.
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin editor's preview and upload, in place of markdownx's own views (which are
    # open to anyone): staff only, and only for texts the user may change.
    path("markdownx/markdownify/", MarkdownPreviewView.as_view(), name="markdownx_markdownify"),
    path("markdownx/upload/", PhotoUploadView.as_view(), name="markdownx_upload"),
    # Fixed addresses that browsers ask for on their own: outside any language prefix.
    path("favicon.ico", favicon, name="favicon"),
    path("manifest.webmanifest", web_manifest, name="web_manifest"),
]

# The reader's pages have their language in the address: Japanese, the site's language, at
# the addresses they have always had, English under /en/. A page is then the same for
# everyone who asks for its address (no cookie, no Accept-Language), so shared caches and
# CDNs may keep it. cms/locale.py knows these by their namespaces.
urlpatterns += i18n_patterns(
    path("", include("sessions.urls")),
    path("", include("blog.urls")),
    prefix_default_language=False,
)

if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [
        re_path(rf"^{media_prefix}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
