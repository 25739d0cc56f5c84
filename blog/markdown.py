"""The one Markdown pipeline: the admin preview and the public page both use it.

Markdown is converted, then everything passes an allowlist sanitiser, so raw
HTML, `javascript:` links and event handlers never reach a reader whatever the
writer typed. Output is stored on save; pages never render Markdown per request.

Two stages:

- `convert()` is pure (Markdown and nh3, no database, no Django settings). It runs in
  a child process (`blog.markdown_worker`) with a time limit, because some inputs make
  Python-Markdown quadratic or recurse without end.
- `render()` is what callers use: it checks the length, asks the child to convert, and
  puts the figures for photo references (`![alt](photo:123 "caption")`) in place of the
  placeholders that `convert()` left. Figures are made by the same template as the
  figures under a section, after sanitising, so the sanitiser never has to allow
  `srcset` or `<picture>` from a writer. It also decides which other images are shown
  (`_place_images`): readers' browsers load images only from the addresses the site's
  Content Security Policy allows, and an image from anywhere else would be a broken image
  on every page, so it is shown as a notice, and a save refuses it
  (`blog.models.text.image_errors`).
"""

import copy
import html as html_module
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import markdown
import nh3
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from markdown.blockprocessors import HashHeaderProcessor
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString
from pygments.token import STANDARD_TYPES

from blog.markdown_worker import ConversionFailed, ConversionTimedOut, Worker
from cms.content_security import image_may_load

# About ten times a long conference write-up; far more is a paste gone wrong or an attack.
MAX_CHARACTERS = 50_000
RENDER_TIMEOUT_SECONDS = 1.0

# The level of the heading a text sits under when nothing else is known: a section without
# a session is an h2 on the report page (and a new section in the editor has no session yet).
DEFAULT_TITLE_LEVEL = 2
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# A writer's heading by its depth below the title it sits under, deeper ones as the third.
SUBHEADING_CLASSES = ("subheading-1", "subheading-2", "subheading-3")

PHOTO_SOURCE = re.compile(r"^photo:(\d{1,18})$")
# Left before each figure placed from a photo reference. Comments from writers are
# stripped by the sanitiser, so only the pipeline can write this one.
INLINE_PHOTO_MARKER = re.compile(r"<!-- photo:(\d+) -->")

_EXTENSIONS = [
    "markdown.extensions.tables",
    "pymdownx.superfences",
    "markdown.extensions.footnotes",
    "markdown.extensions.sane_lists",
    "markdown.extensions.codehilite",
    "markdown.extensions.toc",
]
_EXTENSION_CONFIGS = {
    # The sanitiser drops `style`, so column alignment must travel as `align`.
    "markdown.extensions.tables": {"use_align_attribute": True},
    "markdown.extensions.codehilite": {"guess_lang": False, "css_class": "highlight"},
    "pymdownx.highlight": {"guess_lang": False, "css_class": "highlight"},
    # Anchors must survive Japanese headings: keep Unicode in the id. No `[TOC]` marker:
    # the page has its own table of contents, linking to sections.
    "markdown.extensions.toc": {"slugify": slugify_unicode, "marker": ""},
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
# Removed with everything inside them, rather than leaving their text on the page.
_DROPPED_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "noscript",
    "template",
    "svg",
    "math",
}
_ALLOWED_ATTRIBUTES = {
    "*": {"id"},
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
}
# Only the classes our own extensions produce: a writer's class could otherwise borrow
# the site's layout (a fixed overlay, a hidden block) for their text.
_ALLOWED_CLASSES = {
    **{tag: set(SUBHEADING_CLASSES) for tag in HEADING_TAGS},
    "div": {"highlight", "footnote"},
    "a": {"footnote-ref", "footnote-backref"},
    "span": {name for name in STANDARD_TYPES.values() if name} | {"hll"},
}
# Elements whose start tag makes an HTML parser take everything after it as their content
# (raw text such as <style> or <textarea>, foreign content such as <svg>, or content the
# sanitiser drops whole) until their end tag. Left unclosed by a writer, they would
# swallow the rest of the text; `_escape_unclosed` shows such a start tag as text instead.
_SWALLOWING_ELEMENTS = _DROPPED_WITH_CONTENT | {
    "textarea",
    "title",
    "xmp",
    "noembed",
    "noframes",
    "plaintext",  # never ends: no end tag closes it
    "select",
}
_SWALLOWING_NAMES = "|".join(sorted(_SWALLOWING_ELEMENTS))
# A comment, a markup declaration or a processing instruction left open hides everything
# after it the same way.
_SWALLOWING_START = re.compile(rf"<(?:({_SWALLOWING_NAMES})(?=[\s/>]|$)|!--|!|\?)", re.IGNORECASE)
_SWALLOWING_END = re.compile(rf"</({_SWALLOWING_NAMES})(?=[\s/>]|$)", re.IGNORECASE)
_URL_SCHEMES = {"http", "https", "mailto"}
# What an image's address may be, besides relative: the sanitiser never sees the address of a
# Markdown image (`_ImageAddresses`), so `_place_images` applies this rule itself.
_IMAGE_URL_SCHEMES = {"", "http", "https"}
_ID_ATTRIBUTE = re.compile(r'\sid="([^"]*)"')
_PHRASING_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6"}


