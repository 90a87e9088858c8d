from django.urls import path

from . import views

app_name = "badges"

urlpatterns = [
    path("", views.BadgeListView.as_view(), name="list"),
    path("<int:pk>/", views.BadgeProfileView.as_view(), name="profile"),
    path("students/<int:pk>/", views.StudentBadgesView.as_view(), name="student"),
]
