from django.db.models import Count
from django.views.generic import ListView

from lms_portal.mixins import PortalPermissionMixin

from .selectors import achievements_for_user


class AchievementListView(PortalPermissionMixin, ListView):
    permission_required = "achievements.view_achievement"
    template_name = "achievements/achievement_list.html"
    context_object_name = "achievements"
    paginate_by = 50

    def get_queryset(self):
        return achievements_for_user(user=self.request.user).annotate(
            completion_count=Count("completions", distinct=True),
            badge_count=Count("badges", distinct=True),
        )
