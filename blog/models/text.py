"""Markdown fields rendered once on save, photo references in texts, reading time."""

import functools
import html
import math
import re
import secrets
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
# cannot be saved while the description still says this (in any of the site's languages);
# a caption is optional, as its placeholder says, and left as it is means none.
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


def caption_placeholders() -> frozenset[str]:
    """The caption a dropped photo's reference has until its writer writes one, if ever."""
    return _in_every_language(PHOTO_CAPTION_PLACEHOLDER)


def is_alt_placeholder(text: str) -> bool:
    return text.strip() in _in_every_language(PHOTO_ALT_PLACEHOLDER)


@functools.cache
def _caption_placeholder_title() -> re.Pattern:
    """The title part of a photo reference still holding the caption placeholder. Only
    what follows the `]` is matched, so any description (brackets in it too) is kept."""
    words = "|".join(map(re.escape, sorted(caption_placeholders())))
    return re.compile(
        rf"""(?P<reference>\]\(\s*photo:\d{{1,18}})\s+(?P<quote>["'])\s*(?P<words>{words})\s*"""
        r"(?P=quote)\s*\)"
    )


@functools.lru_cache(maxsize=32)
def without_caption_placeholders(text: str) -> tuple[str, int]:
    """`text` with the untouched caption placeholder taken out of its photo references,
    and how many there were: such a photo is shown without a caption. Both the preview
    and the save use this, so the preview shows what is stored. Code showing such a
    reference stays as the writer typed it. (autosave.js takes the placeholder out with
    the pattern alone, code too: it only compares two copies of a text.)

    Remembers its last answers: a save asks about the same text several times, and each
    text holding the placeholder costs a conversion."""
    found = list(_caption_placeholder_title().finditer(text))
    if not found:
        return text, 0
    in_references = _placeholders_in_references(text, found)
    pieces, done = [], 0
    for index in in_references:
        match = found[index]
        pieces += [text[done : match.start()], match["reference"], ")"]
        done = match.end()
    pieces.append(text[done:])
    return "".join(pieces), len(in_references)


def _placeholders_in_references(text: str, found: list[re.Match]) -> list[int]:
    """Which of the placeholders `found` in `text` are captions of photo references on the
    page, rather than code (or anything else the page shows as typed).

    A pattern cannot tell code from text: the renderer reads a copy of the text with each
    placeholder replaced by a mark of its own, and the marks it finds in captions are the
    ones. Only the words change, so the copy's code and blocks are the text's.
    """
    mark = f"caption{secrets.token_hex(4)}n"
    pieces, done = [], 0
    for index, match in enumerate(found):
        pieces += [text[done : match.start("words")], f"{mark}{index}"]
        done = match.end("words")
    pieces.append(text[done:])
    try:
        references = markdown.photo_references("".join(pieces))
    except markdown.MarkdownRefused:
        # The text is refused with its own message too; nothing better is known.
        return list(range(len(found)))
    captions = {reference.caption.strip() for reference in references}
    return [index for index in range(len(found)) if f"{mark}{index}" in captions]


def photo_reference_errors(rendered: markdown.Rendered, photos: dict) -> list[ValidationError]:
    """What stops a text from being saved: references to missing or undescribed photos.

    A photo is named by its place among the text's photos, as the writer sees them in the
    preview, with the `photo:N` to look for in the text: its number alone means nothing
    to someone who added one photo."""
    errors = []
    for place, reference in enumerate(rendered.photo_references, start=1):
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
                        "Photo %(place)s from the top of this text (photo:%(number)s) is not "
                        "described yet: for readers who cannot see it, write what it shows "
                        "between the square brackets of its ![…]."
                    ),
                    code="photo_without_alt",
                    params={"place": place, "number": number},
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
            without_caption_placeholders(text)[0],
            anchor_prefix=self.markdown_anchor_prefix(field),
            photos=self.markdown_photos(),
            title_level=self.markdown_title_level(field),
        )

    def rendered_markdown(self, field: str) -> markdown.Rendered:
        """The field rendered as it is now; raises markdown.MarkdownRefused."""
        key = (
            # A text and the same with its caption placeholders left out render alike:
            # dropping them before a save renders nothing again.
            without_caption_placeholders(getattr(self, field))[0],
            self.markdown_anchor_prefix(field),
            self.markdown_title_level(field),
        )
        cache = self.__dict__.setdefault("_rendered_markdown", {})
        if field not in cache or cache[field][0] != key:
            cache[field] = (key, self.render_as(field, key[0]))
        return cache[field][1]

    def drop_caption_placeholders(self) -> int:
        """Take the untouched caption placeholder out of the texts' photo references, so
        that the stored Markdown (exports, revisions) never carries it; how many there were.
        Writes nothing: blog/editing.py calls this before a save."""
        dropped = 0
        for field in self.markdown_fields:
            text, count = without_caption_placeholders(getattr(self, field))
            if count:
                setattr(self, field, text)
                dropped += count
        return dropped

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
        still showing the description's placeholder describe nothing (the caption's never
        reaches them: `render_as` leaves it out).
        """
        described = {}
        for field in self.markdown_fields:
            for reference in self.rendered_markdown(field).photo_references:
                alt, caption = reference.alt.strip(), reference.caption.strip()
                if not alt or is_alt_placeholder(alt):
                    continue
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
