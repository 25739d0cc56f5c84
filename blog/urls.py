from django.contrib.sitemaps.views import sitemap
from django.urls import path

import cms.converters  # noqa: F401 - registers <uslug:>
from blog import views
from blog.feeds import ReportAtomFeed, ReportRssFeed
from blog.pagecache import public_page
from blog.sitemaps import SITEMAPS

app_name = "blog"

urlpatterns = [
    path("", views.ReportIndexView.as_view(), name="index"),
    path("reports/<uslug:slug>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("preview/reports/<int:pk>/", views.ReportPreviewView.as_view(), name="report_preview"),
    path("preview/shared/<str:token>/", views.SharedPreviewView.as_view(), name="shared_preview"),
    path("authors/<str:username>/", views.AuthorDetailView.as_view(), name="author_detail"),
    path("tags/<uslug:slug>/", views.TagDetailView.as_view(), name="tag_detail"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feeds/", views.FeedsView.as_view(), name="feeds"),
    path("feed/", public_page(ReportAtomFeed()), name="feed_atom"),
    path("feed/rss/", public_page(ReportRssFeed()), name="feed_rss"),
    path("sitemap.xml", public_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.RobotsView.as_view(), name="robots"),
]
