from django.urls import path

from . import views

app_name = "classes"

urlpatterns = [
    path("", views.ClassListView.as_view(), name="list"),
]