class MarkdownRefused(ValidationError):
    """The text cannot be rendered: too long, too slow, or too deeply nested."""


@dataclass(frozen=True)
class PhotoReference:
    """`![alt](photo:123 "caption")` as the writer typed it."""

    photo_id: int
    alt: str
    caption: str


@dataclass(frozen=True)
class UnshownImage:
    """An image in a text that readers would not see, shown as a notice instead: its address
    is one the site's Content Security Policy blocks (or not a web address at all), or it is
    an `<img>` written in HTML."""

    address: str
    alt: str
    written_in_html: bool


@dataclass(frozen=True)
class Converted:
    """What the child returns: sanitised HTML with a placeholder paragraph per photo, and
    each other Markdown image's address set aside (its `src` holds `image_token(index)`)."""

    html: str
    photo_references: tuple[PhotoReference, ...]
    placeholder_prefix: str
    image_addresses: tuple[str, ...]

    def placeholder(self, index: int) -> str:
        return f"<p>{self.placeholder_prefix}-{index}</p>"

    def image_token(self, index: int) -> str:
        return f"{self.placeholder_prefix}-image-{index}"


@dataclass(frozen=True)
class Rendered:
    html: SafeString
    photo_references: tuple[PhotoReference, ...]
    unshown_images: tuple[UnshownImage, ...]


# --- Stage one: conversion, in the child process ---------------------------------------------


class _PhotoFigures(Treeprocessor):
    """Take each `![...](photo:N)` out of the text flow and leave a placeholder paragraph.

    A figure is a block, so it cannot stay inside a paragraph. A photo that begins a line
    of its paragraph (writers often leave no blank line around it) splits the paragraph
    there: what came before it, the figure, what follows. One typed in the middle of a line
    goes right after the paragraph (or heading) that held it. A paragraph left empty goes
    away.
    """

    def __init__(self, md, placeholder_prefix: str):
        super().__init__(md)
        self.placeholder_prefix = placeholder_prefix
        self.references: list[PhotoReference] = []

    def run(self, root: ElementTree.Element) -> None:
        parents = {child: parent for parent in root.iter() for child in parent}
        placed_after: dict[ElementTree.Element, ElementTree.Element] = {}
        images = [img for img in root.iter("img") if PHOTO_SOURCE.match(img.get("src", ""))]
        for image in images:
            match = PHOTO_SOURCE.match(image.get("src", ""))
            placeholder = ElementTree.Element("p")
            placeholder.text = f"{self.placeholder_prefix}-{len(self.references)}"
            self.references.append(
                PhotoReference(int(match[1]), image.get("alt", ""), image.get("title", ""))
            )
            block = self._phrasing_block(image, parents)
            parent = parents[image]
            index = list(parent).index(image)
            rest = None
            if parent is block and block.tag == "p" and self._begins_a_line(block, index):
                rest = self._take_what_follows(block, index, parents)
            _remove_keeping_tail(parent, image)
            if block is None:
                # In a list item or table cell without a paragraph: a figure may sit there.
                parent.insert(index, placeholder)
                continue
            container = parents[block]
            anchor = placed_after.get(block, block)
            container.insert(list(container).index(anchor) + 1, placeholder)
            placed_after[block] = placeholder
            parents[placeholder] = container
            if rest is not None:
                container.insert(list(container).index(placeholder) + 1, rest)
                parents[rest] = container
                placed_after[rest] = rest  # its own photos go after it
        for block in placed_after:
            if not (block.text or "").strip() and len(block) == 0:
                parents[block].remove(block)

    @staticmethod
    def _begins_a_line(block: ElementTree.Element, index: int) -> bool:
        """Nothing before the photo at `index` in its paragraph, or a line break."""
        before = (block[index - 1].tail if index else block.text) or ""
        return before.rstrip(" \t").endswith("\n") or (not index and not before.strip())

    @staticmethod
    def _take_what_follows(block, index, parents) -> ElementTree.Element:
        """A new paragraph holding what followed the photo at `index` in `block`, taken
        out of it."""
        children = list(block)
        image = children[index]
        if index:
            children[index - 1].tail = (children[index - 1].tail or "").rstrip()
        else:
            block.text = (block.text or "").rstrip()
        rest = ElementTree.Element(block.tag)
        rest.text = (image.tail or "").lstrip()
        image.tail = None
        for child in children[index + 1 :]:
            block.remove(child)
            rest.append(child)
            parents[child] = rest
        return rest

    @staticmethod
    def _phrasing_block(element, parents):
        node = parents.get(element)
        while node is not None:
            if node.tag in _PHRASING_BLOCKS:
                return node
            node = parents.get(node)
        return None


