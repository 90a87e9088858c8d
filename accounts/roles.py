"""The three roles, as Django groups, and the permissions each one carries.

The data migration `accounts.0002_roles` creates the groups; a post_migrate handler keeps them in
step with this table afterwards (a permission added by a later migration reaches its role, and a
test database flushed between tests gets its roles back).
"""

ORGANIZATION_ADMINISTRATOR = "Organization administrator"
INSTRUCTOR = "Instructor"
STUDENT = "Student"

ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    ORGANIZATION_ADMINISTRATOR: [
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
        ("achievements", "view_sweeprun"),
        ("classes", "view_courseclass"),
        ("classes", "view_enrollment"),
        ("classes", "change_enrollment"),
        ("assignments", "view_courseassignment"),
        ("assignments", "change_courseassignment"),
        ("accounts", "view_user"),
    ],
    INSTRUCTOR: [
        ("badges", "view_badge"),
        ("badges", "issue_badge"),
        ("badges", "view_badgeissuance"),
        ("classes", "view_courseclass"),
        ("classes", "view_enrollment"),
        ("classes", "change_enrollment"),
    ],
    STUDENT: [],
}


def roles_sync(*, group_model, permission_model) -> None:
    """Create the role groups and give each exactly the permissions of the table above.

    Permissions whose app is not migrated yet are skipped; the next post_migrate adds them.
    """
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        permissions = [
            permission
            for app_label, codename in codenames
            for permission in permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            )
        ]
        group.permissions.set(permissions)
