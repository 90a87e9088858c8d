"""Form fields shared by every app: ids sent as form inputs, and the search box of a list."""

import re

from django import forms
from django.core.exceptions import ValidationError

# Ids are bigint columns: a longer number would make the database raise instead of finding nothing.
MAX_ID = 2**63 - 1
_ID = re.compile(r"[0-9]{1,18}")
SEARCH_MAX_LENGTH = 100


def _too_many(count: int, maximum: int) -> ValidationError:
    return ValidationError(
        "Choose at most %(maximum)s at a time (this request has %(count)s).",
        code="too_many",
        params={"maximum": f"{maximum:,}", "count": f"{count:,}"},
    )


class IdListField(forms.Field):
    """Database ids sent as repeated inputs (`student=4&student=9`): in order, without repeats.
    With `max_count`, a longer list is refused before any id is looked at."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": "Ids must be whole numbers."}

    def __init__(self, *, max_count: int | None = None, **kwargs):
        self.max_count = max_count
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return []
        if isinstance(value, str):
            value = [value]
        if self.max_count is not None and len(value) > self.max_count:
            raise _too_many(len(value), self.max_count)
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


def _fits_an_id_column(value) -> bool:
    """Whether a submitted value, if it is a number, is one a bigint column can hold. SQLite
    cannot even bind a larger one (an OverflowError, a 500); anything that is not a number is
    left to the field, which refuses it as an invalid choice."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return True
    return -MAX_ID - 1 <= number <= MAX_ID


class IdModelChoiceField(forms.ModelChoiceField):
    """A model chosen by id, where an id beyond the column's range is an invalid choice."""

    def to_python(self, value):
        if value not in self.empty_values and not _fits_an_id_column(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class _ValuesChoiceIterator(forms.models.ModelChoiceIterator):
    """The choices as (id, label) read by one values_list query: no model instance is built for
    an option (a Find Issued Badges page offered 3,600 of them, a third of its render)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        fields = self.field.label_fields
        for pk, *values in self.queryset.values_list("pk", *fields):
            yield (pk, self.field.label_from_values(*values))


class ValuesModelChoiceField(IdModelChoiceField):
    """IdModelChoiceField whose options are labelled from columns (`label_fields`, lookups
    through relations allowed) by `label_from_values`, without loading the models. Cleaning
    still returns the chosen model."""

    iterator = _ValuesChoiceIterator
    label_fields: tuple[str, ...] = ()

    def label_from_values(self, *values) -> str:
        raise NotImplementedError


class IdModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Models chosen by id, where an id beyond the column's range is an invalid choice. With
    `max_choices`, more choices are refused before any is looked up (Django checks each value
    with a queryset of its own: 40,000 of them took 4 s)."""

    def __init__(self, queryset, *, max_choices: int | None = None, **kwargs):
        self.max_choices = max_choices
        super().__init__(queryset, **kwargs)

    def clean(self, value):
        values = value if isinstance(value, list | tuple) else [value]
        if self.max_choices is not None and len(values) > self.max_choices:
            raise _too_many(len(values), self.max_choices)
        for item in values:
            if item not in self.empty_values and not _fits_an_id_column(item):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super().clean(value)
