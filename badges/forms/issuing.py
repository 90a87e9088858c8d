"""Input validation for issuing by hand. Forms only check that ids are ids; which badge may go to
which student is for the issuing service to decide."""

from django import forms
from django.core.exceptions import ValidationError

from common.forms import MAX_ID, IdListField


class IssueOneBadgeForm(forms.Form):
    badge = forms.IntegerField(
        min_value=1, max_value=MAX_ID, error_messages={"required": "Choose a badge."}
    )


class BatchSelectionForm(forms.Form):
    """The state of the Issue Badges page. Every request carries it whole in hidden inputs, so
    adding, removing and issuing need nothing stored on the server."""

    ISSUE = "issue"

    badge = IdListField(required=False)
    student = IdListField(required=False)
    remove_badge = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    remove_student = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    action = forms.ChoiceField(required=False, choices=[(ISSUE, "Issue Badges")])

    def clean(self):
        cleaned = super().clean()
        badge_ids = [pk for pk in cleaned.get("badge", []) if pk != cleaned.get("remove_badge")]
        student_ids = [
            pk for pk in cleaned.get("student", []) if pk != cleaned.get("remove_student")
        ]
        cleaned["badge_ids"], cleaned["student_ids"] = badge_ids, student_ids
        if self.wants_issue and not (badge_ids and student_ids) and not self.errors:
            raise ValidationError("Add at least one badge and one student before issuing.")
        return cleaned

    @property
    def wants_issue(self) -> bool:
        return self.data.get("action") == self.ISSUE
