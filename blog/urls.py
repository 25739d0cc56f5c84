from django.urls import path

from blog import views

app_name = "blog"

urlpatterns = [
    path("", views.ReportIndexView.as_view(), name="index"),
    path("reports/<slug:slug>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("preview/reports/<int:pk>/", views.ReportPreviewView.as_view(), name="report_preview"),
    path("preview/shared/<str:token>/", views.SharedPreviewView.as_view(), name="shared_preview"),
]