def _remove_keeping_tail(parent: ElementTree.Element, child: ElementTree.Element) -> None:
    if child.tail:
        index = list(parent).index(child)
        if index:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)


class _HeadingLevels(Treeprocessor):
    """Place the text's headings right below the title it sits under, keeping their order.

    Writers cannot know whether their section's title is an h2 or an h3 (it depends on
    whether the section covers a session), and `#` would be an h1 beside the page's own
    title. So levels are relative: the highest level used in the text (fewest `#`)
    becomes `title_level + 1` and the others follow it, clamped at h6 so that no heading
    is ever lost. `# 見出し`, `## 見出し` and `#### 見出し` alone all make the same
    subheading.
    """

    def __init__(self, md, title_level: int):
        super().__init__(md)
        self.title_level = title_level

    def run(self, root: ElementTree.Element) -> None:
        parents = {child: parent for parent in root.iter() for child in parent}
        headings = []
        for element in [element for element in root.iter() if element.tag in HEADING_TAGS]:
            if "".join(element.itertext()).strip() or len(element):
                headings.append(element)
            else:
                # A bare `######` line: an empty heading says nothing and trips screen
                # readers, and there is no text to keep.
                _remove_keeping_tail(parents[element], element)
        levels = relative_heading_levels(
            [int(heading.tag[1]) for heading in headings], self.title_level
        )
        for heading, level in zip(headings, levels, strict=True):
            heading.tag = f"h{level}"
            # The same depth looks the same whatever its tag: a writer's `##` is an h3 in
            # one section and an h4 in another (blog/static reader.css sizes by depth).
            depth = min(level - self.title_level, len(SUBHEADING_CLASSES))
            heading.set("class", SUBHEADING_CLASSES[depth - 1])


def relative_heading_levels(typed: Sequence[int], title_level: int) -> list[int]:
    """The levels a text's headings, typed at `typed` levels (in order), are shown at under
    a title of `title_level`: the highest typed becomes `title_level + 1`, the others keep
    their distance below it, and none goes past 6. The page's rule, which the Hatena export
    (blog/export.py) follows too.
    """
    if not typed:
        return []
    shift = title_level + 1 - min(typed)
    return [min(max(level + shift, 2), 6) for level in typed]


class _HashHeadings(HashHeaderProcessor):
    """`## 見出し`, its closing `#`s taken off only after a space, as CommonMark has it:
    Python-Markdown read `## C#` as "C", and the Hatena export (CommonMark) as "C#"."""

    RE = re.compile(
        r"(?:^|\n)(?P<level>#{1,6})(?P<header>(?:\\.|[^\\\n])*?)(?:[ \t]+#+)?[ \t]*(?:\n|$)"
    )


class _HeadingLevelExtension(Extension):
    def __init__(self, title_level: int):
        super().__init__()
        self.title_level = title_level

    def extendMarkdown(self, md) -> None:  # Python-Markdown's hook name
        # In place of Python-Markdown's own (same name and priority).
        md.parser.blockprocessors.register(_HashHeadings(md.parser), "hashheader", 70)
        # After the inline parsing (20); the anchors (toc, 5) do not depend on the level.
        md.treeprocessors.register(_HeadingLevels(md, self.title_level), "heading_levels", 10)


# Characters between which a line break is no space: Japanese and Chinese text (kana,
# ideographs, their punctuation and full-width forms), as CSS Text's segment break rules
# have it. Korean sets spaces between words, so Hangul is not among them.
_UNSPACED = (
    "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff01-\uff60\uffe0-\uffe6"
)
_BREAK_IN_UNSPACED_TEXT = re.compile(rf"(?<=[{_UNSPACED}])[ \t]*\n[ \t]*(?=[{_UNSPACED}])")


class _JoinedJapaneseLines(Treeprocessor):
    """Join the lines of a paragraph where Japanese meets Japanese.

    Writers often end each sentence with a line break (`…でした。⏎次に…`). In Markdown that
    break is no new paragraph but a space, and browsers other than Firefox draw it: a gap
    after 。 in the middle of a paragraph. Code keeps its line breaks; a hard break (two
    spaces or a backslash at the end of the line) is a <br> and stays one.
    """

    def run(self, root: ElementTree.Element) -> None:
        self._join(root)

    def _join(self, element: ElementTree.Element) -> None:
        if element.tag in ("pre", "code"):
            return
        if element.text:
            element.text = _joined(element.text)
        for child in element:
            self._join(child)
            if child.tail:
                child.tail = _joined(child.tail)


def _joined(text: str) -> str:
    # Python-Markdown's AtomicString (code spans' text) must stay one.
    joined = _BREAK_IN_UNSPACED_TEXT.sub("", text)
    return type(text)(joined) if joined != text else text


