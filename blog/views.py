from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView

from blog.models import Report
from blog.sharing import link_for


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


@method_decorator([never_cache, staff_member_required], name="dispatch")
class ReportPreviewView(DetailView):
    """The whole report as readers will see it, at any status, for its writers and editors."""

    template_name = "blog/report_detail.html"
    context_object_name = "report"

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
    """The preview behind a signed share link; forged, expired or revoked links are 404."""

    template_name = "blog/report_detail.html"
    context_object_name = "report"

    def get_object(self, queryset=None):
        link = link_for(self.kwargs["token"])
        if link is None:
            raise Http404("This preview link is not valid.")
        return Report.objects.for_page().get(pk=link.report_id)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, preview=True)

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        # A shared draft must not be indexed or leak its address onwards.
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        return response
