"""A report leaving the site for the company blog: Hatena Blog Markdown, or one HTML file.

Both formats read one structured copy of the report (`ExportedReport`, made by `build()`):
its parts and sections in the page's order, each section's session, speakers, byline and
figures, the lead, the closing and the gallery, with every image address absolute,
because the copy is read on another site. The Hatena format is written from each text's
Markdown source (Hatena renders Markdown itself, and an editor can still touch it up
there); the HTML file from the stored, sanitised HTML, never from a scraped page.

Labels ("目次", "執筆", ...) are the page's own, in the language the reports are written in.
"""

import dataclasses
import datetime
import itertools
import re
from urllib.parse import urljoin

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext, pgettext
from markdown_it import MarkdownIt

from blog import code_style, markdown
from blog.enums import ExportFormat
from blog.models import Photo, Report, Section
from sessions.models import Event

# --- The structured copy ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Figure:
    src: str  # absolute
    width: int | None
    height: int | None
    alt: str
    caption: str
    credit_text: str
    credit_url: str


@dataclasses.dataclass(frozen=True)
class Speaker:
    name: str
    affiliation: str


@dataclasses.dataclass(frozen=True)
class Fact:
    label: str
    text: str
    url: str = ""


@dataclasses.dataclass(frozen=True)
class ExportedEvent:
    name: str
    facts: tuple[Fact, ...]


@dataclasses.dataclass(frozen=True)
class Text:
    """One Markdown field: its source for Hatena, its stored HTML (absolute) for the file,
    and the level of the title it sits under on the page, which its headings go below."""

    markdown: str
    html: str
    title_level: int


@dataclasses.dataclass(frozen=True)
class ExportedSection:
    anchor: str
    title: str
    session_title: str  # under a heading of the writer's own, as on the page; else ""
    speakers: tuple[Speaker, ...]
    track: str
    author_name: str
    author_team: str
    body: Text
    figures: tuple[Figure, ...]


@dataclasses.dataclass(frozen=True)
class Part:
    """A run of sections: the session sections share a part heading, others stand alone."""

    title: str  # empty for a section that stands alone
    anchor: str
    sections: tuple[ExportedSection, ...]


@dataclasses.dataclass(frozen=True)
class ExportedReport:
    title: str
    slug: str
    language: str
    published_at: datetime.datetime | None
    event: ExportedEvent | None
    lead: Text
    closing: Text
    parts: tuple[Part, ...]
    gallery: tuple[Figure, ...]
    photos: dict[int, Figure]  # every photo of the report, for `photo:N` in the sources
    base_url: str


@dataclasses.dataclass(frozen=True)
class Export:
    """A finished file: what it is called, its media type and its text."""

    filename: str
    content_type: str
    content: str


def site_base_url(request=None) -> str:
    """Where the copy's addresses point: SITE_URL when it is configured; otherwise the
    address the editor reached the admin by (a download), else SITE_URL's local default."""
    if request is not None and not settings.SITE_URL_CONFIGURED:
        return request.build_absolute_uri("/").rstrip("/")
    return settings.SITE_URL


def export(report: Report, export_format: ExportFormat, *, base_url: str) -> Export:
    """The report as a file in `export_format`, its addresses absolute against `base_url`.

    Reads the report as it stands, at any status: an unpublished report exports as a draft
    for the company blog, sections not yet approved included.
    """
    with translation.override(settings.LANGUAGE_CODE):
        exported = build(report, base_url=base_url)
        writer, extension, content_type = _FORMATS[export_format]
        return Export(f"{report.slug}{extension}", content_type, writer(exported))


