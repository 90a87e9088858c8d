"""Input validation for recording completions by hand."""

from django import forms

from common.forms import IdListField
from common.limits import COMPLETE_MAX_STUDENTS


class CompleteEnrollmentsForm(forms.Form):
    student = IdListField(
        max_count=COMPLETE_MAX_STUDENTS,
        error_messages={"required": "Select at least one student."},
    )
