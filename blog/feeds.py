"""Atom (/feed/) and RSS (/feed/rss/) feeds of every published report."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext_lazy as _

from blog.models import Report, author_url, display_name_of


class MultiAuthorAtomFeed(Atom1Feed):
    """Atom with one <author> per section author; Django's own writes at most one."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, uri in item["authors"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", uri)
            handler.endElement("author")


class MultiAuthorRssFeed(Rss201rev2Feed):
    """RSS with one <dc:creator> per section author: RSS's own <author> wants an email."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:dc": "http://purl.org/dc/elements/1.1/"}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _uri in item["authors"]:
            handler.addQuickElement("dc:creator", name)


class ReportAtomFeed(Feed):
    feed_type = MultiAuthorAtomFeed
    link = reverse_lazy("blog:index")
    # Atom wants an author for every entry; the site stands in for reports without sections.
    author_name = settings.SITE_NAME

    def title(self) -> str:
        return settings.SITE_NAME

    def description(self) -> str:
        return str(_("Conference reports and engineering notes from our SRE team."))

    def subtitle(self) -> str:
        return self.description()

    def get_object(self, request, *args, **kwargs):
        # One Feed instance serves every request, so nothing request-bound may be kept
        # on it: the request travels to items() as the feed's "object" instead.
        return request

    def items(self, request) -> list[Report]:
        # Every published report, newest first, as the index lists them.
        reports = list(Report.objects.published().for_feed())
        for report in reports:
            report.feed_authors = [
                (display_name_of(author), request.build_absolute_uri(author_url(author)))
                for author in report.authors
            ]
        return reports

    def item_title(self, report: Report) -> str:
        return report.title

    def item_description(self, report: Report) -> str:
        # The lead, stored as sanitised HTML; feed readers show it as the summary.
        return report.lead_html

    def item_pubdate(self, report: Report):
        return report.published_at

    def item_updateddate(self, report: Report):
        return report.last_modified

    def item_categories(self, report: Report) -> list[str]:
        return [tag.name for tag in report.tags.all()]

    def item_extra_kwargs(self, report: Report) -> dict:
        return {"authors": report.feed_authors}


class ReportRssFeed(ReportAtomFeed):
    feed_type = MultiAuthorRssFeed
    author_name = None
