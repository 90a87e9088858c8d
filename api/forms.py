"""The API clients page's form: a name, the scopes, the requests per minute."""

from django import forms

from .models import ApiClient
from .services import NAME_MAX_LENGTH, REQUESTS_PER_MINUTE_MAX


class ApiClientForm(forms.Form):
    name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        help_text="The system it is for: “Lab platform”, “LMS”.",
    )
    scopes = forms.MultipleChoiceField(
        choices=[(value, f"{value} — {label}") for value, label in ApiClient.Scope.choices],
        widget=forms.CheckboxSelectMultiple,
        help_text="Only what the integration needs.",
    )
    requests_per_minute = forms.IntegerField(
        min_value=1,
        max_value=REQUESTS_PER_MINUTE_MAX,
        initial=600,
        help_text="Past it the API answers 429 Too Many Requests until the minute ends.",
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if "\x00" in name:
            raise forms.ValidationError("The name may not contain null characters.")
        return name
