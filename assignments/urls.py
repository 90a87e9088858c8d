from django.urls import path

from . import views

app_name = "assignments"

urlpatterns = [
    path("", views.AssignmentListView.as_view(), name="list"),
    path("<int:pk>/", views.AssignmentDetailView.as_view(), name="detail"),
    path("<int:pk>/issue-badge/", views.AssignmentChooseBadgeView.as_view(), name="issue_badge"),
    path("<int:pk>/badges/", views.AssignmentIssuancesView.as_view(), name="issuances"),
    path("<int:pk>/complete/", views.AssignmentCompleteView.as_view(), name="complete"),
]
