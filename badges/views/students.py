"""The Achievements/Badges page of a student, and revoking a badge from it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import DetailView

from accounts.selectors import user_may_set_participation
from achievements.progress import achievements_in_progress_for_student
from achievements.selectors import completions_of_student
from badges.selectors import (
    issuances_mark_profile_links,
    issuances_of_student,
    issuances_visible_to,
    students_visible_to,
)
from badges.services.revocation import (
    AlreadyInThatState,
    badge_issuance_reinstate,
    badge_issuance_revoke,
    user_may_revoke,
)


class StudentBadgesView(DetailView):
    """The Achievements/Badges page of one student: only students the user may see (a 404 for
    anyone else)."""

    template_name = "badges/student_badges.html"
    context_object_name = "student"

    def get_object(self, queryset=None):
        return get_object_or_404(
            students_visible_to(user=self.request.user).select_related("organization"),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        issuances = list(issuances_of_student(student=self.object, viewer=self.request.user))
        issuances_mark_profile_links(user=self.request.user, issuances=issuances)
        for issuance in issuances:
            issuance.revocable = user_may_revoke(user=self.request.user, badge=issuance.badge)
        completions = list(completions_of_student(student=self.object, viewer=self.request.user))
        context["issuances"] = issuances
        context["is_own_page"] = self.request.user.pk == self.object.pk
        context["may_set_participation"] = user_may_set_participation(
            user=self.request.user, student=self.object
        )
        context["any_revocable"] = any(issuance.revocable for issuance in issuances)
        context["achievement_completions"] = completions
        context["points"] = sum(completion.achievement.points for completion in completions)
        context["achievements_in_progress"] = achievements_in_progress_for_student(
            student=self.object
        )
        return context


class RevokeIssuanceView(View):
    """POST: an administrator of the badge's organization (or platform staff) takes a badge back,
    with a reason. Issuances the user may not see are a 404; ones the user may see but not revoke
    are a 403."""

    http_method_names = ["post"]
    service = staticmethod(badge_issuance_revoke)
    done = "revoked from"

    def post(self, request, *args, **kwargs):
        issuance = get_object_or_404(
            issuances_visible_to(user=request.user).select_related("badge", "recipient"),
            pk=self.kwargs["pk"],
        )
        student_page = redirect("badges:student", pk=issuance.recipient_id)
        try:
            self.service(
                actor=request.user, issuance=issuance, reason=request.POST.get("reason", "")
            )
        except AlreadyInThatState as error:
            messages.info(request, str(error))
            return student_page
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return student_page
        messages.success(
            request,
            f"Badge “{issuance.badge.name}” {self.done} {issuance.recipient.display_name}.",
        )
        return student_page


class ReinstateIssuanceView(RevokeIssuanceView):
    """POST: the same people give a revoked badge back, with a reason."""

    service = staticmethod(badge_issuance_reinstate)
    done = "reinstated for"
