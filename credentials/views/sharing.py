"""A student's own choice about their public badge pages."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views import View

from credentials.services import student_set_public_name


class PublicNameView(View):
    """POST: "Show my name on my public badge pages", on or off, for the student themselves."""

    http_method_names = ["post"]

    def post(self, request):
        show = request.POST.get("show_name") == "on"
        student_set_public_name(student=request.user, show=show)
        messages.success(
            request,
            "Your name now appears on your public badge pages."
            if show
            else "Your public badge pages no longer show your name.",
        )
        return redirect("badges:student", pk=request.user.pk)
