"""Create the role groups with their permissions (see accounts/roles.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "Organization administrator": [
        ("badges", "view_badge"),
        ("badges", "add_badge"),
        ("badges", "change_badge"),
        ("badges", "delete_badge"),
        ("badges", "issue_badge"),
        ("badges", "view_badgeissuance"),
        ("achievements", "view_achievement"),
        ("achievements", "add_achievement"),
        ("achievements", "change_achievement"),
        ("achievements", "delete_achievement"),
        ("classes", "view_courseclass"),
        ("classes", "view_enrollment"),
        ("classes", "change_enrollment"),
        ("assignments", "view_courseassignment"),
        ("assignments", "change_courseassignment"),
        ("accounts", "view_user"),
    ],
    "Instructor": [
        ("badges", "view_badge"),
        ("badges", "issue_badge"),
        ("badges", "view_badgeissuance"),
        ("classes", "view_courseclass"),
        ("classes", "view_enrollment"),
        ("classes", "change_enrollment"),
    ],
    "Student": [],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now so the groups can
    # hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in codenames
        ]
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("badges", "0001_initial"),
        ("achievements", "0001_initial"),
        ("classes", "0001_initial"),
        ("assignments", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
