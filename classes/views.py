from django.db.models import Count
from django.views.generic import ListView

from lms_portal.mixins import PortalPermissionMixin

from .selectors import classes_for_user


class ClassListView(PortalPermissionMixin, ListView):
    """Classes: every class of an administrator's organization; My Classes for an instructor."""

    permission_required = "classes.view_courseclass"
    template_name = "classes/class_list.html"
    context_object_name = "classes"
    paginate_by = 50

    def get_queryset(self):
        return (
            classes_for_user(user=self.request.user)
            .annotate(student_count=Count("enrollments"))
            .prefetch_related("instructors")
        )
