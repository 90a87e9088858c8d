from django import forms

from accounts.availability import availability_fields, clean_availability
from accounts.models import Organization
from common.forms import IdModelChoiceField, IdModelMultipleChoiceField
from common.limits import COURSE_SET_MAX_COURSES

from .criteria import Criteria
from .models import Achievement
from .services import DUPLICATE_NAME_MESSAGE

Type = Achievement.CriteriaType

# The fields each kind of criteria needs; the others are cleared when it is saved.
CRITERIA_FIELDS = {
    Type.LAB: ("lab",),
    Type.COURSE: ("course",),
    Type.COURSE_SET: ("course_set",),
    Type.TAGGED_COURSES: ("tag", "min_courses"),
    Type.LEARNING_PATH: ("learning_path",),
    Type.POINTS: ("points_threshold",),
}
ALL_CRITERIA_FIELDS = sorted({name for names in CRITERIA_FIELDS.values() for name in names})


EMPTY_LABELS = {
    "lab": "Choose a lab",
    "course": "Choose a course",
    "tag": "Choose a tag",
    "learning_path": "Choose a learning path",
}


class AchievementForm(forms.ModelForm):
    """An achievement and its one kind of criteria."""

    # The column has no limit; the form has one, like a badge's description.
    description = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    class Meta:
        model = Achievement
        fields = [
            "name",
            "description",
            "points",
            "is_enabled",
            "criteria_type",
            "lab",
            "course",
            "course_set",
            "tag",
            "min_courses",
            "learning_path",
            "points_threshold",
        ]
        labels = {
            "criteria_type": "Criteria",
            "course_set": "Courses (all of them)",
            "tag": "Tag",
            "min_courses": "At least this many distinct courses with the tag",
            "points_threshold": "At least this many points",
        }
        help_texts = {
            "course": "Completed through a course assignment or a class.",
            "course_set": "Each completed through a course assignment or a class.",
            "learning_path": "Every course of the path and a passing attempt at its exam.",
            "points_threshold": "The sum of the points of the achievements of your organization "
            "that the student has completed.",
        }
        # Chosen by id: an id no column can hold is an invalid choice, not a database error.
        field_classes = {
            "lab": IdModelChoiceField,
            "course": IdModelChoiceField,
            "tag": IdModelChoiceField,
            "learning_path": IdModelChoiceField,
            "course_set": IdModelMultipleChoiceField,
        }
        widgets = {
            "course_set": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(availability_fields(organization=organization))
        if self.instance.pk is not None and not self.is_bound:
            self.initial["availability"] = self.instance.availability
            self.initial["available_to"] = [org.pk for org in self.instance.available_to.all()]
        self.organization = organization
        self.fields["course_set"].max_choices = COURSE_SET_MAX_COURSES
        # static/js/achievement_form.js shows the fields of the chosen criteria only.
        self.fields["criteria_type"].widget.attrs["data-criteria-type"] = ""
        # Words, not Django's "---------", for the empty choice.
        for name, label in EMPTY_LABELS.items():
            self.fields[name].empty_label = label
        self.fields["criteria_type"].choices = [
            ("", "Choose the criteria"),
            *Achievement.CriteriaType.choices,
        ]

    def clean_name(self):
        name = self.cleaned_data["name"]
        taken = Achievement.objects.filter(organization=self.organization, name=name).exclude(
            pk=self.instance.pk
        )
        if taken.exists():
            raise forms.ValidationError(DUPLICATE_NAME_MESSAGE, code="duplicate_name")
        return name

    def clean(self):
        cleaned = super().clean()
        clean_availability(self, cleaned)
        self.instance.availability = cleaned["availability"]
        kind = cleaned.get("criteria_type")
        if kind not in CRITERIA_FIELDS:
            return cleaned
        needed = CRITERIA_FIELDS[kind]
        for name in needed:
            if name not in self.errors and not cleaned.get(name):
                self.add_error(name, "Required for this kind of criteria.")
        for name in ALL_CRITERIA_FIELDS:
            if name not in needed:
                cleaned[name] = [] if name == "course_set" else None
        return cleaned

    def criteria(self) -> Criteria:
        """The criteria as entered, saved or not (for the preview). Only for a valid form."""
        data = self.cleaned_data
        return Criteria.build(
            criteria_type=data["criteria_type"],
            organization_id=self.organization.pk,
            achievement_id=self.instance.pk,
            lab_id=data["lab"].pk if data.get("lab") else None,
            course_id=data["course"].pk if data.get("course") else None,
            courses=data.get("course_set") or (),
            tag_id=data["tag"].pk if data.get("tag") else None,
            min_courses=data.get("min_courses"),
            learning_path=data.get("learning_path"),
            points_threshold=data.get("points_threshold"),
            availability=data.get("availability") or "own",
            available_to=[org.pk for org in data.get("available_to") or ()],
        )
