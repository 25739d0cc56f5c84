"""Middleware of our own that is not about one app."""

import unicodedata

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import get_urlconf, is_valid_path
from django.utils.encoding import escape_uri_path


class ComposedAddressMiddleware:
    """An address that is not found as typed, but is in Unicode's composed form, is sent on
    to that form with a permanent redirect.

    Slugs are stored composed (NFKC, as `slugify` leaves them), but some systems hand out
    text decomposed: macOS file names and what is copied from them write `が` as `か` and a
    combining mark. Such a link to `/reports/ガイド/` would otherwise answer 404.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        composed = unicodedata.normalize("NFKC", request.path_info)
        if composed == request.path_info or not is_valid_path(composed, get_urlconf()):
            return response
        mounted_at = request.path.removesuffix(request.path_info)
        address = escape_uri_path(mounted_at + composed)
        if query := request.META.get("QUERY_STRING"):
            address += "?" + query
        return HttpResponsePermanentRedirect(address)
