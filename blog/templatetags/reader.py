"""Template helpers for the reader's pages: page metadata, links between pages, JSON-LD."""

import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# Query parameters that number the pages of a list; the only ones a canonical URL keeps.
PAGE_PARAMETERS = ("page", "sessions")

# The characters that could end a <script> element or open a comment inside one,
# escaped as JSON allows: the same escaping as Django's `json_script`.
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def machine_time(value) -> str:
    """A datetime for `<time datetime>` and metadata: ISO 8601 in the site's time zone,
    whole seconds (HTML allows at most three digits of a fraction; Python writes six)."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


@register.simple_tag(takes_context=True)
def page_url(context, param: str, number: int) -> str:
    """The current address with `param` set to page `number`, other parameters kept."""
    query = context["request"].GET.copy()
    if int(number) == 1:
        query.pop(param, None)
    else:
        query[param] = number
    return f"?{query.urlencode()}" if query else "?"


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """This page's one address: no tracking or stray parameters, only page numbers."""
    request = context["request"]
    kept = {
        name: request.GET[name]
        for name in PAGE_PARAMETERS
        if request.GET.get(name, "1").isdigit() and request.GET.get(name, "1") != "1"
    }
    query = "&".join(f"{name}={value}" for name, value in kept.items())
    return request.build_absolute_uri(request.path) + (f"?{query}" if query else "")


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str) -> str:
    return context["request"].build_absolute_uri(path)


@register.inclusion_tag("includes/page_meta.html", takes_context=True)
def page_meta(context, title: str = "", description: str = "", image=None, kind: str = "website"):
    """<title>, description, canonical link, OpenGraph and Twitter card for one page.

    `title` is the page's own title (the site's name is added); `image` a Photo.
    """
    site_name = settings.SITE_NAME
    return {
        "request": context["request"],
        "site_name": site_name,
        "title": title or site_name,
        "full_title": format_html("{} | {}", title, site_name) if title else site_name,
        "description": description or context.get("site_description", ""),
        "image": image,
        "kind": kind,
        "og_locale": "ja_JP" if translation.get_language() == "ja" else "en_US",
    }


@register.simple_tag(takes_context=True)
def structured_data(context, obj) -> str:
    """`obj.structured_data()` as a JSON-LD script: data for search engines, never run.

    Built in Python (the model decides what it says) and escaped so that no text a
    writer typed can close the element.
    """
    data = obj.structured_data(context["request"].build_absolute_uri)
    text = json.dumps(data, cls=DjangoJSONEncoder).translate(_SCRIPT_SAFE)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))