def build(report: Report, *, base_url: str) -> ExportedReport:
    """The structured copy that every format reads (a fixed number of queries)."""
    report = Report.objects.for_page().get(pk=report.pk)
    base = base_url.rstrip("/") + "/"

    def absolute(url: str) -> str:
        return urljoin(base, url)

    def text(owner, field: str) -> Text:
        return Text(
            getattr(owner, field),
            markdown.with_absolute_urls(getattr(owner, owner.markdown_fields[field]), base_url),
            owner.markdown_title_level(field),
        )

    def section_of(section: Section) -> ExportedSection:
        session = section.session
        return ExportedSection(
            anchor=section.anchor,
            title=section.title,
            session_title=section.session_title_under_heading,
            speakers=tuple(
                Speaker(speaker.name, speaker.affiliation)
                for speaker in (session.ordered_speakers if session else [])
            ),
            track=session.track if session else "",
            author_name=section.author_name,
            author_team=section.author_team,
            body=text(section, "body"),
            figures=tuple(_figure(photo, absolute) for photo in section.figures),
        )

    parts = []
    for part in report.outline:  # also sets each section's `figures`
        sections = tuple(section_of(section) for section in part["sections"])
        if part["is_session_part"]:
            parts.append(Part(gettext("Session reports by our members"), part["anchor"], sections))
        else:
            parts.extend(Part("", section.anchor, (section,)) for section in sections)
    return ExportedReport(
        title=report.title,
        slug=report.slug,
        language=settings.LANGUAGE_CODE,
        published_at=report.published_at if report.is_live else None,
        event=_event(report.event) if report.event else None,
        lead=text(report, "lead"),
        closing=text(report, "closing"),
        parts=tuple(parts),
        gallery=tuple(_figure(photo, absolute) for photo in report.gallery),
        photos={photo.pk: _figure(photo, absolute) for photo in report.photos.all()},
        base_url=base_url.rstrip("/"),
    )


def _figure(photo: Photo, absolute) -> Figure:
    fallback = photo.fallback
    return Figure(
        src=absolute(photo.src),
        width=fallback["width"] if fallback else photo.width or None,
        height=fallback["height"] if fallback else photo.height or None,
        alt=photo.alt_text,
        caption=photo.caption,
        credit_text=photo.credit_text,
        credit_url=photo.credit_url,
    )


def _event(event: Event) -> ExportedEvent:
    """The event box's facts, as the page prints them."""
    facts = [Fact(gettext("Dates"), str(event.dates)), Fact(gettext("City"), event.city)]
    if event.venue:
        facts.append(Fact(gettext("Venue"), event.venue))
    facts.append(Fact(gettext("Format"), str(event.get_format_display())))
    if event.website:
        facts.append(Fact(gettext("Website"), event.website, event.website))
    return ExportedEvent(event.name, tuple(facts))


# --- Hatena Blog Markdown ---------------------------------------------------------------------
# Hatena's Markdown mode prints `#` as <h1>, which the blog keeps for the entry's title
# (typed in the editor's own title field, so not repeated here): every heading is written
# at its level on our page, whose <h1> is that title too. The report's parts are `##`, a
# section's title `##` alone or `###` under the sessions' part, and the writers' own
# headings go below the title they sit under, as the page places them: a writer types
# `## 小見出し` whatever the section's level, so it is `###` under a `##` title and `####`
# under a `###` one (blog/markdown.py, `relative_heading_levels`).

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
_PHOTO_REFERENCE = re.compile(
    r"!\[(?P<alt>[^\]]*)\]\(\s*photo:(?P<id>\d{1,18})"
    r"""(?:\s+(?P<quote>["'])(?P<caption>.*?)(?P=quote))?\s*\)"""
)
_FOOTNOTE_LABEL = re.compile(r"\[\^(?P<label>[^\]\s]+)\]")
_ROOT_RELATIVE_TARGET = re.compile(r"\]\((?P<url>/(?!/)[^)\s]*)")
_CODE_SPAN = re.compile(r"(?<!`)(?P<ticks>`+)(?!`).+?(?<!`)(?P=ticks)(?!`)", re.DOTALL)
# The page's renderer (Python-Markdown) also reads `##見出し`, without a space, at the start
# of a line (in a quote too) as a heading; CommonMark, and so markdown-it, as a paragraph.
_UNSPACED_HEADING = re.compile(r"(?:[ ]{0,3}>[ ]?)*(?P<marks>#{1,6})(?=[^#\s])")
_SETEXT_UNDERLINE = re.compile(r"[^=-]*")  # before `===` or `---`: quote marks, indentation
_QUOTE_MARKS = re.compile(r"(?:[ ]{0,3}>[ ]?)*")
# Before the text on the first line of a block: quote marks, list markers, indentation.
_CONTAINER_MARKS = re.compile(r"(?:[ ]*>[ ]?|[ ]*(?:[*+-]|\d{1,9}[.)])(?:[ ]+|$))*[ ]*")
_LINE_OF_MARKS_AT_END = re.compile(r"(?:\n[ \t>]*)+\Z")
_MARKS_AFTER_LINE_BREAK = re.compile(r"\A[ \t]*\n[ \t>]*")
# The blocks that hold a text's lines; lists and quotes only hold these.
_LEAF_BLOCKS = {
    "paragraph_open",
    "heading_open",
    "fence",
    "code_block",
    "html_block",
    "table_open",
    "hr",
}


