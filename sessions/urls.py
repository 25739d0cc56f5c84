from django.urls import path

from sessions import views

app_name = "conference"

urlpatterns = [
    path("events/<slug:slug>/", views.EventDetailView.as_view(), name="event_detail"),
    path("sessions/<int:pk>/", views.SessionDetailView.as_view(), name="session_detail"),
    path("speakers/<slug:slug>/", views.SpeakerDetailView.as_view(), name="speaker_detail"),
]
