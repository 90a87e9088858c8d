from django.contrib.auth.models import Group

from accounts.roles import INSTRUCTOR, ORGANIZATION_ADMINISTRATOR, STUDENT
from classes.selectors import instructor_is_contract_instructor


def test_roles_exist_with_their_permissions_after_migrate(db):
    administrator = Group.objects.get(name=ORGANIZATION_ADMINISTRATOR)
    instructor = Group.objects.get(name=INSTRUCTOR)
    assert Group.objects.filter(name=STUDENT).exists()
    admin_perms = set(administrator.permissions.values_list("codename", flat=True))
    instructor_perms = set(instructor.permissions.values_list("codename", flat=True))
    assert {"issue_badge", "change_badge", "add_achievement"} <= admin_perms
    assert "issue_badge" in instructor_perms
    assert "change_badge" not in instructor_perms


def test_role_membership_grants_issue_permission(administrator, instructor, student):
    assert administrator.has_perm("badges.issue_badge")
    assert instructor.has_perm("badges.issue_badge")
    assert not student.has_perm("badges.issue_badge")


def test_instructor_of_own_organization_is_organization_instructor(instructor, course_class):
    assert not instructor_is_contract_instructor(instructor=instructor, course_class=course_class)


def test_instructor_from_elsewhere_is_contract_instructor(
    contractor, course_class, other_organization
):
    assert instructor_is_contract_instructor(instructor=contractor, course_class=course_class)
    contractor.organization = other_organization
    assert instructor_is_contract_instructor(instructor=contractor, course_class=course_class)
