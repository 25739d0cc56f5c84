from django.urls import path

import cms.converters  # noqa: F401 - registers <uslug:>
from sessions import views

app_name = "conference"

urlpatterns = [
    path("events/<uslug:slug>/", views.EventDetailView.as_view(), name="event_detail"),
    path("sessions/<uslug:slug>/", views.SessionDetailView.as_view(), name="session_detail"),
    path("speakers/<uslug:slug>/", views.SpeakerDetailView.as_view(), name="speaker_detail"),
]