def _parse(source: str) -> list:
    return MarkdownIt("commonmark").enable("table").parse(source)


def _plain(text: str) -> str:
    """Plain text (a title, a name) that Markdown and Hatena's notation must print as is."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _figure_html(figure: Figure) -> str:
    # Hatena's own editor writes a captioned photo as <figure class="figure-image
    # figure-image-fotolife"> with a <figcaption>, so blog themes already style that markup
    # (centred, caption in small print under the image); we write the same, with the credit
    # in <small>, HTML's element for attributions. Raw HTML passes through the Markdown mode
    # as it is, but a line break inside it may become <br>, hence one line per figure.
    return " ".join(
        render_to_string("blog/export/figure.html", {"figure": figure}).split("\n")
    ).strip()


def _hatena_markdown(text: Text, report: ExportedReport, label_prefix: str) -> str:
    """A text's Markdown as Hatena should get it: its headings at their levels on our page;
    each `![alt](photo:N "caption")` a figure with its absolute address, placed where our
    page places it (blog/markdown.py): one beginning a line of a paragraph splits the
    paragraph there, any other goes after the block that held it, in the same list item
    or quote; footnote labels with the section's prefix, so that two sections' `[^1]` stay
    two footnotes in the one entry; root-relative links pointing to our site. Code is left
    alone.
    """
    if not text.markdown.strip():
        return ""
    source = _headings_as_on_the_page(text.markdown, text.title_level)
    lines = source.split("\n")
    tokens = _parse(source)
    code_lines = {
        number
        for token in tokens
        if token.type in {"fence", "code_block"} and token.map
        for number in range(*token.map)
    }
    # The blocks that hold text, at any depth, and the lines between them: CommonMark reads
    # a footnote definition (`[^1]: ...`) as a link reference definition, which makes no
    # block of its own.
    spans, done = [], 0
    for token in tokens:
        if token.type not in _LEAF_BLOCKS or not token.map:
            continue
        start, end = token.map
        if done < start:
            spans.append((done, start, None, False))
        spans.append((start, end, token.type, token.hidden))
        done = end
    spans.append((done, len(lines), None, False))
    output: list[str] = []
    for start, end, kind, hidden in spans:
        block_lines = lines[start:end]
        # Code is blanked out (same length, so positions hold) before searching.
        masked = "\n".join(
            " " * len(line) if start + offset in code_lines else line
            for offset, line in enumerate(block_lines)
        )
        masked = _CODE_SPAN.sub(lambda match: " " * len(match[0]), masked)
        text = "\n".join(block_lines)
        # What a line of the block's list item or quote begins with: a figure placed after
        # the block stays in them, as on the page.
        containers = _CONTAINER_MARKS.match(block_lines[0])[0] if kind else ""
        prefix = re.sub(r"[^>]", " ", containers)
        if kind == "paragraph_open" and not hidden:
            pieces = _cut_where_photos_begin_a_line(text, masked, len(containers))
        else:
            # A tight list item's text stays whole on the page, its photos after it.
            pieces = [(text, masked)]
        marks_alone = ""  # a list item's or quote's marks, which the next figure follows
        for number, (piece, masked_piece) in enumerate(pieces):
            piece, figures = _rewrite_outside_code(piece, masked_piece, report, label_prefix)
            if len(pieces) > 1 and number == 0:
                # The line break before the cut, and the marks beginning that line.
                piece = _LINE_OF_MARKS_AT_END.sub("", piece).rstrip()
            elif len(pieces) > 1 and piece.strip():
                # After a cut: a line of its own in the block's list item or quote.
                piece = prefix + _MARKS_AFTER_LINE_BREAK.sub("", piece).lstrip()
            photo_follows = kind == "paragraph_open" and (figures or len(pieces) > 1)
            if photo_follows and number == 0 and piece.rstrip() == containers.rstrip() != "":
                # Nothing but the marks before the photo (`- ![…](photo:1)`): a figure on
                # a line of its own would leave the item empty, so it follows them.
                marks_alone, piece = containers, ""
            piece_lines = piece.split("\n")
            if kind == "paragraph_open" and figures:
                # A line that held only a photo would end the paragraph there, as a blank.
                piece_lines[1:] = [line for line in piece_lines[1:] if line.strip(" \t>")]
            if piece.strip() or not (figures or marks_alone):
                output.extend(piece_lines)
            for figure in figures:
                if marks_alone:
                    output.extend([marks_alone + figure, prefix.rstrip()])
                    marks_alone = ""
                else:
                    output.extend([prefix.rstrip(), prefix + figure, prefix.rstrip()])
    # Blank lines at the start go, not the spaces that make the first line code.
    joined = re.sub(r"\A\s*\n", "", "\n".join(output)).rstrip()
    return re.sub(r"\n{3,}", "\n\n", joined)


@dataclasses.dataclass(frozen=True)
class _SourceHeading:
    """A heading as typed: where its `#`s are (or go, for a setext heading) and how many."""

    line: int
    column: int
    marks: int  # 0 for a setext heading, whose text starts at `column`
    typed_level: int
    is_empty: bool
    space_needed: bool = False  # `##見出し`
    underline: int | None = None  # the `===` or `---` line of a setext heading
    # CommonMark's heading that the page shows as text: its `#`s are escaped.
    text_on_the_page: bool = False


def _headings_as_on_the_page(source: str, title_level: int) -> str:
    """`source` with every heading an ATX heading (`### 見出し`) at the level our page gives
    it under a title of `title_level`; an empty one, which the page drops, dropped. Line
    for line, so that nothing else moves; code is left alone (markdown-it finds no heading
    in it).
    """
    lines = source.split("\n")
    headings = _source_headings(_parse(source), lines)
    shown = [heading for heading in headings if not (heading.is_empty or heading.text_on_the_page)]
    levels = markdown.relative_heading_levels(
        [heading.typed_level for heading in shown], title_level
    )
    new_levels = dict(zip(shown, levels, strict=True))
    for heading in headings:
        line = lines[heading.line]
        before, after = line[: heading.column], line[heading.column + heading.marks :]
        if heading.text_on_the_page:
            lines[heading.line] = f"{before}\\{line[heading.column :]}"
            continue
        if heading.is_empty:
            lines[heading.line] = before  # the quote marks stay, so a quote stays whole
            continue
        space = " " if heading.marks == 0 or heading.space_needed else ""
        lines[heading.line] = f"{before}{'#' * new_levels[heading]}{space}{after}"
        if heading.underline is not None:
            underline = lines[heading.underline]
            lines[heading.underline] = _SETEXT_UNDERLINE.match(underline)[0].rstrip()
    return "\n".join(lines)


def _source_headings(tokens, lines: list[str]) -> list[_SourceHeading]:
    """The headings of a text as the page's renderer reads them, in order, with those that
    CommonMark reads and the page does not marked `text_on_the_page`."""
    headings = []
    items: list[int] = []  # the first line of each list item the token is in
    for index, token in enumerate(tokens):
        if token.type == "list_item_open" and token.map:
            items.append(token.map[0])
        elif token.type == "list_item_close":
            items.pop()
        if token.type == "paragraph_open" and token.map:
            for number in range(*token.map):
                if match := _UNSPACED_HEADING.match(lines[number]):
                    marks = len(match["marks"])
                    headings.append(
                        _SourceHeading(
                            line=number,
                            column=match.start("marks"),
                            marks=marks,
                            typed_level=marks,
                            is_empty=False,
                            space_needed=True,
                        )
                    )
        if token.type != "heading_open" or not token.map:
            continue
        start, end = token.map
        content = tokens[index + 1].content
        if token.markup.startswith("#"):
            # Quote and list marks hold no `#`: the line's first one starts the heading.
            column, marks, underline = lines[start].index("#"), len(token.markup), None
        elif end - start == 2:
            # A setext heading. Over more than one line of text, the page's renderer reads
            # a paragraph and a rule instead.
            column, marks, underline = lines[start].find(content), 0, end - 1
            if column < 0:
                continue
        else:
            continue
        headings.append(
            _SourceHeading(
                line=start,
                column=column,
                marks=marks,
                typed_level=int(token.tag[1]),
                is_empty=not content.strip(),
                underline=underline,
                text_on_the_page=marks > 0 and _atx_heading_is_text(lines, start, column, items),
            )
        )
    return headings


def _atx_heading_is_text(lines: list[str], line: int, column: int, items: list[int]) -> bool:
    """Whether the page shows as text the line that CommonMark reads as an ATX heading with
    its first `#` at `column`, inside list items beginning at the lines `items`.

    The page's renderer reads `#` as a heading only at the start of a line (after quote
    marks): indented by 1 to 3 spaces, as CommonMark allows, it is text. In a list item it
    is text too on a line that follows the item's first text with no blank line between:
    it goes on that text.
    """
    if items:
        first = items[-1]
        before = lines[first:line]
        return all(text.strip(" \t>") for text in before) and any(
            not _CONTAINER_MARKS.fullmatch(text) for text in before
        )
    quote_marks = _QUOTE_MARKS.match(lines[line])
    return column > quote_marks.end()


def _cut_where_photos_begin_a_line(
    text: str, masked: str, containers: int
) -> list[tuple[str, str]]:
    """A paragraph cut before and after each photo that begins one of its lines (after the
    `containers` characters of list and quote marks on its first line, or quote marks on
    the others): what came before, the photo, what follows, each with its masked copy."""
    cuts = []
    for match in _PHOTO_REFERENCE.finditer(masked):
        line_start = masked.rfind("\n", 0, match.start()) + 1
        if not line_start:
            line_start = min(containers, match.start())
        if not masked[line_start : match.start()].strip(" \t>"):
            cuts += [match.start(), match.end()]
    bounds = [0, *cuts, len(text)]
    return [
        (text[start:end], masked[start:end])
        for start, end in itertools.pairwise(bounds)
        if start < end
    ]


def _rewrite_outside_code(
    text: str, masked: str, report: ExportedReport, label_prefix: str
) -> tuple[str, list[str]]:
    edits: list[tuple[int, int, str]] = []
    figures: list[str] = []
    for match in _PHOTO_REFERENCE.finditer(masked):
        reference = _PHOTO_REFERENCE.match(text, match.start())
        photo = report.photos.get(int(reference["id"]))
        if photo is None:
            # A photo deleted after the text was saved: its description keeps the place.
            figures.append(f"{gettext('Photo not found')}: {_plain(reference['alt'])}")
        else:
            # As on our page: the text describes the photo where it places it.
            placed = dataclasses.replace(
                photo,
                alt=reference["alt"].strip() or photo.alt,
                caption=(reference["caption"] or "").strip(),
            )
            figures.append(_figure_html(placed))
        edits.append((match.start(), match.end(), ""))
    for match in _FOOTNOTE_LABEL.finditer(masked):
        edits.append((match.start(), match.end(), f"[^{label_prefix}{match['label']}]"))
    for match in _ROOT_RELATIVE_TARGET.finditer(masked):
        edits.append((match.start(), match.end(), f"]({report.base_url}{match['url']}"))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text, figures


def hatena(report: ExportedReport) -> str:
    """The report in Hatena Blog's Markdown mode, ready to paste into its editor."""
    blocks: list[str] = []
    if report.event:
        blocks.append(f"**{_plain(report.event.name)}**")
        blocks.append(
            "\n".join(f"- {_plain(fact.label)}: {_plain(fact.text)}" for fact in report.event.facts)
        )
    blocks.append(_hatena_markdown(report.lead, report, "lead-"))
    # Hatena's table of contents: it lists the entry's headings wherever the marker stands.
    blocks.append("[:contents]")
    for part in report.parts:
        if part.title:
            blocks.append(f"## {_plain(part.title)}")
        for section in part.sections:
            blocks.extend(_hatena_section(section, report))
    if report.closing.markdown.strip():
        blocks.append(f"## {_plain(gettext('Closing thoughts'))}")
        blocks.append(_hatena_markdown(report.closing, report, "closing-"))
    if report.gallery:
        blocks.append(f"## {_plain(gettext('Extra: photos from the venue'))}")
        blocks.extend(_figure_html(figure) for figure in report.gallery)
    return "\n\n".join(block for block in blocks if block) + "\n"


