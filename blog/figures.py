"""A photo as a figure: the one place its HTML is written.

Used by the report page (figures under a section, the gallery) and by the Markdown
renderer (figures placed in a text, stored with the text). Built in Python rather than
with a template include: a long report shows a hundred and more, and a template costs
ten times as much per figure.
"""

from django.utils.html import format_html
from django.utils.safestring import SafeString

# How wide a figure is shown: the text column, or half of it in the gallery's grid.
TEXT_WIDTH = "(min-width: 48rem) 44rem, 100vw"
GALLERY_WIDTH = "(min-width: 48rem) 22rem, 100vw"


def figure_html(photo, sizes: str = TEXT_WIDTH) -> SafeString:
    """<figure> with WebP and fallback sources, size, lazy loading, caption and credit."""
    url = photo.image.storage.url
    webp, fallbacks = [], []
    for rendition in photo.renditions:
        entry = f"{url(rendition['name'])} {rendition['width']}w"
        (webp if rendition["format"] == "webp" else fallbacks).append(entry)
    largest = photo.fallback
    return format_html(
        '<figure class="figure">\n  <picture>\n'
        '    <source type="image/webp" srcset="{}" sizes="{}">\n'
        '    <img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" '
        'loading="lazy" decoding="async">\n'
        "  </picture>\n{}</figure>",
        ", ".join(webp),
        sizes,
        url(largest["name"]) if largest else photo.image.url,
        ", ".join(fallbacks),
        sizes,
        largest["width"] if largest else "",
        largest["height"] if largest else "",
        photo.alt_text,
        _caption_html(photo),
    )


def _caption_html(photo) -> SafeString:
    if not (photo.caption or photo.credit_text):
        return SafeString("")
    parts = []
    if photo.caption:
        parts.append(format_html('<span class="figure__caption">{}</span>', photo.caption))
    if photo.credit_text:
        credit = (
            format_html(
                '<a href="{}" rel="noopener noreferrer">{}</a>', photo.credit_url, photo.credit_text
            )
            if photo.credit_url
            else photo.credit_text
        )
        parts.append(format_html('<span class="figure__credit">{}</span>', credit))
    lines = "".join(format_html("    {}\n", part) for part in parts)
    return format_html("  <figcaption>\n{}  </figcaption>\n", SafeString(lines))
