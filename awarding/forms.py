"""Input validation for recording completions by hand."""

from django import forms

from common.forms import IdListField


class CompleteEnrollmentsForm(forms.Form):
    student = IdListField(error_messages={"required": "Select at least one student."})
