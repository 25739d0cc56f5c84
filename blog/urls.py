from django.urls import path

from blog import views

app_name = "blog"

urlpatterns = [
    path("", views.ReportIndexView.as_view(), name="index"),
    path("reports/<slug:slug>/", views.ReportDetailView.as_view(), name="report_detail"),
]
