from django.apps import apps
from django.core.management import call_command

from accounts.models import User
from badges.models import BadgeIssuance


def _counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {"accounts", "catalog", "classes", "assignments", "badges", "achievements"}
    }


def test_seed_demo_twice_gives_the_same_counts(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert _counts() == first
    # Northwind Health with two child clinics, Contoso, and Fabrikam (achievements off).
    assert first["accounts.Organization"] == 5
    assert User.objects.filter(groups__name="Student").count() == 64
    assert BadgeIssuance.objects.filter(method="manual").exists()
    assert User.objects.get(username="admin.northwind").check_password("demo-badges-2026")