class _JoinedJapaneseLinesExtension(Extension):
    def extendMarkdown(self, md) -> None:  # Python-Markdown's hook name
        # After the inline parsing (20), when text is text and code is code.
        md.treeprocessors.register(_JoinedJapaneseLines(md), "joined_japanese_lines", 9)


class _ImageAddresses(Treeprocessor):
    """Set aside the address of every Markdown image left once the photos became figures,
    leaving a token in its place.

    Whether such an image can be shown depends on the site's Content Security Policy, which
    only the web process knows (this runs in the child): `_place_images` puts the address
    back, or a notice. The token also tells a Markdown image from an `<img>` written in
    HTML, which never passes here and so keeps a `src` that is no token.
    """

    def __init__(self, md, placeholder_prefix: str):
        super().__init__(md)
        self.placeholder_prefix = placeholder_prefix
        self.addresses: list[str] = []

    def run(self, root: ElementTree.Element) -> None:
        for image in root.iter("img"):
            self.addresses.append(image.get("src", ""))
            image.set("src", f"{self.placeholder_prefix}-image-{len(self.addresses) - 1}")


class _PhotoFigureExtension(Extension):
    def __init__(self, placeholder_prefix: str):
        super().__init__()
        self.placeholder_prefix = placeholder_prefix
        self.processor = None
        self.images = None

    def extendMarkdown(self, md) -> None:  # Python-Markdown's hook name
        self.processor = _PhotoFigures(md, self.placeholder_prefix)
        # After inline parsing (priority 20) made the <img>, before the anchors (toc, 5).
        md.treeprocessors.register(self.processor, "photo_figures", 15)
        self.images = _ImageAddresses(md, self.placeholder_prefix)
        # After the backslash escapes were put back (unescape, 0): the address as typed.
        md.treeprocessors.register(self.images, "image_addresses", -1)


class _BareAddresses(InlineProcessor):
    """A web address typed as it is becomes a link, as on GitHub or Hatena Blog.

    Only ASCII belongs to the address: Japanese writers run text on without a space
    ("https://example.com/を参照"), and Python-Markdown's and pymdownx's patterns take any
    word character. A sentence's closing mark, emphasis closing around the address and an
    unmatched closing bracket stay out.
    """

    ANCESTOR_EXCLUDES = ("a",)
    # Marks that end a sentence or close emphasis (`**https://…**`), as GitHub has it.
    _TRAILING = ".,:;!?'\"*_~"
    _CLOSING = {")": "(", "]": "["}

    def handleMatch(self, match, data):  # Python-Markdown's hook name
        address = match.group(0)
        while address and (
            address[-1] in self._TRAILING
            or (
                address[-1] in self._CLOSING
                and address.count(address[-1]) > address.count(self._CLOSING[address[-1]])
            )
        ):
            address = address[:-1]
        if address.endswith("://"):
            return None, None, None
        link = ElementTree.Element("a", href=address)
        link.text = AtomicString(address)
        return link, match.start(0), match.start(0) + len(address)


class _BareAddressExtension(Extension):
    # Not after a letter or digit (no "xhttps://…"); what RFC 3986 allows in an address.
    PATTERN = r"(?<![A-Za-z0-9])https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+"

    def extendMarkdown(self, md) -> None:  # Python-Markdown's hook name
        # After <https://…> (autolink, 120), before emphasis and entities read its "_" and "&".
        md.inlinePatterns.register(_BareAddresses(self.PATTERN, md), "bare_address", 115)


# A list item's marker as Python-Markdown's sane lists read it ("1)" is no marker there).
_LIST_MARKER = re.compile(r"( *)([*+-]|\d+\.)( +)")
# A thematic break: "- - -" and "* * *" look like list items but are none.
_THEMATIC_BREAK = re.compile(r" *(?:(?:- *){3,}|(?:_ *){3,}|(?:\* *){3,})")
_FENCE_OPENING = re.compile(r" *(`{3,})[^`]*|( *)(~{3,}).*")
_QUOTE_PREFIX = re.compile(r" {0,3}> ?")
_ATX_HEADING = re.compile(r" {0,3}#{1,6}(?: |$)")
_LIST_ITEM_ANYWHERE = re.compile(r"^[ >]*(?:[*+-]|\d+\.) ", re.MULTILINE)
# Quotes in quotes whose lists are read; deeper ones keep their lists as typed (4 spaces
# still nest there), and nonsense thousands deep costs no more than before.
_QUOTES_READ = 10
# Python-Markdown's indentation for one level of a list (its `tab_length`).
_NESTING_WIDTH = 4


@dataclass(frozen=True)
class _OpenItem:
    marker_column: int
    # Where the item's text begins as typed: CommonMark's test for what belongs to it.
    content_column: int
    # Where Python-Markdown expects the item's text: one more level than its marker.
    nested_column: int
    numbered: bool = False


