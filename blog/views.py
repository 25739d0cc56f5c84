from django.views.generic import DetailView, ListView, TemplateView

from blog.models import Report, Section
from blog.public import public_authors, public_tags
from cms.pagination import paginate

# Longer queries are cut: nobody types more, and each word costs a subquery.
MAX_QUERY_LENGTH = 100
MAX_QUERY_WORDS = 5


class ReportIndexView(ListView):
    template_name = "blog/report_index.html"
    context_object_name = "reports"
    paginate_by = 10

    def get_queryset(self):
        return Report.objects.published().for_listing()


class ReportDetailView(DetailView):
    template_name = "blog/report_detail.html"
    context_object_name = "report"

    def get_queryset(self):
        return Report.objects.published().for_page()


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


class TagDetailView(DetailView):
    template_name = "blog/tag_detail.html"
    context_object_name = "tag"

    def get_queryset(self):
        return public_tags()

    def get_context_data(self, **kwargs):
        reports = Report.objects.published().filter(tags=self.object).for_listing()
        return super().get_context_data(reports=paginate(self.request, reports, 10), **kwargs)


class SearchView(TemplateView):
    """Published reports containing every word of `?q=`; an empty query shows the form."""

    template_name = "blog/search.html"

    def get_context_data(self, **kwargs):
        query = clean_query(self.request.GET.get("q", ""))
        results = None
        if query:
            reports = Report.objects.published().matching(query).for_listing()
            results = paginate(self.request, reports, 10)
        return super().get_context_data(query=query, results=results, **kwargs)


def clean_query(raw: str) -> str:
    """The words of a search as typed, within the limits; NUL never reaches the database."""
    words = raw.replace("\x00", "")[:MAX_QUERY_LENGTH].split()
    return " ".join(words[:MAX_QUERY_WORDS])


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"
