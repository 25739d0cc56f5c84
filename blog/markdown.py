"""The one Markdown pipeline: the admin preview and the public page both use it.

Markdown is converted, then everything passes an allowlist sanitiser, so raw
HTML, `javascript:` links and event handlers never reach a reader whatever the
writer typed. Output is stored on save; pages never render Markdown per request.
"""

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions.toc import slugify_unicode

_EXTENSIONS = [
    "markdown.extensions.tables",
    "markdown.extensions.fenced_code",
    "markdown.extensions.footnotes",
    "markdown.extensions.sane_lists",
    "markdown.extensions.codehilite",
    "markdown.extensions.toc",
]
_EXTENSION_CONFIGS = {
    "markdown.extensions.codehilite": {"guess_lang": False, "css_class": "highlight"},
    # Anchors must survive Japanese headings: keep Unicode in the id.
    "markdown.extensions.toc": {"slugify": slugify_unicode},
}

_ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
_ALLOWED_ATTRIBUTES = {
    "*": {"id", "class"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
}


def render_markdown(text: str) -> SafeString:
    """Convert writer Markdown to sanitised HTML that is safe to show as is."""
    html = markdown.markdown(
        text or "",
        extensions=_EXTENSIONS,
        extension_configs=_EXTENSION_CONFIGS,
        output_format="html",
    )
    cleaned = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return mark_safe(cleaned)
