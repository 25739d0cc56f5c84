"""Search results that point: each report found, with the passages where the words are.

Which reports match is decided in the database (`ReportQuerySet.matching`, every word
somewhere in the report). This module then says where: the sections containing any of
the words, each with an excerpt around the first match and a link to the section on
the report page, and the lead when the match is there. Excerpts are cut from the
stored, sanitised HTML's visible text and built by escaping every piece; only our own
`<mark>` is markup, so nothing a writer typed reaches the page as HTML.
"""

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from blog.models import Photo, Report, Section, plain_text

# Characters of context before the first match, and the excerpt's whole length: about two
# lines of Japanese text in a result.
EXCERPT_CONTEXT = 40
EXCERPT_LENGTH = 140
# How far an excerpt's start may move to begin at a word (Latin) or a clause (Japanese).
EXCERPT_SNAP = 15


@dataclass
class Passage:
    """A matching section: its title and an excerpt, highlighted, and where it is."""

    title: SafeString
    excerpt: SafeString
    url: str


@dataclass
class Hit:
    report: Report
    title: SafeString
    lead: SafeString | None  # the lead's excerpt, when the words are there or nowhere else
    passages: list[Passage] = field(default_factory=list)


def search_hits(reports: Sequence[Report], query: str) -> list[Hit]:
    """Where `query`'s words are in each of `reports` (one query for all of them)."""
    words = query.split()
    if not words:
        return []
    pattern = _pattern(words)
    numbers = [report.pk for report in reports]
    by_report = _by_report(
        Section.objects.filter(report__in=numbers).containing(words).select_related("session")
    )
    photos_by_report = _by_report(
        Photo.objects.filter(report__in=numbers)
        .described_by(words)
        .select_related("section__session")
    )
    hits = []
    for report in reports:
        passages = []
        for section in by_report[report.pk]:
            section.report = report  # for its URL, without a query
            passages.append(
                Passage(
                    title=highlighted(section.title, pattern, length=None),
                    excerpt=highlighted(_visible(section.body_html), pattern),
                    url=section.get_absolute_url(),
                )
            )
        passages += _photo_passages(report, photos_by_report[report.pk], passages, pattern)
        closing = _visible(report.closing_html)
        if closing and pattern.search(closing):
            passages.append(
                Passage(
                    title=escape(gettext("Closing thoughts")),
                    excerpt=highlighted(closing, pattern),
                    url=f"{report.get_absolute_url()}#closing",
                )
            )
        lead = _visible(report.lead_html)
        show_lead = lead and (pattern.search(lead) or not passages)
        hits.append(
            Hit(
                report=report,
                title=highlighted(report.title, pattern, length=None),
                lead=highlighted(lead, pattern) if show_lead else None,
                passages=passages,
            )
        )
    return hits


def _by_report(rows) -> dict[int, list]:
    """Rows of several reports (sections, photos), in their order, by report."""
    grouped = defaultdict(list)
    for row in rows.order_by("position", "pk"):
        grouped[row.report_id].append(row)
    return grouped


def _photo_passages(
    report: Report, photos: list[Photo], found: list[Passage], pattern: re.Pattern
) -> list[Passage]:
    """Where the words are in the captions and credits under the report's photos: the
    gallery's, and a section's that its text does not already show as found. (A photo of
    the lead or the closing is described in that text, searched with it.)"""
    passages, seen_urls = [], {passage.url for passage in found}
    for photo in photos:
        words_under_it = " ".join(part for part in (photo.caption, photo.credit_text) if part)
        if photo.in_gallery:
            title, url = (
                gettext("Extra: photos from the venue"),
                f"{report.get_absolute_url()}#gallery",
            )
        elif photo.section is not None:
            photo.section.report = report  # for its URL, without a query
            title, url = photo.section.title, photo.section.get_absolute_url()
        else:
            continue
        if url in seen_urls:
            continue
        seen_urls.add(url)
        passages.append(
            Passage(
                title=highlighted(title, pattern, length=None),
                excerpt=highlighted(words_under_it, pattern),
                url=url,
            )
        )
    return passages


def _pattern(words: list[str]) -> re.Pattern:
    # Longest first, so that "観測性" is marked whole rather than as "観測" and the rest.
    alternatives = sorted({re.escape(word) for word in words}, key=len, reverse=True)
    return re.compile("|".join(alternatives), re.IGNORECASE)


def _visible(fragment: str) -> str:
    return " ".join(plain_text(fragment).split())


def highlighted(
    text: str, pattern: re.Pattern, *, length: int | None = EXCERPT_LENGTH
) -> SafeString:
    """`text` escaped, each match in `<mark>`; cut to `length` characters around the first
    match (with "…" where text was left out), or whole when `length` is None."""
    start, end = 0, len(text)
    if length is not None and len(text) > length:
        first = pattern.search(text)
        start = max(0, first.start() - EXCERPT_CONTEXT) if first else 0
        start = min(start, len(text) - length)
        if start > 0:
            # Begin after a space or a Japanese comma or stop close by, not inside a word.
            gap = re.search(r"[\s、。]", text[start : start + EXCERPT_SNAP])
            if gap and (not first or start + gap.end() <= first.start()):
                start += gap.end()
        end = min(len(text), start + length)
    excerpt = text[start:end]
    pieces, position = [], 0
    for match in pattern.finditer(excerpt):
        pieces.append(escape(excerpt[position : match.start()]))
        pieces.append(format_html("<mark>{}</mark>", match.group()))
        position = match.end()
    pieces.append(escape(excerpt[position:]))
    before = "…" if start > 0 else ""
    after = "…" if end < len(text) else ""
    return mark_safe(before + "".join(pieces) + after)
