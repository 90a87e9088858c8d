"""Input validation for the roster pages. Forms only check that ids are ids; which badge may go to
which student is for the issuing service to decide."""

import re

from django import forms
from django.core.exceptions import ValidationError

# Ids are bigint columns: a longer number would make the database raise instead of finding nothing.
MAX_ID = 2**63 - 1
_ID = re.compile(r"[0-9]{1,18}")
SEARCH_MAX_LENGTH = 100


class IdListField(forms.Field):
    """Database ids sent as repeated inputs (`student=4&student=9`): in order, without repeats."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": "Ids must be whole numbers."}

    def to_python(self, value):
        if value in self.empty_values:
            return []
        if isinstance(value, str):
            value = [value]
        ids = []
        for item in value:
            text = item.strip() if isinstance(item, str) else ""
            if not _ID.fullmatch(text) or int(text) == 0:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            ids.append(int(text))
        return list(dict.fromkeys(ids))


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=SEARCH_MAX_LENGTH, strip=True)

    @classmethod
    def search_of(cls, data) -> str:
        """What was typed in the search box, or nothing if it is not a valid search."""
        form = cls(data)
        return form.cleaned_data["q"] if form.is_valid() else ""


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


class CompleteEnrollmentsForm(forms.Form):
    student = IdListField(error_messages={"required": "Select at least one student."})
