from django.views.generic import DetailView, ListView

from blog.models import Report


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
