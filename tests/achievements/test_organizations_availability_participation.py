"""Child organizations and Availability, Enable Achievements, Participate in Achievements."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Availability, Organization
from accounts.tree import organization_ancestor_ids, organization_descendants
from achievements.models import AchievementCompletion, SweepRun
from achievements.services import achievement_update
from awarding.services.participation import (
    organization_set_achievements_enabled,
    student_set_participation,
)
from awarding.sweep.runs import sweep_run
from awarding.sweep.students import achievements_evaluate_students
from badges.models import Badge, BadgeIssuance
from badges.services.context import IssueContext
from badges.services.issuance import badge_issue_many
from catalog.models import LabCompletion
from tests.factories import (
    AchievementFactory,
    AdministratorFactory,
    BadgeFactory,
    CourseClassFactory,
    EnrollmentFactory,
    InstructorFactory,
    LabCompletionFactory,
    LabFactory,
    OrganizationFactory,
    StudentFactory,
)

from .scenarios import day

pytestmark = pytest.mark.django_db


def sweep() -> SweepRun:
    run = sweep_run(trigger=SweepRun.Trigger.COMMAND)
    assert run.status == SweepRun.Status.SUCCEEDED, run.error
    return run


@pytest.fixture
def tree():
    """Group → North → North-East, and Group → South; Elsewhere stands alone."""
    group = OrganizationFactory(name="Group", slug="group")
    north = OrganizationFactory(name="North", slug="north", parent=group)
    north_east = OrganizationFactory(name="North-East", slug="north-east", parent=north)
    south = OrganizationFactory(name="South", slug="south", parent=group)
    elsewhere = OrganizationFactory(name="Elsewhere", slug="elsewhere")
    return {
        "group": group,
        "north": north,
        "north_east": north_east,
        "south": south,
        "elsewhere": elsewhere,
    }


# The tree --------------------------------------------------------------------------------


def test_descendants_of_a_three_level_tree_in_one_query(tree):
    with CaptureQueriesContext(connection) as queries:
        names = set(
            organization_descendants(organization_id=tree["group"].pk).values_list(
                "name", flat=True
            )
        )
    assert names == {"North", "North-East", "South"}
    assert len(queries) == 1
    assert set(
        organization_descendants(organization_id=tree["north"].pk).values_list("name", flat=True)
    ) == {"North-East"}
    assert set(organization_ancestor_ids(organization_id=tree["north_east"].pk)) == {
        tree["north"].pk,
        tree["group"].pk,
    }
    assert organization_ancestor_ids(organization_id=tree["elsewhere"].pk) == []


@pytest.mark.parametrize("new_parent", ["group", "north", "north_east"])
def test_the_admin_refuses_a_move_that_would_make_a_cycle(client, tree, new_parent):
    from tests.factories import UserFactory

    client.force_login(UserFactory(organization=None, is_staff=True, is_superuser=True))
    group = tree["group"]
    parent = group if new_parent == "group" else tree[new_parent]

    response = client.post(
        reverse("admin:accounts_organization_change", args=[group.pk]),
        {"name": group.name, "slug": group.slug, "parent": parent.pk, "achievements_enabled": "on"},
    )

    assert response.status_code == 200
    assert "cannot be placed under itself" in response.content.decode()
    group.refresh_from_db()
    assert group.parent_id is None


def test_the_admin_moves_an_organization_under_another(client, tree):
    from tests.factories import UserFactory

    client.force_login(UserFactory(organization=None, is_staff=True, is_superuser=True))
    south = tree["south"]
    response = client.post(
        reverse("admin:accounts_organization_change", args=[south.pk]),
        {"name": south.name, "slug": south.slug, "parent": tree["north"].pk},
    )
    assert response.status_code == 302
    assert set(
        organization_descendants(organization_id=tree["north"].pk).values_list("name", flat=True)
    ) == {"North-East", "South"}


# Availability of badges ------------------------------------------------------------------


def _issue_in(organization, badge):
    instructor = InstructorFactory(organization=organization)
    course_class = CourseClassFactory(organization=organization, instructors=[instructor])
    student = EnrollmentFactory(
        course_class=course_class, student=StudentFactory(organization=organization)
    ).student
    (outcome,) = badge_issue_many(
        context=IssueContext.for_class(actor=instructor, course_class=course_class),
        pairs=[(badge.pk, student.pk)],
    )
    return outcome


def test_a_child_organizations_instructor_issues_the_parents_available_badge(tree):
    available = BadgeFactory(
        organization=tree["group"], manual_issuance_enabled=True, availability="children"
    )
    own_only = BadgeFactory(organization=tree["group"], manual_issuance_enabled=True)

    assert _issue_in(tree["north_east"], available).issued
    refused = _issue_in(tree["north"], own_only)
    assert not refused.issued
    assert refused.reason == "badge belongs to another organization"
    assert not _issue_in(tree["elsewhere"], available).issued


def test_chosen_child_organizations_only(tree):
    badge = BadgeFactory(
        organization=tree["group"], manual_issuance_enabled=True, availability="chosen"
    )
    badge.available_to.set([tree["south"]])

    assert _issue_in(tree["south"], badge).issued
    assert not _issue_in(tree["north"], badge).issued


def test_the_choose_badge_dialog_lists_an_available_badge(client, tree):
    available = BadgeFactory(
        organization=tree["group"],
        name="Group Star",
        manual_issuance_enabled=True,
        availability="children",
    )
    hidden = BadgeFactory(
        organization=tree["group"], name="Group Only", manual_issuance_enabled=True
    )
    instructor = InstructorFactory(organization=tree["north"])
    course_class = CourseClassFactory(organization=tree["north"], instructors=[instructor])
    student = EnrollmentFactory(
        course_class=course_class, student=StudentFactory(organization=tree["north"])
    ).student
    client.force_login(instructor)

    page = client.get(
        reverse("classes:issue_badge", args=[course_class.pk, student.pk])
    ).content.decode()

    assert available.name in page
    assert hidden.name not in page


def test_only_the_owner_edits_an_available_badge(client, tree):
    badge = BadgeFactory(organization=tree["group"], availability="children")
    client.force_login(AdministratorFactory(organization=tree["north"]))
    assert client.get(reverse("badges:edit", args=[badge.pk])).status_code == 404


def test_the_availability_tab_saves_chosen_children_and_refuses_others(client, tree):
    badge = BadgeFactory(organization=tree["group"], name="Shared")
    client.force_login(AdministratorFactory(organization=tree["group"]))
    data = {"name": "Shared", "description": "", "is_active": "on", "availability": "chosen"}

    refused = client.post(reverse("badges:edit", args=[badge.pk]), data)
    assert refused.status_code == 200
    assert "available_to" in refused.context["form"].errors

    outsider = client.post(
        reverse("badges:edit", args=[badge.pk]), {**data, "available_to": [tree["elsewhere"].pk]}
    )
    assert "available_to" in outsider.context["form"].errors

    saved = client.post(
        reverse("badges:edit", args=[badge.pk]), {**data, "available_to": [tree["north_east"].pk]}
    )
    assert saved.status_code == 302
    badge.refresh_from_db()
    assert badge.availability == Availability.CHOSEN
    assert list(badge.available_to.all()) == [tree["north_east"]]


# Availability of achievements ------------------------------------------------------------


def test_the_sweep_awards_an_available_achievement_to_child_students_only(tree):
    lab = LabFactory()
    achievement = AchievementFactory(organization=tree["group"], lab=lab, availability="children")
    badge = BadgeFactory(organization=tree["group"], achievement=achievement)
    child, grandchild, outsider = (
        StudentFactory(organization=tree[name]) for name in ("south", "north_east", "elsewhere")
    )
    for student in (child, grandchild, outsider):
        LabCompletionFactory(student=student, lab=lab, completed_at=day(1))

    sweep()

    assert set(badge.issuances.values_list("recipient_id", flat=True)) == {child.pk, grandchild.pk}
    assert not AchievementCompletion.objects.filter(student=outsider).exists()


def test_an_achievement_of_this_organization_only_does_not_count_a_childs_students(tree):
    lab = LabFactory()
    achievement = AchievementFactory(organization=tree["group"], lab=lab)
    badge = BadgeFactory(organization=tree["group"], achievement=achievement)
    LabCompletionFactory(student=StudentFactory(organization=tree["south"]), lab=lab)

    sweep()

    assert not badge.issuances.exists()

    achievement.availability = "children"
    achievement_update(achievement=achievement)
    sweep()  # a change of availability is evaluated over all history
    assert badge.issuances.count() == 1


# Enable Achievements ---------------------------------------------------------------------


def test_achievements_off_evaluates_nothing_and_manual_issuance_goes_on(tree):
    organization = tree["elsewhere"]
    lab = LabFactory()
    achievement = AchievementFactory(organization=organization, lab=lab)
    automatic = BadgeFactory(organization=organization, achievement=achievement)
    manual = BadgeFactory(organization=organization, manual_issuance_enabled=True)
    student = StudentFactory(organization=organization)
    LabCompletionFactory(student=student, lab=lab)
    organization_set_achievements_enabled(
        actor=AdministratorFactory(organization=organization),
        organization=organization,
        enabled=False,
    )

    run = sweep()
    achievements_evaluate_students(student_ids=[student.pk])

    assert run.achievements_skipped == 1
    assert run.achievements_evaluated == 0
    assert not automatic.issuances.exists()
    assert not AchievementCompletion.objects.exists()
    assert _issue_in(organization, manual).issued

    Organization.objects.filter(pk=organization.pk).update(achievements_enabled=True)
    sweep()
    assert automatic.issuances.filter(recipient=student).exists()


def test_achievements_off_says_so_on_the_achievement_pages(client, tree):
    organization = tree["elsewhere"]
    admin = AdministratorFactory(organization=organization)
    client.force_login(admin)
    page = client.get(reverse("achievements:list")).content.decode()
    assert 'data-testid="achievements-off"' not in page

    response = client.post(reverse("organization_achievements"), {})
    assert response.status_code == 302
    organization.refresh_from_db()
    assert not organization.achievements_enabled
    page = client.get(reverse("achievements:list")).content.decode()
    assert "Achievements are off" in page


def test_only_administrators_switch_achievements(client, tree):
    instructor = InstructorFactory(organization=tree["north"])
    client.force_login(instructor)
    assert client.post(reverse("organization_achievements"), {}).status_code == 403
    tree["north"].refresh_from_db()
    assert tree["north"].achievements_enabled


# Participate in Achievements -------------------------------------------------------------


@pytest.fixture
def lab_setup(organization):
    lab = LabFactory()
    achievement = AchievementFactory(organization=organization, lab=lab, points=10)
    badge = BadgeFactory(organization=organization, achievement=achievement)
    return lab, achievement, badge


def test_an_opted_out_student_earns_nothing_automatically(organization, lab_setup, client):
    lab, achievement, badge = lab_setup
    student = StudentFactory(organization=organization)
    student_set_participation(actor=student, student=student, participates=False)
    LabCompletionFactory(student=student, lab=lab, completed_at=day(1))

    sweep()
    achievements_evaluate_students(student_ids=[student.pk])

    assert not AchievementCompletion.objects.filter(student=student).exists()
    assert not badge.issuances.exists()
    # The preview counts them out too.
    client.force_login(AdministratorFactory(organization=organization))
    preview = client.post(
        reverse("achievements:preview"),
        {"name": "Again", "points": 0, "criteria_type": "lab", "lab": lab.pk, "is_enabled": "on"},
    )
    assert "<strong>0</strong> students already meet these criteria." in preview.content.decode()


def test_opting_back_in_restores_everything_at_the_next_sweep(organization, lab_setup):
    lab, achievement, badge = lab_setup
    student = StudentFactory(organization=organization)
    student_set_participation(actor=student, student=student, participates=False)
    LabCompletionFactory(student=student, lab=lab, completed_at=day(1))
    # Long ago, so that the sweeps below are incremental ones.
    old = timezone.now() - timedelta(days=1)
    Badge.objects.update(updated_at=old)
    LabCompletion.objects.update(recorded_at=old)
    sweep()
    assert not badge.issuances.exists()
    assert sweep().achievements_evaluated_in_full == 0  # the record is old news by now

    # Back in; the re-evaluation queued on commit does not run here (the test's transaction
    # never commits): the next sweep alone must restore what they would have earned.
    student_set_participation(actor=student, student=student, participates=True)
    run = sweep()

    assert run.achievements_evaluated_in_full == 0
    issuance = BadgeIssuance.objects.get(badge=badge, recipient=student)
    assert issuance.is_valid
    assert AchievementCompletion.objects.get(student=student).first_met_at == day(1)


def test_opting_back_in_re_evaluates_at_once(
    organization, lab_setup, django_capture_on_commit_callbacks
):
    lab, achievement, badge = lab_setup
    student = StudentFactory(organization=organization)
    student_set_participation(actor=student, student=student, participates=False)
    LabCompletionFactory(student=student, lab=lab, completed_at=day(1))
    sweep()

    with django_capture_on_commit_callbacks(execute=True):
        student_set_participation(actor=student, student=student, participates=True)

    assert badge.issuances.filter(recipient=student).exists()


def test_a_badge_may_still_be_issued_by_hand_to_an_opted_out_student(organization):
    badge = BadgeFactory(organization=organization, manual_issuance_enabled=True)
    instructor = InstructorFactory(organization=organization)
    course_class = CourseClassFactory(organization=organization, instructors=[instructor])
    student = EnrollmentFactory(
        course_class=course_class, student=StudentFactory(organization=organization)
    ).student
    student_set_participation(actor=student, student=student, participates=False)

    (outcome,) = badge_issue_many(
        context=IssueContext.for_class(actor=instructor, course_class=course_class),
        pairs=[(badge.pk, student.pk)],
    )

    assert outcome.issued


def test_the_student_and_their_administrator_switch_participation_and_others_may_not(
    client, organization, other_organization, instructor
):
    student = StudentFactory(organization=organization)
    url = reverse("participation", args=[student.pk])

    client.force_login(student)
    page = client.get(reverse("badges:student", args=[student.pk])).content.decode()
    assert "Participate in Achievements" in page
    assert client.post(url, {}).status_code == 302
    student.refresh_from_db()
    assert not student.participates_in_achievements

    client.force_login(AdministratorFactory(organization=organization))
    assert client.post(url, {"participates": "on"}).status_code == 302
    student.refresh_from_db()
    assert student.participates_in_achievements

    client.force_login(AdministratorFactory(organization=other_organization))
    assert client.post(url, {}).status_code == 404
    student.refresh_from_db()
    assert student.participates_in_achievements


def test_a_child_organizations_administrator_sees_an_available_badge_read_only(client, tree):
    badge = BadgeFactory(organization=tree["group"], name="Group Star", availability="children")
    BadgeFactory(organization=tree["group"], name="Group Only")
    client.force_login(AdministratorFactory(organization=tree["north"]))

    page = client.get(reverse("badges:list")).content.decode()

    section = page.split('data-testid="available-badges"')[1]
    assert "Group Star" in section
    assert "Group Only" not in page
    assert reverse("badges:edit", args=[badge.pk]) not in page
    assert reverse("credentials:criteria", args=[badge.pk]) in section
