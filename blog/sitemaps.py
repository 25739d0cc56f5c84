"""/sitemap.xml: every public page, with the time its content last changed."""

from django.contrib.sitemaps import Sitemap
from django.db.models import OuterRef
from django.urls import reverse

from blog.models import Report, author_url
from blog.public import (
    last_modified_of_reports,
    public_authors,
    public_events,
    public_sessions,
    public_speakers,
    public_tags,
)


class LastModifiedSitemap(Sitemap):
    """Items carry a `last_modified` annotation (see `blog.public`)."""

    def lastmod(self, item):
        return item.last_modified


class IndexSitemap(Sitemap):
    changefreq = "daily"

    def items(self) -> list[str]:
        return ["blog:index"]

    def location(self, name: str) -> str:
        return reverse(name)

    def lastmod(self, name: str):
        newest = Report.objects.published().with_last_modified().order_by("-last_modified")
        return newest.values_list("last_modified", flat=True).first()


class PageSitemap(Sitemap):
    """Pages about the site rather than its content: nothing dates them."""

    def items(self) -> list[str]:
        return ["blog:feeds"]

    def location(self, name: str) -> str:
        return reverse(name)


class ReportSitemap(LastModifiedSitemap):
    def items(self):
        return Report.objects.published().with_last_modified().order_by("-published_at", "-pk")


class EventSitemap(LastModifiedSitemap):
    def items(self):
        return (
            public_events()
            .annotate(last_modified=last_modified_of_reports(event=OuterRef("pk")))
            .order_by("pk")
        )


class SessionSitemap(LastModifiedSitemap):
    def items(self):
        return (
            public_sessions()
            .annotate(last_modified=last_modified_of_reports(sections__session=OuterRef("pk")))
            .order_by("pk")
        )


class SpeakerSitemap(LastModifiedSitemap):
    def items(self):
        speaker_reports = last_modified_of_reports(
            sections__session__appearances__speaker=OuterRef("pk")
        )
        return public_speakers().annotate(last_modified=speaker_reports).order_by("pk")


class AuthorSitemap(LastModifiedSitemap):
    def items(self):
        return (
            public_authors()
            .annotate(last_modified=last_modified_of_reports(sections__author=OuterRef("pk")))
            .order_by("pk")
        )

    def location(self, user) -> str:
        return author_url(user)


class TagSitemap(LastModifiedSitemap):
    def items(self):
        return (
            public_tags()
            .annotate(last_modified=last_modified_of_reports(tags=OuterRef("pk")))
            .order_by("pk")
        )


SITEMAPS = {
    "index": IndexSitemap,
    "pages": PageSitemap,
    "reports": ReportSitemap,
    "events": EventSitemap,
    "sessions": SessionSitemap,
    "speakers": SpeakerSitemap,
    "authors": AuthorSitemap,
    "tags": TagSitemap,
}
