"""Input validation for issuing by hand. Forms only check that ids are ids; which badge may go to
which student is for the issuing service to decide."""

from django import forms
from django.core.exceptions import ValidationError

from common.forms import MAX_ID, IdListField
from common.limits import BATCH_MAX_BADGES, BATCH_MAX_STUDENTS

BATCH_LIMIT_MESSAGE = (
    f"Issue Badges takes at most {BATCH_MAX_BADGES} badges and {BATCH_MAX_STUDENTS:,} students at "
    "a time."
)


class IssueOneBadgeForm(forms.Form):
    badge = forms.IntegerField(
        min_value=1, max_value=MAX_ID, error_messages={"required": "Choose a badge."}
    )


class BatchSelectionForm(forms.Form):
    """The state of the Issue Badges page. Every request carries it whole in hidden inputs, so
    adding, removing and issuing need nothing stored on the server.

    A selection larger than a batch may be (`common.limits`) is refused with a message naming the
    maxima; only the first badges and students up to the maxima are kept, so the page shown and
    the work done stay bounded whatever was posted."""

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
        over = [
            f"{len(ids):,} {noun}: only the first {maximum:,} are kept"
            for ids, noun, maximum in (
                (badge_ids, "badges", BATCH_MAX_BADGES),
                (student_ids, "students", BATCH_MAX_STUDENTS),
            )
            if len(ids) > maximum
        ]
        badge_ids, student_ids = badge_ids[:BATCH_MAX_BADGES], student_ids[:BATCH_MAX_STUDENTS]
        cleaned["badge_ids"], cleaned["student_ids"] = badge_ids, student_ids
        if over:
            raise ValidationError(
                f"{BATCH_LIMIT_MESSAGE} This request chose {' and '.join(over)}.",
                code="batch_too_large",
            )
        if self.wants_issue and not (badge_ids and student_ids) and not self.errors:
            raise ValidationError("Add at least one badge and one student before issuing.")
        return cleaned

    @property
    def wants_issue(self) -> bool:
        return self.data.get("action") == self.ISSUE