def lists_nested_at_four(lines: list[str], quote_depth: int = 0) -> list[str]:
    """The lines with each list's items moved to Python-Markdown's 4-space levels.

    Writers used to GitHub or Qiita nest a list at its parent's text (2 spaces under
    "- ", 3 under "1. "), as CommonMark has it; Python-Markdown nests only at 4, and
    reads a 2-space item as the next item of the same list. A line belongs to an item
    when it is indented to that item's text, as in CommonMark, and is moved to the item's
    level in Python-Markdown. Only the leading spaces of lines inside a list change:
    fenced code, indented code outside lists and everything else stay as typed. Lines
    already at 4-space levels keep them, so lists written for Python-Markdown read the same.
    """
    if not _LIST_ITEM_ANYWHERE.search("\n".join(lines)):
        return lines
    result: list[str] = []
    items: list[_OpenItem] = []
    closing_fence: re.Pattern | None = None
    # How far the lines of the fenced block being read move: None outside any list item.
    fence_shift: int | None = None
    block_start = True  # where Python-Markdown may begin a list
    # The lines since the last blank one began inside an item, not with its marker.
    in_continuation = False
    # The level of the nested item that began the lines since the last blank one, if one did.
    nested_block_level: int | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if closing_fence is not None:
            result.append(_shifted(line, fence_shift))
            if closing_fence.fullmatch(line):
                closing_fence = None
                block_start = True
                if fence_shift is not None:
                    # What follows is the item's again (or the next item), not the code's.
                    result.append("")
            continue
        if not line.strip():
            result.append(line)
            block_start = True
            in_continuation = False
            continue
        indent = len(line) - len(line.lstrip(" "))
        follows_blank = block_start
        block_start = False
        if follows_blank:
            nested_block_level = None
        fence = _FENCE_OPENING.fullmatch(line)
        if fence:
            # Its content is code: no line of it is read as a list. A fence at the start of
            # a line ends the list; one inside an item moves with that item's text, all its
            # lines by the same number of spaces, so the code keeps its own indentation and
            # SuperFences finds the block in the item. Blank lines around it keep it a
            # block of its own there.
            closing_fence = _closing_fence(fence)
            _close_items_outside(items, indent)
            fence_shift = None
            if items:
                fence_shift = _indent_in_item(items[-1], indent) - indent
                if result and result[-1].strip():
                    result.append("")
            result.append(_shifted(line, fence_shift))
            continue
        marker = None if _THEMATIC_BREAK.fullmatch(line) else _LIST_MARKER.match(line)
        if marker and (items or (follows_blank and indent < _NESTING_WIDTH)):
            _close_items_outside(items, indent, bullet=marker[2] in "*+-")
            if not items and indent >= _NESTING_WIDTH:
                result.append(line)  # code after the list, not an item
                continue
            level = len(items) * _NESTING_WIDTH
            starts_block = follows_blank
            if in_continuation or (nested_block_level is not None and level < nested_block_level):
                # Python-Markdown reads an item right after an item's later paragraph as
                # more of that paragraph, and one less deep than the nested item that began
                # the lines since a blank line (a loose sublist's last item) as more of that
                # sublist; CommonMark starts the item where it belongs, and so does a blank
                # line.
                result.append("")
                in_continuation = False
                starts_block = True
            if starts_block:
                nested_block_level = level or None
            spacing = len(marker[3])
            text_offset = len(marker[2]) + (spacing if spacing <= 4 else 1)
            items.append(
                _OpenItem(
                    indent,
                    indent + text_offset,
                    level + _NESTING_WIDTH,
                    numbered=marker[2] not in "*+-",
                )
            )
            result.append(" " * level + line[indent:])
            continue
        if not items:
            if follows_blank and _QUOTE_PREFIX.match(line) and quote_depth < _QUOTES_READ:
                quoted, index = _quoted_block(lines, index - 1, quote_depth + 1)
                result.extend(quoted)
                # A line right after the quote is more of it (lazily), no list's start.
                block_start = False
                continue
            result.append(line)
            block_start = bool(_ATX_HEADING.match(line))
            continue
        if _THEMATIC_BREAK.fullmatch(line) and indent < items[-1].content_column:
            items.clear()  # a rule, or a heading's underline: the list ends here
            result.append(line)
            continue
        if follows_blank:
            _close_items_outside(items, indent)
            if not items:
                result.append(line)  # after the list
                continue
            in_continuation = True
        item = items[-1]
        if indent < item.content_column:
            result.append(line)  # a lazy continuation of the item's paragraph
            continue
        result.append(" " * _indent_in_item(item, indent) + line[indent:])
    return result


def _indent_in_item(item: _OpenItem, indent: int) -> int:
    """Where a line of `item` indented by `indent` goes at Python-Markdown's levels."""
    # Spaces beyond the item's text (an indented code block in the item) stay beyond it,
    # counted from where Python-Markdown writers put the text (4 past the marker).
    beyond = max(0, indent - max(item.content_column, item.marker_column + _NESTING_WIDTH))
    return item.nested_column + beyond


