"""Refusing invisible characters in what a page prints as a name, a title or a heading.

Format characters (Unicode category Cf) show nothing themselves but change what is
around them: a right-to-left override prints "txt.exe" as "exe.txt", a zero-width space
makes two headings or tags that look alike differ, a BOM pasted from a file hides in a
slug. They have no place in a title, a heading, a name or a slug, so they are refused
with a message that names each one. The exception is the zero-width joiner inside an
emoji sequence (👩‍💻 is 👩, U+200D, 💻), and the tag characters of a flag such as
🏴󠁧󠁢󠁳󠁣󠁴󠁿, which is how such emoji are written. Variation selectors (U+FE0F) are
combining marks (Mn), not format characters, so emoji that use them pass as they are.

One validator per kind of text, used as a model field validator, so the admin's forms,
imports and anything else that calls `full_clean()` all refuse the same way.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import ngettext_lazy

ZERO_WIDTH_JOINER = "\u200d"
BLACK_FLAG = "\U0001f3f4"
_TAG_CHARACTERS = re.compile(r"[\U000e0020-\U000e007e]+\U000e007f")
# Between an emoji and what joins it: skin tones and variation selectors.
_EMOJI_MODIFIERS = re.compile(r"[\U0001f3fb-\U0001f3ff\ufe0e\ufe0f]")
# An ATX heading line of Markdown, and the fences of a code block (not headings inside).
_HEADING_LINE = re.compile(r"^(?: {0,3}> ?)* {0,3}#{1,6}(?:[ \t]|$)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _is_emoji(character: str) -> bool:
    return unicodedata.category(character) == "So"


def _joins_emoji(text: str, index: int) -> bool:
    """True when the joiner at `index` stands between two emoji (modifiers allowed)."""
    before = _EMOJI_MODIFIERS.sub("", text[:index])
    after = text[index + 1 :]
    return bool(before) and bool(after) and _is_emoji(before[-1]) and _is_emoji(after[0])


def invisible_characters(text: str) -> list[str]:
    """The format characters in `text` that are not part of an emoji, in order, once each."""
    # A flag's tag sequence is part of the emoji: take it out before looking.
    text = _TAG_CHARACTERS.sub(
        lambda m: "" if text[: m.start()].endswith(BLACK_FLAG) else m[0], text
    )
    found: list[str] = []
    for index, character in enumerate(text):
        if unicodedata.category(character) != "Cf" or character in found:
            continue
        if character == ZERO_WIDTH_JOINER and _joins_emoji(text, index):
            continue
        found.append(character)
    return found


def describe(character: str) -> str:
    """`U+202E RIGHT-TO-LEFT OVERRIDE`: how a message names a character."""
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X} {name}".strip()


def _params(characters: list[str], **more) -> dict:
    named = ", ".join(describe(character) for character in characters)
    return {"characters": named, "count": len(characters), **more}


@deconstructible
class NoInvisibleCharacters:
    """For a title, a name or a slug: refuses any format character outside an emoji."""

    message = ngettext_lazy(
        "Remove the invisible character %(characters)s: it does not show, but changes how "
        "the text around it is read or compared. Retype the text if you pasted it.",
        "Remove the invisible characters %(characters)s: they do not show, but change how "
        "the text around them is read or compared. Retype the text if you pasted it.",
        "count",
    )

    def __call__(self, value: str) -> None:
        if found := invisible_characters(value or ""):
            raise ValidationError(self.message, code="invisible_character", params=_params(found))

    def __eq__(self, other) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))


@deconstructible
class NoInvisibleCharactersInHeadings(NoInvisibleCharacters):
    """For Markdown: refuses format characters in heading lines (`#`, outside code)."""

    message = ngettext_lazy(
        "Remove the invisible character %(characters)s from the heading “%(heading)s”: it "
        "does not show, but changes how the heading is read or linked to.",
        "Remove the invisible characters %(characters)s from the heading “%(heading)s”: they "
        "do not show, but change how the heading is read or linked to.",
        "count",
    )

    def __call__(self, value: str) -> None:
        fence = None
        for line in (value or "").splitlines():
            if match := _FENCE.match(line):
                marker = match[1][0] * 3
                if fence is None:
                    fence = marker
                elif match[1].startswith(fence):
                    fence = None
                continue
            if fence is not None or not _HEADING_LINE.match(line):
                continue
            if found := invisible_characters(line):
                heading = "".join(c for c in line.lstrip(" #>") if c not in found).strip()
                raise ValidationError(
                    self.message, code="invisible_character", params=_params(found, heading=heading)
                )


no_invisible_characters = NoInvisibleCharacters()
no_invisible_characters_in_headings = NoInvisibleCharactersInHeadings()
