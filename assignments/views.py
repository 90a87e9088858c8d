from django.views.generic import ListView

from lms_portal.mixins import PortalPermissionMixin

from .selectors import assignments_for_user


class AssignmentListView(PortalPermissionMixin, ListView):
    permission_required = "assignments.view_courseassignment"
    template_name = "assignments/assignment_list.html"
    context_object_name = "assignments"
    paginate_by = 50

    def get_queryset(self):
        return assignments_for_user(user=self.request.user)
