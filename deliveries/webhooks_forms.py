"""Input validation of the webhook endpoints page (the rules themselves are in
deliveries/services/webhooks.py, shared with the API)."""

from django import forms

from deliveries.models import WebhookEndpoint
from deliveries.webhooks import webhook_url_problem


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        label="URL",
        max_length=WebhookEndpoint._meta.get_field("url").max_length,
        help_text="Where the portal POSTs each event, e.g. https://lab.example.org/hooks/badges "
        "(https, a public address).",
        widget=forms.URLInput(attrs={"spellcheck": "false"}),
    )
    description = forms.CharField(
        max_length=WebhookEndpoint._meta.get_field("description").max_length,
        required=False,
        help_text="What receives them, for whoever reads this page next.",
    )
    events = forms.MultipleChoiceField(
        choices=WebhookEndpoint.Event.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[WebhookEndpoint.Event.CREATED],
        error_messages={"required": "Choose at least one event."},
    )
    is_active = forms.BooleanField(
        label="Active",
        required=False,
        initial=True,
        help_text="Off: no event is sent to this endpoint (events waiting for it are not sent).",
    )

    def __init__(self, *args, endpoint: WebhookEndpoint | None = None, **kwargs):
        if endpoint is not None:
            kwargs.setdefault(
                "initial",
                {
                    "url": endpoint.url,
                    "description": endpoint.description,
                    "events": endpoint.events,
                    "is_active": endpoint.is_active,
                },
            )
        super().__init__(*args, **kwargs)

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        problem = webhook_url_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url
