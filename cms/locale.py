"""Which language a request is answered in.

The reader's pages (the `blog` and `conference` URLs, under `i18n_patterns` in cms/urls.py)
take it from the address alone: Japanese without a prefix, English under /en/. Everything
else (the admin, the editor's endpoints) speaks the language its user chose with the
admin's switch (Django's language cookie), or else the one the browser asks for, as Django
does without language prefixes; Django's own middleware would give those pages the
site's language whatever the browser says, since their addresses carry no prefix either.
"""

from django.conf import settings
from django.middleware import locale
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers

# The URL namespaces mounted under i18n_patterns (cms/urls.py).
LANGUAGE_IN_ADDRESS = frozenset({"blog", "conference"})


def language_in_address(path: str) -> bool:
    if translation.get_language_from_path(path):
        return True
    # An address without a prefix is read as the site's language's. Whatever language the
    # thread's previous request left active would otherwise decide how i18n_patterns match:
    # after an English page, a Japanese address would not be found.
    with translation.override(settings.LANGUAGE_CODE):
        try:
            return resolve(path).namespace in LANGUAGE_IN_ADDRESS
        except Resolver404:
            return False


class LocaleMiddleware(locale.LocaleMiddleware):
    def process_request(self, request):
        request.language_in_address = language_in_address(request.path_info)
        if request.language_in_address:
            return super().process_request(request)
        translation.activate(translation.get_language_from_request(request, check_path=False))
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request, response):
        if getattr(request, "language_in_address", True):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
