"""The Availability of a badge or an achievement, as a form sees it: this organization only, all
its child organizations, or chosen ones (among its descendants only)."""

from __future__ import annotations

from django import forms

from common.forms import IdModelMultipleChoiceField

from .models import Availability, Organization
from .tree import organization_descendants

AVAILABLE_TO_MAX = 200


def availability_fields(*, organization: Organization | None) -> dict[str, forms.Field]:
    descendants = (
        organization_descendants(organization_id=organization.pk).order_by("name")
        if organization is not None
        else Organization.objects.none()
    )
    available_to = IdModelMultipleChoiceField(
        label="Child organizations",
        queryset=descendants,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="With “Chosen child organizations”: which of them.",
    )
    available_to.max_choices = AVAILABLE_TO_MAX
    return {
        "availability": forms.ChoiceField(
            label="Availability",
            choices=Availability.choices,
            required=False,
            initial=Availability.OWN,
            widget=forms.RadioSelect,
            help_text="Child organizations may use it; only this organization edits it.",
        ),
        "available_to": available_to,
    }


def clean_availability(form: forms.Form, cleaned: dict) -> None:
    """Own by default; the chosen organizations only with "chosen", and at least one."""
    availability = cleaned.get("availability") or Availability.OWN
    cleaned["availability"] = availability
    if availability != Availability.CHOSEN:
        cleaned["available_to"] = []
    elif not cleaned.get("available_to") and "available_to" not in form.errors:
        form.add_error("available_to", "Choose the child organizations that may use it.")