def _shifted(line: str, shift: int | None) -> str:
    """`line` moved right by `shift` spaces (left, as far as its spaces go, if negative)."""
    if not shift or not line.strip():
        return line
    if shift > 0:
        return " " * shift + line
    spaces = len(line) - len(line.lstrip(" "))
    return line[min(spaces, -shift) :]


def _close_items_outside(items: list[_OpenItem], indent: int, *, bullet: bool = False) -> None:
    """Close the items a line indented by `indent` is not part of. A bullet indented 2
    spaces under a numbered item is its child, though short of its text (3 under "1. "):
    writers type it so, and CommonMark's reading, a bullet list ending the numbered one,
    is never what they meant."""
    while items:
        item = items[-1]
        belongs_from = item.content_column
        if bullet and item.numbered:
            belongs_from = min(belongs_from, item.marker_column + 2)
        if indent >= belongs_from:
            break
        items.pop()


def _quoted_block(lines: list[str], start: int, depth: int) -> tuple[list[str], int]:
    """The block quote from `start` with its lists nested as `lists_nested_at_four` does
    (Python-Markdown reads a quote's text again without its preprocessors), and the index
    after it. Blank lines between quoted lines keep the quote going, as Python-Markdown
    joins such quotes."""
    end = start
    while end < len(lines):
        if _QUOTE_PREFIX.match(lines[end]):
            end += 1
            continue
        following = end
        while following < len(lines) and not lines[following].strip():
            following += 1
        if following > end and following < len(lines) and _QUOTE_PREFIX.match(lines[following]):
            end = following
            continue
        break
    block = lines[start:end]
    prefixes = [_QUOTE_PREFIX.match(line) for line in block]
    typed = [
        line[prefix.end() :] if prefix else line
        for line, prefix in zip(block, prefixes, strict=True)
    ]
    quoted: list[str] = []
    source = 0
    for text in lists_nested_at_four(typed, depth):
        if not text and (source == len(typed) or typed[source].strip()):
            # A blank line put around a fenced block in an item (no line typed is made
            # blank): it stays inside the quote.
            quoted.append(">")
            continue
        quoted.append(f"> {text}".rstrip() if prefixes[source] else text)
        source += 1
    return quoted, end


def fences_set_apart(lines: list[str]) -> list[str]:
    """The lines with a blank line before and after each fenced block at the left margin
    that a text's line touches.

    A fence may interrupt a paragraph, as on GitHub; SuperFences sets such a block aside
    but leaves it inside the paragraph around it. Fences in list items are at 4 spaces or
    more by now, set apart by `lists_nested_at_four`.
    """
    result: list[str] = []
    closing_fence: re.Pattern | None = None
    after_fence = False
    for line in lines:
        if closing_fence is not None:
            result.append(line)
            if closing_fence.fullmatch(line):
                closing_fence = None
                after_fence = True
            continue
        if after_fence and line.strip():
            result.append("")
        after_fence = False
        fence = _FENCE_OPENING.fullmatch(line)
        if fence and len(line) - len(line.lstrip(" ")) < _NESTING_WIDTH:
            if result and result[-1].strip():
                result.append("")
            closing_fence = _closing_fence(fence)
        result.append(line)
    return result


def _closing_fence(opening: re.Match) -> re.Pattern:
    mark = opening[1] or opening[3]
    return re.compile(rf" *{re.escape(mark[0])}{{{len(mark)},}} *")


class _ListIndents(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        return fences_set_apart(lists_nested_at_four(lines))


class _ListIndentExtension(Extension):
    def extendMarkdown(self, md) -> None:  # Python-Markdown's hook name
        # After tabs became spaces (normalize_whitespace, 30); before SuperFences sets
        # fenced code aside (25): it takes fences at the start of a line there, and those
        # in list items when the list is parsed, at Python-Markdown's 4-space levels.
        md.preprocessors.register(_ListIndents(md), "list_indents", 27)


def convert(
    text: str,
    anchor_prefix: str = "",
    footnote_backlink_title: str = "Back to footnote %d in the text",
    title_level: int = DEFAULT_TITLE_LEVEL,
) -> Converted:
    """Markdown to sanitised HTML; every `id` and in-page link carries `anchor_prefix`,
    and headings start one level below `title_level` (the title the text sits under).

    Pure and unbounded: call `render()`, which runs this in the child process.
    """
    placeholder_prefix = f"photo-figure-{secrets.token_hex(8)}"
    figures = _PhotoFigureExtension(placeholder_prefix)
    configs = {
        **_EXTENSION_CONFIGS,
        "markdown.extensions.footnotes": {"BACKLINK_TITLE": footnote_backlink_title},
    }
    html = markdown.markdown(
        text,
        extensions=[
            *_EXTENSIONS,
            figures,
            _HeadingLevelExtension(title_level),
            _BareAddressExtension(),
            _JoinedJapaneseLinesExtension(),
            _ListIndentExtension(),
        ],
        extension_configs=configs,
        output_format="html",
    )
    html = _escape_unclosed(html)
    # Headings, footnotes and their links must stay unique when several sections share a
    # page: ids get the section's prefix, and links to those ids follow them.
    local_ids = {html_module.unescape(value) for value in _ID_ATTRIBUTE.findall(html)}

    def checked_address(tag: str, attribute: str, value: str) -> str | None:
        if attribute in ("href", "src") and ("<" in value or ">" in value):
            # An angle-bracketed address left open (`[x](<data:…`): Markdown kept its
            # bracket, so it is no address a writer meant, only text made to look like one.
            return None
        if anchor_prefix and attribute == "href" and value[:1] == "#" and value[1:] in local_ids:
            return f"#{anchor_prefix}{value[1:]}"
        return value

    cleaned = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        clean_content_tags=_DROPPED_WITH_CONTENT,
        attributes=_ALLOWED_ATTRIBUTES,
        allowed_classes=_ALLOWED_CLASSES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        id_prefix=anchor_prefix or None,
        attribute_filter=checked_address,
    )
    return Converted(
        cleaned,
        tuple(figures.processor.references),
        placeholder_prefix,
        tuple(figures.images.addresses),
    )


