"""The three roles, as Django groups.

The data migration `accounts.0002_roles` creates the groups and gives each its permissions;
membership in a group is what makes a user an administrator, instructor or student.
"""

ORGANIZATION_ADMINISTRATOR = "Organization administrator"
INSTRUCTOR = "Instructor"
STUDENT = "Student"
