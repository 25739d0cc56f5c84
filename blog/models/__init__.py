"""The writing: reports, their sections and photos, and the trail the review leaves.

One module per aggregate; everything is importable from `blog.models` as before.
"""

from blog.enums import ReportStatus, SectionStatus
from blog.models.coverage import WRITERS_PER_SESSION, DeadlineReminder, SessionCoverage
from blog.models.people import (
    AuthorProfile,
    author_url,
    display_name_of,
    display_names_of,
    language_of,
)
from blog.models.photos import Photo, _photo_upload_to, validate_raster_image
from blog.models.reports import (
    Report,
    ReportMember,
    ReportQuerySet,
    ReportTransition,
    ShareLink,
    Tag,
    published_condition,
)
from blog.models.sections import (
    ReviewComment,
    Section,
    SectionAutosave,
    SectionQuerySet,
    SectionTransition,
)
from blog.models.text import (
    PHOTO_ALT_PLACEHOLDER,
    PHOTO_CAPTION_PLACEHOLDER,
    MarkdownFieldsMixin,
    alt_placeholders,
    caption_placeholders,
    is_alt_placeholder,
    normalized_text,
    plain_text,
    reading_minutes_for,
)

__all__ = [
    "PHOTO_ALT_PLACEHOLDER",
    "PHOTO_CAPTION_PLACEHOLDER",
    "WRITERS_PER_SESSION",
    "AuthorProfile",
    "DeadlineReminder",
    "MarkdownFieldsMixin",
    "Photo",
    "Report",
    "ReportMember",
    "ReportQuerySet",
    "ReportStatus",
    "ReportTransition",
    "ReviewComment",
    "Section",
    "SectionAutosave",
    "SectionQuerySet",
    "SectionStatus",
    "SectionTransition",
    "SessionCoverage",
    "ShareLink",
    "Tag",
    "_photo_upload_to",
    "alt_placeholders",
    "author_url",
    "caption_placeholders",
    "display_name_of",
    "display_names_of",
    "is_alt_placeholder",
    "language_of",
    "normalized_text",
    "plain_text",
    "published_condition",
    "reading_minutes_for",
    "validate_raster_image",
]
