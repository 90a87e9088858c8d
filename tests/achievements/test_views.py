"""Achievement pages for administrators: list, create, edit, the preview, mapping badges, enabling,
and the Sweep Runs page. Who may see them, and who may not."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from achievements.models import Achievement, SweepRun
from badges.models import Badge
from tests.factories import (
    AchievementCompletionFactory,
    AchievementFactory,
    AdministratorFactory,
    BadgeFactory,
    BadgeIssuanceFactory,
    CourseFactory,
    LabCompletionFactory,
    LabFactory,
    StudentFactory,
)

from .scenarios import day, lab_scenario

Type = Achievement.CriteriaType


def _form_data(**overrides):
    data = {
        "name": "Deployed a VM",
        "description": "",
        "points": "10",
        "is_enabled": "on",
        "criteria_type": "lab",
        "lab": "",
        "course": "",
        "tag": "",
        "min_courses": "",
        "learning_path": "",
        "points_threshold": "",
    }
    data.update(overrides)
    return data


def test_administrator_lists_achievements_of_their_organization_only(
    admin_client, organization, other_organization, django_assert_max_num_queries
):
    for _ in range(5):
        AchievementFactory(organization=organization)
    AchievementFactory(organization=other_organization, name="Contoso only")

    # Session, user, permissions and roles (5), organization, count, page: whatever the size.
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("achievements:list"))

    assert response.status_code == 200
    assert len(response.context["achievements"]) == 5
    assert b"Contoso only" not in response.content
    assert b"New achievement" in response.content


def test_instructor_may_not_open_achievements(client, instructor):
    client.force_login(instructor)

    assert client.get(reverse("achievements:list")).status_code == 403
    assert client.get(reverse("achievements:create")).status_code == 403
    assert client.get(reverse("achievements:sweep_runs")).status_code == 403


def test_administrator_creates_a_lab_achievement(admin_client, administrator):
    lab = LabFactory()

    response = admin_client.post(
        reverse("achievements:create"), _form_data(lab=lab.pk, course=CourseFactory().pk)
    )

    achievement = Achievement.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("achievements:detail", args=[achievement.pk])
    assert achievement.organization == administrator.organization
    assert (achievement.criteria_type, achievement.lab, achievement.course) == ("lab", lab, None)


def test_create_form_refuses_criteria_without_their_fields_and_keeps_the_input(admin_client):
    response = admin_client.post(
        reverse("achievements:create"),
        _form_data(name="Tagged", criteria_type="tagged_courses", min_courses="0"),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["tag"] == ["Required for this kind of criteria."]
    assert "min_courses" in form.errors
    assert b'value="Tagged"' in response.content
    assert not Achievement.objects.exists()


def test_create_form_refuses_a_name_already_used_in_the_organization(admin_client, organization):
    AchievementFactory(organization=organization, name="Deployed a VM")

    response = admin_client.post(reverse("achievements:create"), _form_data(lab=LabFactory().pk))

    assert response.context["form"].errors["name"] == [
        "Your organization already has an achievement named so."
    ]


def test_administrator_edits_criteria_and_the_course_set_is_saved(admin_client, organization):
    achievement = AchievementFactory(organization=organization, name="Set")
    first, second = CourseFactory(), CourseFactory()

    response = admin_client.post(
        reverse("achievements:edit", args=[achievement.pk]),
        _form_data(name="Set", criteria_type="course_set", course_set=[first.pk, second.pk]),
    )

    assert response.status_code == 302
    achievement.refresh_from_db()
    assert achievement.criteria_type == "course_set"
    assert achievement.lab is None
    assert set(achievement.course_set.all()) == {first, second}


def test_administrator_of_another_organization_gets_404(client, other_organization):
    achievement = AchievementFactory()
    client.force_login(AdministratorFactory(organization=other_organization))

    for name in ("detail", "edit"):
        assert client.get(reverse(f"achievements:{name}", args=[achievement.pk])).status_code == 404
    response = client.post(reverse("achievements:set_enabled", args=[achievement.pk]))
    assert response.status_code == 404
    assert Achievement.objects.get().is_enabled


def test_preview_of_an_unsaved_achievement_counts_students_who_already_meet_it(
    admin_client, organization
):
    lab = LabFactory()
    for _ in range(3):
        LabCompletionFactory(
            lab=lab, completed_at=day(1), student=StudentFactory(organization=organization)
        )
    # Another organization's student is not counted: the achievement counts its own students.
    LabCompletionFactory(lab=lab, completed_at=day(1))

    response = admin_client.post(reverse("achievements:preview"), _form_data(lab=lab.pk))

    assert response.status_code == 200
    assert "<strong>3</strong> students already meet these criteria." in response.content.decode()
    assert not Achievement.objects.exists()


def test_preview_of_an_incomplete_form_asks_for_the_criteria(admin_client):
    response = admin_client.post(reverse("achievements:preview"), _form_data())

    assert b"Fill in the criteria" in response.content


def test_preview_of_changed_criteria_counts_who_would_complete_and_receive_badges(
    admin_client, organization, django_assert_max_num_queries
):
    scenario = lab_scenario(organization)
    AchievementCompletionFactory(achievement=scenario.achievement, student=scenario.meets)
    BadgeIssuanceFactory(badge=scenario.badge, recipient=scenario.meets)
    other_lab = LabCompletionFactory(student=scenario.misses, completed_at=day(2)).lab
    LabCompletionFactory(
        lab=other_lab, completed_at=day(3), student=StudentFactory(organization=organization)
    )

    with django_assert_max_num_queries(16):
        response = admin_client.post(
            reverse("achievements:edit_preview", args=[scenario.achievement.pk]),
            _form_data(name="Lab", lab=other_lab.pk),
        )

    text = response.content.decode()
    assert "<strong>2</strong> students already meet these criteria." in text
    assert "2 would newly complete this achievement on the next sweep." in text
    assert f"<strong>2</strong> students would receive <strong>{scenario.badge.name}" in text


def test_achievement_page_shows_criteria_badges_completions_and_next_sweep(
    admin_client, organization, django_assert_max_num_queries
):
    scenario = lab_scenario(organization)
    AchievementCompletionFactory(achievement=scenario.achievement)

    with django_assert_max_num_queries(14):
        response = admin_client.get(reverse("achievements:detail", args=[scenario.achievement.pk]))

    text = response.content.decode()
    assert f"Complete the lab <strong>{scenario.achievement.lab}</strong>." in text
    assert "1 student</dd>" in text
    assert scenario.badge.name in text
    assert "<strong>1</strong> student already meets these criteria." in text
    # The one who meets it and the one who completed it already.
    assert f"<strong>2</strong> students would receive <strong>{scenario.badge.name}" in text


def test_mapping_preview_then_map_then_unmap_a_badge(admin_client, organization):
    scenario = lab_scenario(organization)
    Badge.objects.filter(pk=scenario.badge.pk).update(achievement=None)
    url = reverse("achievements:mapping_preview", args=[scenario.achievement.pk])

    preview = admin_client.get(url, {"badge": scenario.badge.pk})
    mapped = admin_client.post(
        reverse("achievements:map_badge", args=[scenario.achievement.pk]),
        {"badge": scenario.badge.pk},
    )
    mapped_badge = Badge.objects.get(pk=scenario.badge.pk).achievement
    unmapped = admin_client.post(
        reverse("achievements:unmap_badge", args=[scenario.achievement.pk, scenario.badge.pk])
    )

    assert "<strong>1</strong> student would receive" in preview.content.decode()
    assert mapped.status_code == unmapped.status_code == 302
    assert mapped_badge == scenario.achievement
    assert Badge.objects.get(pk=scenario.badge.pk).achievement is None


def test_mapping_a_badge_of_another_organization_is_refused(
    admin_client, organization, other_organization
):
    achievement = AchievementFactory(organization=organization)
    foreign = BadgeFactory(organization=other_organization)

    response = admin_client.post(
        reverse("achievements:map_badge", args=[achievement.pk]), {"badge": foreign.pk}, follow=True
    )

    assert "Choose a badge of your organization to map." in response.content.decode()
    assert Badge.objects.get(pk=foreign.pk).achievement is None


def test_administrator_disables_and_enables_an_achievement(admin_client, organization):
    achievement = AchievementFactory(organization=organization)
    url = reverse("achievements:set_enabled", args=[achievement.pk])

    admin_client.post(url)
    disabled = Achievement.objects.get().is_enabled
    response = admin_client.post(url, {"enabled": "on"}, follow=True)

    assert disabled is False
    assert Achievement.objects.get().is_enabled
    assert "the next sweep evaluates it over all history" in response.content.decode()


def test_sweep_runs_page_shows_recent_runs_and_a_failed_one(
    admin_client, administrator, django_assert_max_num_queries
):
    broken = AchievementFactory(organization=administrator.organization, name="Broken")
    now = timezone.now()
    SweepRun.objects.create(
        started_at=now - timedelta(hours=1),
        finished_at=now - timedelta(hours=1),
        duration=timedelta(seconds=2),
        trigger=SweepRun.Trigger.SCHEDULE,
        status=SweepRun.Status.SUCCEEDED,
        achievements_evaluated=4,
        badges_issued=17,
    )
    SweepRun.objects.create(
        started_at=now,
        finished_at=now,
        duration=timedelta(seconds=1),
        trigger=SweepRun.Trigger.SCHEDULE,
        status=SweepRun.Status.FAILED,
        error=f"Achievement {broken.pk} (Broken): OperationalError: server closed the connection",
    )

    # The page of runs, the administrator's achievement ids (for the errors), the last scheduled
    # run, the re-evaluations summary, and the session, user and permission queries.
    with django_assert_max_num_queries(11):
        response = admin_client.get(reverse("achievements:sweep_runs"))

    text = response.content.decode()
    assert "Failed" in text
    assert "server closed the connection" in text
    assert 'href="/achievements/sweep-runs/"' in text


def test_student_is_not_shown_the_sweep_runs(client, db):
    student = StudentFactory()
    client.force_login(student)

    assert client.get(reverse("achievements:sweep_runs")).status_code == 403
    assert b"Sweep Runs" not in client.get(reverse("dashboard")).content


def test_the_achievement_form_offers_words_not_dashes_for_an_empty_choice(admin_client):
    response = admin_client.get(reverse("achievements:create"))

    text = response.content.decode()
    assert "---------" not in text
    for label in ["Choose a lab", "Choose a course", "Choose a tag", "Choose a learning path"]:
        assert f">{label}</option>" in text
