"""A student's own choice about award e-mails, from their Achievements/Badges page."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views import View

from deliveries.services.preferences import student_set_award_emails


class AwardEmailsView(View):
    """POST: "E-mail me when I receive a badge", on or off, for the user themselves."""

    http_method_names = ["post"]

    def post(self, request):
        receive = request.POST.get("receive") == "on"
        student_set_award_emails(student=request.user, receive=receive)
        messages.success(
            request,
            "You will receive an e-mail for each badge you earn."
            if receive
            else "You will no longer receive e-mails when you earn a badge.",
        )
        return redirect("badges:student", pk=request.user.pk)
