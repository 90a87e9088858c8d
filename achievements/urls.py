from django.urls import path

from . import views

app_name = "achievements"

urlpatterns = [
    path("", views.AchievementListView.as_view(), name="list"),
    path("new/", views.AchievementCreateView.as_view(), name="create"),
    path("preview/", views.AchievementPreviewView.as_view(), name="preview"),
    path("sweep-runs/", views.SweepRunListView.as_view(), name="sweep_runs"),
    path("<int:pk>/", views.AchievementDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.AchievementUpdateView.as_view(), name="edit"),
    path("<int:pk>/preview/", views.AchievementPreviewView.as_view(), name="edit_preview"),
    path("<int:pk>/enabled/", views.AchievementEnableView.as_view(), name="set_enabled"),
    path("<int:pk>/badges/", views.BadgeMapView.as_view(), name="map_badge"),
    path(
        "<int:pk>/badges/preview/",
        views.BadgeMappingPreviewView.as_view(),
        name="mapping_preview",
    ),
    path(
        "<int:pk>/badges/<int:badge_pk>/unmap/",
        views.BadgeUnmapView.as_view(),
        name="unmap_badge",
    ),
]
