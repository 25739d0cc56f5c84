import unicodedata

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView

from blog import pagecache
from blog.models import Report, Section
from blog.pagecache import public_page
from blog.public import public_authors, public_tags
from blog.search import search_hits
from blog.sharing import link_for
from blog.site import BlogIndex, share_image
from blog.templatetags.reader import fragment_names
from cms.pagination import paginate
from cms.views import OldSlugRedirectMixin

# Longer queries are cut: nobody types more, and each word costs a subquery.
MAX_QUERY_LENGTH = 100
MAX_QUERY_WORDS = 5


@method_decorator(public_page, name="dispatch")
class ReportIndexView(ListView):
    template_name = "blog/report_index.html"
    context_object_name = "reports"
    paginate_by = 10

    def get_queryset(self):
        return Report.objects.published().for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {**context, "index": BlogIndex(context["reports"]), "share_image": share_image()}


@method_decorator(public_page, name="dispatch")
class ReportDetailView(OldSlugRedirectMixin, DetailView):
    """The combined report. Its costly parts are kept fragments (blog/pagecache.py): when
    all of them are kept, the report itself need not be read; otherwise its content is
    fetched on first use (`Report.load_page_content`) by the fragments out of date."""

    template_name = "blog/report_detail.html"
    context_object_name = "report"

    def dispatch(self, request, *args, **kwargs):
        self.fragments = pagecache.read_fragments(request, fragment_names(self.template_name))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return Report.objects.published().with_last_modified().select_related("event")

    def get_object(self, queryset=None):
        if self.fragments is not None and self.fragments.complete:
            return None  # every part showing it is kept, under the current generation
        return super().get_object(queryset)


@method_decorator(never_cache, name="dispatch")
class ReportPreviewView(DetailView):
    """The whole report as readers will see it, at any status, for its writers and editors."""

    template_name = "blog/report_detail.html"
    context_object_name = "report"

    def dispatch(self, request, *args, **kwargs):
        # A preview link pasted in a chat outlives the draft: once the report is out,
        # whoever may not preview it (a reader, above all) is sent to the page readers see.
        published = Report.objects.published().filter(pk=kwargs["pk"]).first()
        if published is not None and not request.user.has_perm("blog.preview_report", published):
            return redirect(published)
        return staff_member_required(super().dispatch)(request, *args, **kwargs)

    def get_queryset(self):
        return Report.objects.for_page()

    def get_object(self, queryset=None):
        report = super().get_object(queryset)
        if not self.request.user.has_perm("blog.preview_report", report):
            raise PermissionDenied
        return report

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, preview=True)


@method_decorator(never_cache, name="dispatch")
class SharedPreviewView(DetailView):
    """The preview behind a signed share link. A forged link is 404; an expired or revoked
    one says so (410), and where the report has since been published, links to it."""

    template_name = "blog/report_detail.html"
    context_object_name = "report"

    def get(self, request, *args, **kwargs):
        self.link = link_for(self.kwargs["token"])
        # A report moved to the trash takes its share links with it.
        if self.link is None or self.link.report.trashed_at is not None:
            raise Http404("This preview link is not valid.")
        if not self.link.is_usable:
            context = {"link": self.link, "published": self.link.report.is_published}
            response = TemplateResponse(request, "blog/share_link_ended.html", context, status=410)
            return self._unshared(response)
        return super().get(request, *args, **kwargs)

    def get_object(self, queryset=None):
        return get_object_or_404(Report.objects.for_page(), pk=self.link.report_id)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, preview=True)

    def render_to_response(self, context, **response_kwargs):
        return self._unshared(super().render_to_response(context, **response_kwargs))

    @staticmethod
    def _unshared(response):
        # A shared draft must not be indexed or leak its address onwards.
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        return response


@method_decorator(public_page, name="dispatch")
class AuthorDetailView(DetailView):
    """Every published section one staff member wrote, newest first."""

    template_name = "blog/author_detail.html"
    context_object_name = "author"
    slug_field = "username"
    slug_url_kwarg = "username"

    def get_queryset(self):
        return public_authors()

    def get_context_data(self, **kwargs):
        sections = Section.objects.published().filter(author=self.object).for_listing()
        return super().get_context_data(sections=paginate(self.request, sections, 20), **kwargs)


@method_decorator(public_page, name="dispatch")
class TagDetailView(OldSlugRedirectMixin, DetailView):
    template_name = "blog/tag_detail.html"
    context_object_name = "tag"

    def get_queryset(self):
        return public_tags()

    def get_context_data(self, **kwargs):
        reports = Report.objects.published().filter(tags=self.object).for_listing()
        return super().get_context_data(reports=paginate(self.request, reports, 10), **kwargs)


@method_decorator(public_page, name="dispatch")
class SearchView(TemplateView):
    """Published reports containing every word of `?q=`, each with the passages that match
    and links to their sections; an empty query shows the form."""

    template_name = "blog/search.html"

    def get_context_data(self, **kwargs):
        query = clean_query(self.request.GET.get("q", ""))
        results, hits = None, []
        if query:
            reports = Report.objects.published().matching(query).for_listing()
            results = paginate(self.request, reports, 10)
            hits = search_hits(list(results.object_list), query)
        return super().get_context_data(query=query, results=results, hits=hits, **kwargs)


def clean_query(raw: str) -> str:
    """The words of a search as typed, within the limits; NUL never reaches the database.

    In Unicode's compatibility form (NFKC): an input method left in full-width mode types
    ＳＬＯ and ｶｰﾈﾙ for the SLO and カーネル that texts hold."""
    words = unicodedata.normalize("NFKC", raw.replace("\x00", ""))[:MAX_QUERY_LENGTH].split()
    return " ".join(words[:MAX_QUERY_WORDS])


@method_decorator(public_page, name="dispatch")
class FeedsView(TemplateView):
    """How to follow the reports, for people rather than feed readers: what a feed is for,
    and the feeds' addresses to copy. A feed opened in a browser is a page of XML, or a
    download, so the footer links here and only `<link rel="alternate">` to the feeds."""

    template_name = "blog/feeds.html"


@method_decorator(public_page, name="dispatch")
class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"
