"""An achievement's name is unique in its organization. The form says so when the name is taken;
when two administrators pick the same name at once, the database refuses the second and the form
says so too, instead of a server error."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from achievements.models import Achievement
from achievements.services import DUPLICATE_NAME_MESSAGE, achievement_create
from awarding.views import achievements as achievement_views
from tests.factories import AchievementFactory, LabFactory

NAME = "Deployed a VM"


def _form_data(*, name: str = NAME, lab: int) -> dict:
    return {
        "name": name,
        "description": "",
        "points": "10",
        "is_enabled": "on",
        "criteria_type": "lab",
        "lab": lab,
        "course": "",
        "tag": "",
        "min_courses": "",
        "learning_path": "",
        "points_threshold": "",
    }


def _another_administrator_saves_first(monkeypatch, service_name: str, *, organization):
    """Between the form's check and the save, another administrator saves an achievement of the
    same name."""
    service = getattr(achievement_views, service_name)

    def save_after_the_rival(**kwargs):
        AchievementFactory(organization=organization, name=NAME)
        return service(**kwargs)

    monkeypatch.setattr(achievement_views, service_name, save_after_the_rival)


def test_create_form_says_the_name_is_taken_and_saves_nothing(admin_client, organization):
    existing = AchievementFactory(organization=organization, name=NAME)

    response = admin_client.post(reverse("achievements:create"), _form_data(lab=LabFactory().pk))

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [DUPLICATE_NAME_MESSAGE]
    assert list(Achievement.objects.all()) == [existing]


def test_edit_form_says_the_new_name_is_taken_and_changes_nothing(admin_client, organization):
    AchievementFactory(organization=organization, name=NAME)
    achievement = AchievementFactory(organization=organization, name="Ran a container")

    response = admin_client.post(
        reverse("achievements:edit", args=[achievement.pk]),
        _form_data(lab=achievement.lab_id),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [DUPLICATE_NAME_MESSAGE]
    achievement.refresh_from_db()
    assert achievement.name == "Ran a container"


def test_name_taken_since_the_create_form_checked_it_is_a_form_error(
    admin_client, organization, monkeypatch
):
    _another_administrator_saves_first(monkeypatch, "achievement_create", organization=organization)

    response = admin_client.post(reverse("achievements:create"), _form_data(lab=LabFactory().pk))

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [DUPLICATE_NAME_MESSAGE]
    assert Achievement.objects.filter(name=NAME).count() == 1
    assert b"named so" in response.content


def test_name_taken_since_the_edit_form_checked_it_is_a_form_error(
    admin_client, organization, monkeypatch
):
    achievement = AchievementFactory(organization=organization, name="Ran a container")
    _another_administrator_saves_first(monkeypatch, "achievement_update", organization=organization)

    response = admin_client.post(
        reverse("achievements:edit", args=[achievement.pk]),
        _form_data(lab=achievement.lab_id),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [DUPLICATE_NAME_MESSAGE]
    achievement.refresh_from_db()
    assert achievement.name == "Ran a container"
    assert Achievement.objects.filter(name=NAME).count() == 1


def test_service_refuses_a_duplicate_name_and_the_transaction_goes_on(organization):
    AchievementFactory(organization=organization, name=NAME)

    with pytest.raises(ValidationError) as refused:
        achievement_create(
            organization=organization,
            achievement=Achievement(name=NAME, criteria_type="lab", lab=LabFactory()),
        )

    assert refused.value.message_dict == {"name": [DUPLICATE_NAME_MESSAGE]}
    # The refused insert was rolled back to its savepoint: the test's transaction still works.
    assert not connection.needs_rollback
    assert Achievement.objects.filter(name=NAME).count() == 1


def test_same_name_in_another_organization_is_accepted(organization, other_organization):
    AchievementFactory(organization=other_organization, name=NAME)

    achievement = achievement_create(
        organization=organization,
        achievement=Achievement(name=NAME, criteria_type="lab", lab=LabFactory()),
    )

    assert achievement.pk is not None
    assert Achievement.objects.filter(name=NAME).count() == 2
