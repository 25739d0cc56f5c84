"""Template helpers for the reader's pages: page metadata, links between pages, JSON-LD."""

import functools
import json
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.template import engines
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.encoding import escape_uri_path
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from blog import figures

register = template.Library()

# Query parameters that number the pages of a list; the only ones a canonical URL keeps.
PAGE_PARAMETERS = ("page", "sessions")
# What another language's address of the same page keeps: the page and the search.
KEPT_PARAMETERS = (*PAGE_PARAMETERS, "q")

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


@register.simple_tag
def figure(photo, gallery: bool = False) -> str:
    """The photo as a figure (blog/figures.py), as wide as the text or a gallery cell."""
    return figures.figure_html(photo, figures.GALLERY_WIDTH if gallery else figures.TEXT_WIDTH)


@register.simple_tag(takes_context=True)
def language_versions(context) -> list[dict]:
    """This page in each of the site's languages. The language is in the address: the
    site's own at the addresses without a prefix, the others under /<code>/."""
    request = context["request"]
    # Percent-encoded like reverse(): a Japanese slug gives the same address either way.
    path = escape_uri_path(request.path_info)
    if in_path := translation.get_language_from_path(path):
        path = path.removeprefix(f"/{in_path}")
    query = urlencode(
        [(name, value) for name, value in request.GET.items() if name in KEPT_PARAMETERS]
    )
    prefix = get_script_prefix().rstrip("/")
    current = translation.get_language()
    versions = []
    for code, _name in settings.LANGUAGES:
        url = f"{prefix}{path}" if code == settings.LANGUAGE_CODE else f"{prefix}/{code}{path}"
        if query:
            url = f"{url}?{query}"
        versions.append(
            {
                "code": code,
                "name": translation.get_language_info(code)["name_local"],
                "url": url,
                "absolute_url": request.build_absolute_uri(url),
                "is_current": code == current,
                "is_default": code == settings.LANGUAGE_CODE,
            }
        )
    return versions


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
    writer typed can close the element. Other characters are written as themselves: a
    Japanese character escaped as `\\uXXXX` takes six bytes instead of three.
    """
    data = obj.structured_data(context["request"].build_absolute_uri)
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_SAFE)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


class KeptFragmentNode(template.Node):
    def __init__(self, name: str, nodelist: template.NodeList):
        self.name = name
        self.nodelist = nodelist

    def render(self, context) -> str:
        request = context.get("request")
        fragments = getattr(request, "kept_fragments", None)
        if fragments is None:
            return self.nodelist.render(context)
        content = fragments.get(self.name)
        if content is None:
            content = self.nodelist.render(context)
            fragments.keep(self.name, content)
        return content


@functools.cache
def fragment_names(template_name: str) -> tuple[str, ...]:
    """The `{% kept_fragment %}` names in a template's own text (its blocks included, not
    the template it extends): read from the template, so that the list exists once."""
    nodes = engines["django"].get_template(template_name).template.nodelist
    return tuple(node.name for node in nodes.get_nodes_by_type(KeptFragmentNode))


@register.tag
def kept_fragment(parser, token):
    """`{% kept_fragment "name" %}...{% endkept_fragment %}`: a part of a page kept in the
    cache until anything readers see changes (blog/pagecache.py), on views that read their
    fragments with `pagecache.read_fragments`; elsewhere (previews) rendered every time.

    Unlike Django's `{% cache %}`, it knows when to keep nothing and serves the page
    when the cache is down.
    """
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('Use {% kept_fragment "name" %}')
    nodelist = parser.parse(("endkept_fragment",))
    parser.delete_first_token()
    return KeptFragmentNode(bits[1][1:-1], nodelist)