def _escape_unclosed(html: str) -> str:
    """Show as text each swallowing start tag, comment or declaration that is never closed.

    Works on Python-Markdown's output, where the writer's text is already escaped and only
    raw HTML the writer typed is markup, so what is escaped here is the writer's own tag
    and the text after it stays on the page. A closed element is left to the sanitiser.
    One pass over the text whatever it holds, so that many tags cost no more than a few.
    """
    last_end = {match[1].lower(): match.start() for match in _SWALLOWING_END.finditer(html)}
    last_comment_end = html.rfind("-->")
    last_gt = html.rfind(">")

    def never_closed(match: re.Match) -> bool:
        if match[1]:
            name = match[1].lower()
            return name == "plaintext" or last_end.get(name, -1) < match.end()
        if match[0] == "<!--":
            return last_comment_end < match.end() - 2  # `<!-->` closes itself
        return last_gt < match.end()

    return _SWALLOWING_START.sub(
        lambda match: "&lt;" + match[0][1:] if never_closed(match) else match[0], html
    )


# --- Stage two: bounded rendering, in the web process ----------------------------------------

_worker = Worker(convert)


def check_length(text: str) -> None:
    if len(text) > MAX_CHARACTERS:
        raise MarkdownRefused(
            _(
                "This text is too long: %(length)s characters. Keep it under %(limit)s "
                "characters, or split it into more sections."
            ),
            code="too_long",
            params={"length": f"{len(text):,}", "limit": f"{MAX_CHARACTERS:,}"},
        )


def render(
    text: str,
    *,
    anchor_prefix: str = "",
    photos: Mapping[int, Any] | None = None,
    title_level: int = DEFAULT_TITLE_LEVEL,
) -> Rendered:
    """Render writer Markdown to safe HTML within RENDER_TIMEOUT_SECONDS, or refuse it.

    `photos` maps photo ids to the Photo rows that references may show (the report's);
    a reference to any other id renders as a notice. `title_level` is the level of the
    page's heading above the text (2 for `<h2>`): the text's headings go below it.
    Raises MarkdownRefused.
    """
    converted = _converted(text or "", anchor_prefix, title_level)
    html, unshown_images = _place_images(converted)
    html = _place_figures(converted, html, photos or {})
    return Rendered(mark_safe(html), converted.photo_references, unshown_images)


def photo_references(text: str) -> tuple[PhotoReference, ...]:
    """The photo references in `text` as the page reads them, in order: what looks like one
    in code is code. Raises MarkdownRefused."""
    return _converted(text, "", DEFAULT_TITLE_LEVEL).photo_references


def _converted(text: str, anchor_prefix: str, title_level: int) -> Converted:
    """`convert()` in the child process, within its time and length."""
    check_length(text)
    try:
        return _worker.call(
            text,
            anchor_prefix,
            gettext("Back to footnote %d in the text"),
            title_level,
            timeout=RENDER_TIMEOUT_SECONDS,
        )
    except ConversionTimedOut:
        raise MarkdownRefused(
            _(
                "This text takes too long to format. Look for long runs of unclosed "
                "brackets such as [ or ![, or very deeply nested lists or quotes, and "
                "simplify them."
            ),
            code="too_slow",
        ) from None
    except ConversionFailed as failure:
        if failure.reason == "too_deep":
            raise MarkdownRefused(
                _("Lists or quotes are nested too deeply here. Flatten them a little."),
                code="too_deep",
            ) from None
        raise MarkdownRefused(
            _("This text could not be formatted. Simplify its formatting and try again."),
            code="failed",
        ) from None


