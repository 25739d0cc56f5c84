"""What readers may see of the people, tags and conference data around the reports.

An event, session, speaker, author or tag is public only through a published report:
each function here starts from `Report.objects.published()` or
`Section.objects.published()`, so a draft or scheduled report never makes a page
appear. The conference app knows nothing of reports, so these live on the blog side.
"""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet, Subquery

from blog.models import Report, Section, Tag
from sessions.models import Event, Session, SessionSpeaker, Speaker


def public_events() -> QuerySet[Event]:
    """Events that a published report is about."""
    return Event.objects.filter(pk__in=Report.objects.published().values("event"))


def public_sessions() -> QuerySet[Session]:
    """Sessions that a published section covers."""
    return Session.objects.filter(pk__in=Section.objects.published().values("session"))


def public_speakers() -> QuerySet[Speaker]:
    """Speakers of sessions that a published section covers."""
    appearances = SessionSpeaker.objects.filter(session__in=public_sessions())
    return Speaker.objects.filter(pk__in=appearances.values("speaker"))


def public_authors() -> QuerySet:
    """Staff members who wrote a published section."""
    return (
        get_user_model()
        .objects.filter(is_staff=True, pk__in=Section.objects.published().values("author"))
        .select_related("author_profile")
    )


def public_tags() -> QuerySet[Tag]:
    """Tags of published reports."""
    tagged = Report.tags.through.objects.filter(report__in=Report.objects.published())
    return Tag.objects.filter(pk__in=tagged.values("tag"))


def last_modified_of_reports(**lookups) -> Subquery:
    """The latest change among the published reports that `lookups` select.

    For a page listing reports or their sections (an event's, a speaker's...): annotate
    its rows with this, `lookups` pointing back at the row with `OuterRef("pk")`.
    """
    reports = (
        Report.objects.published()
        .filter(**lookups)
        .with_last_modified()
        .order_by("-last_modified")
        .values("last_modified")[:1]
    )
    return Subquery(reports)
