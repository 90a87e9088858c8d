"""Administrators see the sweep runs (accounts/roles.py: the groups and what they may do)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMINISTRATOR = "Organization administrator"


def grant(apps, schema_editor):
    app_config = apps.get_app_config("achievements")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(
        content_type__app_label="achievements", codename="view_sweeprun"
    )
    group, _ = Group.objects.get_or_create(name=ADMINISTRATOR)
    group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=ADMINISTRATOR):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="achievements", codename="view_sweeprun"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("achievements", "0002_sweep_state"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
