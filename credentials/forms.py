from django import forms

from .models import IssuerProfile


class IssuerProfileForm(forms.ModelForm):
    url = forms.URLField(label="Website", required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = IssuerProfile
        fields = ["name", "url", "email", "description", "image"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3, "maxlength": 2000})}

    def clean_description(self):
        description = self.cleaned_data["description"]
        if len(description) > 2000:
            raise forms.ValidationError("Keep the description under 2,000 characters.")
        if "\x00" in description:
            raise forms.ValidationError("The description may not contain null characters.")
        return description
