"""Markdown fields rendered once on save, photo references in texts, reading time."""

import functools
import html
import math
import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from blog import markdown

if TYPE_CHECKING:
    from blog.models.photos import Photo


def with_derived_fields(update_fields, derived: dict[str, str]) -> list[str] | None:
    """Widen a partial save so that fields derived in save() are written with their source.

    Without this, `save(update_fields=["body"])` would store new Markdown beside stale HTML.
    """
    if update_fields is None:
        return None
    fields = set(update_fields)
    fields |= {target for source, target in derived.items() if source in fields}
    return sorted(fields)


# Silent reading of Japanese prose runs at roughly 400-600 characters a minute; the
# middle of that range, counted over the visible text (markup and spaces left out).
READING_CHARACTERS_PER_MINUTE = 500


# What a dropped photo's reference says until the writer describes it. The section
# cannot be saved while a reference still says this (in any of the site's languages).
PHOTO_ALT_PLACEHOLDER = _("Describe this photo here (alternative text)")
PHOTO_CAPTION_PLACEHOLDER = _("Caption (optional)")


@functools.cache
def _in_every_language(message) -> frozenset[str]:
    texts = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts.add(str(message))
    return frozenset(texts)


def normalized_text(text: str) -> str:
    """A text as it is stored and compared: one kind of line end (browsers send text areas
    with CRLF) and no whitespace at the very end, which no reader sees. Leading spaces stay:
    in Markdown they start a code block."""
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip()


def alt_placeholders() -> frozenset[str]:
    """The alternative text a dropped photo has until its writer describes it."""
    return _in_every_language(PHOTO_ALT_PLACEHOLDER)


def is_alt_placeholder(text: str) -> bool:
    return text.strip() in _in_every_language(PHOTO_ALT_PLACEHOLDER)


def is_caption_placeholder(text: str) -> bool:
    return text.strip() in _in_every_language(PHOTO_CAPTION_PLACEHOLDER)


def photo_reference_errors(rendered: markdown.Rendered, photos: dict) -> list[ValidationError]:
    """What stops a text from being saved: references to missing or undescribed photos."""
    errors = []
    for reference in rendered.photo_references:
        number = reference.photo_id
        photo = photos.get(number)
        if photo is None:
            errors.append(
                ValidationError(
                    _(
                        "There is no photo %(number)s in this report. Drop the image into "
                        "the text again, or correct the number in photo:%(number)s."
                    ),
                    code="unknown_photo",
                    params={"number": number},
                )
            )
            continue
        alt = reference.alt.strip() or photo.alt_text
        if not alt.strip() or is_alt_placeholder(alt):
            errors.append(
                ValidationError(
                    _(
                        "Describe photo %(number)s for readers who cannot see it: in "
                        "![…](photo:%(number)s), write what the photo shows between the "
                        "square brackets."
                    ),
                    code="photo_without_alt",
                    params={"number": number},
                )
            )
        if is_caption_placeholder(reference.caption):
            errors.append(
                ValidationError(
                    _(
                        "Photo %(number)s still has the caption placeholder: write a caption "
                        "between the quotation marks, or delete the quoted text."
                    ),
                    code="caption_placeholder",
                    params={"number": number},
                )
            )
    return errors


# The editor's button that uploads photos (blog/templates/blog/widgets/markdown_editor.html),
# named in the messages that send writers to it.
ADD_PHOTOS_BUTTON = _("Add photos")


def image_errors(rendered: markdown.Rendered) -> list[ValidationError]:
    """What stops a text from being saved: images readers would not see (an address the
    site does not load images from, an `<img>` written in HTML). Photos are uploaded: they
    are resized for every screen, stripped of their metadata and credited."""
    errors = []
    refused_addresses = set()
    for image in rendered.unshown_images:
        if image.written_in_html or image.address in refused_addresses:
            continue
        refused_addresses.add(image.address)
        errors.append(
            ValidationError(
                _(
                    "The image %(address)s would not be shown: readers' browsers load "
                    "images only from this site. Upload it with “%(button)s”, or link to it "
                    "instead: delete the ! before [%(alt)s]."
                ),
                code="image_not_shown",
                params={
                    "address": Truncator(image.address).chars(80),
                    "alt": image.alt,
                    "button": ADD_PHOTOS_BUTTON,
                },
            )
        )
    if any(image.written_in_html for image in rendered.unshown_images):
        errors.append(
            ValidationError(
                _(
                    "An image written in HTML (<img>) is not shown to readers. Upload the "
                    "image with “%(button)s”, or link to it instead with [text](address)."
                ),
                code="image_in_html",
                params={"button": ADD_PHOTOS_BUTTON},
            )
        )
    return errors