def render_markdown(text: str) -> SafeString:
    """Writer Markdown to safe HTML, without photos or anchor prefixes (markdownx's hook)."""
    return render(text).html


# A tag as the sanitiser writes it: every attribute value double-quoted, with `"`, `<` and
# `>` escaped inside it, and no `<` left unescaped in text. Matching whole tags from left to
# right never finds one inside an attribute value or a code sample.
_SANITISED_TAG = re.compile(r'<(/?[a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s"\'>/=]+="[^"]*")*)\s*/?>')
_SANITISED_ATTRIBUTE = re.compile(r'([^\s"\'>/=]+)="([^"]*)"')


def _place_images(converted: Converted) -> tuple[str, tuple[UnshownImage, ...]]:
    """The converted HTML with each image other than a photo figure decided: a Markdown
    image whose address readers' browsers may load keeps it; any other image, and every
    `<img>` written in HTML (photos are placed with their description, through `photo:N`),
    becomes a notice with its description, rather than a broken image."""
    from django.template.loader import render_to_string

    tokens = {
        converted.image_token(index): index for index in range(len(converted.image_addresses))
    }
    unshown: list[UnshownImage] = []

    def decide(tag: re.Match) -> str:
        if tag[1].lower() != "img":
            return tag[0]
        attributes = {
            name.lower(): html_module.unescape(value)
            for name, value in _SANITISED_ATTRIBUTE.findall(tag[2])
        }
        index = tokens.get(attributes.get("src", ""))
        if index is not None:
            address = converted.image_addresses[index]
            if _image_may_show(address):
                return tag[0].replace(
                    f'src="{converted.image_token(index)}"',
                    f'src="{html_module.escape(address, quote=True)}"',
                    1,
                )
        else:
            address = attributes.get("src", "")
        alt = attributes.get("alt", "")
        unshown.append(UnshownImage(address, alt, written_in_html=index is None))
        return render_to_string("blog/includes/image_not_shown.html", {"alt": alt}).strip()

    return _SANITISED_TAG.sub(decide, converted.html), tuple(unshown)


def _image_may_show(address: str) -> bool:
    """Whether an image from `address` in a text is shown to readers: a web address (or
    one relative to the site) that the site's Content Security Policy lets pages load."""
    try:
        scheme = urlsplit(address).scheme.lower()
    except ValueError:  # an address that is no URL at all, such as `http://[`
        return False
    return scheme in _IMAGE_URL_SCHEMES and image_may_load(address)


def _place_figures(converted: Converted, html: str, photos: Mapping[int, Any]) -> str:
    from django.template.loader import render_to_string

    from blog.figures import figure_html

    for index, reference in enumerate(converted.photo_references):
        photo = photos.get(reference.photo_id)
        if photo is None:
            figure = render_to_string(
                "blog/includes/missing_photo.html", {"reference": reference}
            ).strip()
        else:
            shown = copy.copy(photo)
            # The text decides how the photo is described where it is placed; the photo's
            # own alternative text stands in when the text leaves it empty.
            shown.alt_text = reference.alt.strip() or photo.alt_text
            shown.caption = reference.caption.strip()
            figure = figure_html(shown)
            figure = f"<!-- photo:{photo.pk} -->{figure}"
        html = html.replace(converted.placeholder(index), figure)
    return html


def inline_photo_ids(html: str) -> set[int]:
    """Ids of the photos that rendered HTML already shows inside the text."""
    return {int(found) for found in INLINE_PHOTO_MARKER.findall(html)}


# What stored HTML may hold besides a writer's allowlist: the figures this pipeline places.
_STORED_TAGS = _ALLOWED_TAGS | {"figure", "figcaption", "picture", "source"}
_STORED_ATTRIBUTES = {
    **_ALLOWED_ATTRIBUTES,
    "*": {"id", "class"},
    "img": _ALLOWED_ATTRIBUTES["img"] | {"srcset", "sizes", "loading", "decoding"},
    "source": {"type", "srcset", "sizes"},
}
_URL_ATTRIBUTES = {"href", "src"}


def with_absolute_urls(stored_html: str, base_url: str) -> str:
    """Stored HTML (already sanitised on save) with every address made absolute against
    `base_url`, for a copy read on another site; in-page links (#...) stay as they are.

    The HTML goes through the sanitiser again rather than a pattern: only real attributes
    are rewritten, never text that looks like one (a code sample showing `src="/..."`).
    """
    base = base_url.rstrip("/") + "/"

    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if attribute in _URL_ATTRIBUTES and not value.startswith("#"):
            return urljoin(base, value)
        if attribute == "srcset":
            candidates = (candidate.strip().split(" ", 1) for candidate in value.split(","))
            return ", ".join(
                " ".join([urljoin(base, url), *descriptor]) for url, *descriptor in candidates
            )
        return value

    return nh3.clean(
        stored_html,
        tags=_STORED_TAGS,
        attributes=_STORED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=absolute,
    )
