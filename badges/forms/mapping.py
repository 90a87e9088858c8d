"""Input validation for mapping a badge to an achievement (its automatic issuance)."""

from django import forms

from achievements.models import Achievement
from badges.models import Badge
from common.forms import IdModelChoiceField


class BadgeMappingForm(forms.Form):
    """Map one of the organization's badges to an achievement."""

    badge = IdModelChoiceField(queryset=Badge.objects.none(), empty_label="Choose a badge")
    # A mapping awards everyone who already qualifies at once: e-mail them only if asked.
    notify_existing = forms.BooleanField(
        label="E-mail the students who already qualify", required=False
    )

    def __init__(self, *args, achievement: Achievement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["badge"].queryset = (
            Badge.objects.filter(organization_id=achievement.organization_id)
            .exclude(achievement=achievement)
            .select_related("achievement")
            .order_by("name")
        )
        self.fields["badge"].label_from_instance = _badge_choice_label


def _badge_choice_label(badge: Badge) -> str:
    label = badge.name
    if not badge.is_active:
        label += " (archived)"
    if badge.achievement_id:
        label += f" (now mapped to {badge.achievement.name})"
    return label


class AutomaticIssuancePreviewForm(forms.Form):
    """The badge form's Automatic Issuance tab, as its preview reads it: the achievement chosen,
    and the badge being edited (none while it is being created)."""

    achievement = IdModelChoiceField(queryset=Achievement.objects.none(), required=False)
    badge = IdModelChoiceField(queryset=Badge.objects.none(), required=False)

    def __init__(self, *args, achievements, badges, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["achievement"].queryset = achievements
        self.fields["badge"].queryset = badges