class MarkdownFieldsMixin:
    """Markdown fields rendered once between clean() and save(), with errors on the field.

    A model lists `markdown_fields` ({"body": "body_html"}), says which prefix the
    ids in each field's HTML carry (`markdown_anchor_prefix`) and under which heading
    level each field is shown on the page (`markdown_title_level`).
    """

    markdown_fields: dict[str, str] = {}

    def markdown_anchor_prefix(self, field: str) -> str:
        raise NotImplementedError

    def markdown_title_level(self, field: str) -> int:
        """The level of the page's heading above the field: its headings go below it."""
        raise NotImplementedError

    def markdown_photos(self) -> dict[int, "Photo"]:
        """The photos this object's text may show: its report's, by id."""
        raise NotImplementedError

    def render_as(self, field: str, text: str) -> markdown.Rendered:
        """`text` rendered as it would be stored in `field` (the editor's preview)."""
        return markdown.render(
            text,
            anchor_prefix=self.markdown_anchor_prefix(field),
            photos=self.markdown_photos(),
            title_level=self.markdown_title_level(field),
        )

    def rendered_markdown(self, field: str) -> markdown.Rendered:
        """The field rendered as it is now; raises markdown.MarkdownRefused."""
        key = (
            getattr(self, field),
            self.markdown_anchor_prefix(field),
            self.markdown_title_level(field),
        )
        cache = self.__dict__.setdefault("_rendered_markdown", {})
        if field not in cache or cache[field][0] != key:
            cache[field] = (key, self.render_as(field, key[0]))
        return cache[field][1]

    def markdown_errors(self) -> dict[str, list]:
        errors: dict[str, list] = {}
        for field in self.markdown_fields:
            try:
                rendered = self.rendered_markdown(field)
            except markdown.MarkdownRefused as refusal:
                errors[field] = refusal.error_list
                continue
            problems = photo_reference_errors(rendered, self.markdown_photos())
            if problems := problems + image_errors(rendered):
                errors[field] = problems
        return errors

    @functools.cached_property
    def inline_photo_ids(self) -> set[int]:
        """Photos that the stored texts already show as figures (no rendering)."""
        return set().union(
            *(
                markdown.inline_photo_ids(getattr(self, html))
                for html in self.markdown_fields.values()
            )
        )

    def placed_photo_descriptions(self) -> dict[int, tuple[str, str]]:
        """How the texts describe each photo they place: {photo id: (alt, caption)}.

        The text is where a writer describes a photo they placed; blog/editing.py copies
        the words onto the photo's row for the admin's lists and for the figure list
        under a section, should the photo be taken out of the text later. References
        still showing a placeholder describe nothing.
        """
        described = {}
        for field in self.markdown_fields:
            for reference in self.rendered_markdown(field).photo_references:
                alt, caption = reference.alt.strip(), reference.caption.strip()
                if not alt or is_alt_placeholder(alt):
                    continue
                if is_caption_placeholder(caption):
                    caption = ""
                described[reference.photo_id] = (alt, caption)
        return described

    def render_markdown_fields(self, update_fields) -> bool:
        """Store the HTML of every Markdown field that this save writes; True if any."""
        written = False
        for field, target in self.markdown_fields.items():
            if update_fields is None or field in update_fields:
                setattr(self, target, self.rendered_markdown(field).html)
                written = True
        return written


def plain_text(fragment: str) -> str:
    """The visible text of stored, sanitised HTML."""
    return html.unescape(strip_tags(fragment or ""))


_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.S)


def prose_text(fragment: str) -> str:
    """The visible text of the paragraphs of stored, sanitised HTML, in one line: what an
    excerpt is made of. Headings, lists, code, tables and figures are left out: run
    together in one line they read as a garbled sentence. A text with no paragraph gives
    all its text."""
    paragraphs = _PARAGRAPH.findall(fragment or "")
    text = " ".join(map(plain_text, paragraphs)) if paragraphs else plain_text(fragment)
    return " ".join(text.split())


def reading_minutes_for(*fragments: str) -> int:
    """Whole minutes to read the visible text of `fragments`; 0 for no text at all."""
    characters = sum(len("".join(plain_text(fragment).split())) for fragment in fragments)
    return math.ceil(characters / READING_CHARACTERS_PER_MINUTE)
