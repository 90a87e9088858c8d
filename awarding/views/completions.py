"""Mark complete: an enrollment on a class's Roster, or a course assignment."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views import View

from assignments.views import CourseAssignmentMixin
from awarding.forms import CompleteEnrollmentsForm
from awarding.services.recording import course_assignment_complete, enrollments_complete
from classes.views import CourseClassMixin


class CompleteEnrollmentsView(CourseClassMixin, View):
    """Mark the selected students' enrollments complete (one from its row, or several)."""

    permission_required = ("classes.view_courseclass", "classes.change_enrollment")
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = CompleteEnrollmentsForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors["student"]))
        else:
            completed = enrollments_complete(
                actor=request.user,
                course_class=self.course_class,
                student_ids=form.cleaned_data["student"],
            )
            if completed:
                messages.success(
                    request,
                    f"Marked {len(completed)} enrollment{'s' if len(completed) != 1 else ''} "
                    "complete.",
                )
            else:
                messages.info(request, "Nothing to mark: those enrollments were already complete.")
        return redirect("classes:roster", pk=self.course_class.pk)


class AssignmentCompleteView(CourseAssignmentMixin, View):
    permission_required = (
        "assignments.view_courseassignment",
        "assignments.change_courseassignment",
    )
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if course_assignment_complete(actor=request.user, course_assignment=self.course_assignment):
            messages.success(request, "The course assignment is marked complete.")
        else:
            messages.info(request, "The course assignment was already complete.")
        return redirect("assignments:detail", pk=self.course_assignment.pk)