def _hatena_section(section: ExportedSection, report: ExportedReport) -> list[str]:
    # At the title's level on our page, which the body's headings were placed below.
    blocks = [f"{'#' * section.body.title_level} {_plain(section.title)}"]
    facts = []
    if section.session_title:
        session_label = pgettext("the talk a report section covers", "Session")
        facts.append(f"{_plain(session_label)}: {_plain(section.session_title)}")
    if section.speakers:
        speakers = "、".join(
            _with_team(speaker.name, speaker.affiliation) for speaker in section.speakers
        )
        facts.append(f"{_plain(gettext('Speakers'))}: {speakers}")
    if section.track:
        facts.append(_plain(section.track))
    facts.append(
        f"{_plain(gettext('Written by'))}: {_with_team(section.author_name, section.author_team)}"
    )
    # Two spaces end a line inside one paragraph in Markdown: the facts stay together.
    blocks.append("  \n".join(facts))
    blocks.append(_hatena_markdown(section.body, report, f"{section.anchor}-"))
    blocks.extend(_figure_html(figure) for figure in section.figures)
    return blocks


def _with_team(name: str, team: str) -> str:
    return f"{_plain(name)}（{_plain(team)}）" if team else _plain(name)


# --- One standalone HTML file -----------------------------------------------------------------


def standalone_html(report: ExportedReport) -> str:
    """A whole HTML document with its styles inside it and absolute image addresses."""
    return render_to_string(
        "blog/export/report.html",
        {"report": report, "code_css": code_style.light_stylesheet()},
    )


_FORMATS = {
    ExportFormat.HATENA: (hatena, ".hatena.md", "text/markdown; charset=utf-8"),
    ExportFormat.HTML: (standalone_html, ".html", "text/html; charset=utf-8"),
}
