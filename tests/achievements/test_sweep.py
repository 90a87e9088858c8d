"""The completion sweep: who completes each kind of achievement, when, and which badges follow."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from achievements.models import Achievement, AchievementCompletion, AchievementWatermark, SweepRun
from achievements.services import achievement_update
from awarding.sweep.runs import sweep_run
from awarding.sweep.students import achievements_evaluate_students
from badges.models import Badge, BadgeIssuance
from badges.services.profiles import badge_map_to_achievement
from catalog.models import LabCompletion
from tests.factories import (
    AchievementFactory,
    AdministratorFactory,
    BadgeIssuanceFactory,
    LabCompletionFactory,
    LabFactory,
    StudentFactory,
)

from .scenarios import SCENARIOS, day, lab_scenario, points_scenario

Type = Achievement.CriteriaType


def sweep() -> SweepRun:
    run = sweep_run(trigger=SweepRun.Trigger.COMMAND)
    assert run.status == SweepRun.Status.SUCCEEDED, run.error
    return run


def holders(badge: Badge) -> set[int]:
    return set(badge.issuances.values_list("recipient_id", flat=True))


@pytest.mark.parametrize("kind", SCENARIOS)
def test_student_who_meets_the_criteria_gets_the_badge(organization, kind):
    scenario = SCENARIOS[kind](organization)

    sweep()

    issuance = BadgeIssuance.objects.get(badge=scenario.badge)
    assert issuance.recipient == scenario.meets
    assert issuance.method == BadgeIssuance.Method.AUTOMATIC
    assert issuance.source == BadgeIssuance.Source.ACHIEVEMENT
    assert issuance.source_achievement == scenario.achievement
    assert issuance.issued_by is None


@pytest.mark.parametrize("kind", SCENARIOS)
def test_student_who_misses_one_part_does_not_complete_it(organization, kind):
    scenario = SCENARIOS[kind](organization)

    sweep()

    assert not AchievementCompletion.objects.filter(
        achievement=scenario.achievement, student=scenario.misses
    ).exists()
    assert scenario.misses.pk not in holders(scenario.badge)


@pytest.mark.parametrize("kind", SCENARIOS)
def test_completion_from_before_the_achievement_existed_counts_from_when_it_was_met(
    organization, kind
):
    scenario = SCENARIOS[kind](organization)

    sweep()

    completion = AchievementCompletion.objects.get(
        achievement=scenario.achievement, student=scenario.meets
    )
    assert completion.first_met_at == scenario.first_met_at
    assert completion.first_met_at < scenario.achievement.created_at


@pytest.mark.parametrize("kind", SCENARIOS)
def test_second_sweep_issues_nothing_more(organization, kind):
    scenario = SCENARIOS[kind](organization)
    sweep()
    issued = set(BadgeIssuance.objects.values_list("badge_id", "recipient_id", "issued_at"))
    completions = AchievementCompletion.objects.count()

    second = sweep()

    assert (second.badges_issued, second.achievements_completed) == (0, 0)
    assert set(BadgeIssuance.objects.values_list("badge_id", "recipient_id", "issued_at")) == issued
    assert AchievementCompletion.objects.count() == completions
    assert holders(scenario.badge) == {scenario.meets.pk}


def test_points_met_through_achievements_completed_in_the_same_sweep(organization):
    scenario = points_scenario(organization)

    run = sweep()

    # Twenty and Ten for the one, Twenty for the other (the other organization's Fifty counts
    # only that organization's students), and then, in the same sweep, Thirty points.
    assert run.achievements_completed == 4
    assert AchievementCompletion.objects.filter(achievement=scenario.achievement).count() == 1
    assert holders(scenario.badge) == {scenario.meets.pk}


def test_points_threshold_is_inclusive_and_one_point_short_is_not_enough(organization):
    exact, short = (
        StudentFactory(organization=organization),
        StudentFactory(organization=organization),
    )
    for points in (10, 19, 1):
        lab = LabFactory()
        AchievementFactory(organization=organization, lab=lab, points=points)
        LabCompletionFactory(student=exact, lab=lab, completed_at=day(points))
        if points != 1:
            LabCompletionFactory(student=short, lab=lab, completed_at=day(points))
    threshold = AchievementFactory(
        organization=organization,
        criteria_type=Type.POINTS,
        lab=None,
        points=0,
        points_threshold=30,
    )

    sweep()

    completion = AchievementCompletion.objects.get(achievement=threshold)
    assert completion.student == exact
    # 1 (day 1) + 10 (day 10) + 19 (day 19) reach 30 on day 19.
    assert completion.first_met_at == day(19)


def test_points_count_only_enabled_achievements(organization):
    student = StudentFactory(organization=organization)
    lab = LabFactory()
    disabled = AchievementFactory(organization=organization, lab=lab, points=50)
    LabCompletionFactory(student=student, lab=lab, completed_at=day(1))
    points = AchievementFactory(
        organization=organization, criteria_type=Type.POINTS, lab=None, points_threshold=50
    )
    sweep()
    assert AchievementCompletion.objects.filter(achievement=points).exists()
    other = StudentFactory(organization=organization)
    LabCompletionFactory(student=other, lab=lab, completed_at=day(2))
    disabled.is_enabled = False
    achievement_update(achievement=disabled)

    sweep()

    assert not AchievementCompletion.objects.filter(student=other).exists()


def test_badge_both_automatic_and_manual_is_not_issued_again_to_a_holder(organization):
    scenario = lab_scenario(organization)
    Badge.objects.filter(pk=scenario.badge.pk).update(manual_issuance_enabled=True)
    manual = BadgeIssuanceFactory(badge=scenario.badge, recipient=scenario.meets)

    run = sweep()

    assert run.achievements_completed == 1
    assert run.badges_issued == 0
    assert list(BadgeIssuance.objects.filter(badge=scenario.badge)) == [manual]
    manual.refresh_from_db()
    assert manual.method == BadgeIssuance.Method.MANUAL


def test_disabled_achievement_is_not_evaluated_and_issues_nothing(organization):
    scenario = lab_scenario(organization)
    Achievement.objects.filter(pk=scenario.achievement.pk).update(is_enabled=False)

    run = sweep()

    assert run.achievements_evaluated == 0
    assert not AchievementCompletion.objects.exists()
    assert not BadgeIssuance.objects.exists()


def test_badge_mapped_after_the_completion_is_issued_retroactively(organization):
    scenario = lab_scenario(organization)
    Badge.objects.filter(pk=scenario.badge.pk).update(achievement=None)
    sweep()
    assert AchievementCompletion.objects.filter(student=scenario.meets).exists()
    assert not BadgeIssuance.objects.exists()
    scenario.badge.refresh_from_db()

    badge_map_to_achievement(
        actor=AdministratorFactory(organization=organization),
        badge=scenario.badge,
        achievement=scenario.achievement,
    )
    run = sweep()

    assert run.badges_issued == 1
    assert holders(scenario.badge) == {scenario.meets.pk}


def test_archived_badge_is_not_issued(organization):
    scenario = lab_scenario(organization)
    Badge.objects.filter(pk=scenario.badge.pk).update(is_active=False)

    sweep()

    assert not BadgeIssuance.objects.exists()


def test_completion_recorded_after_a_sweep_is_found_by_the_next(organization):
    scenario = lab_scenario(organization)
    sweep()
    LabCompletionFactory(
        student=scenario.misses, lab=scenario.achievement.lab, completed_at=day(20)
    )

    run = sweep()

    assert run.badges_issued == 1
    assert holders(scenario.badge) == {scenario.meets.pk, scenario.misses.pk}


def test_changed_criteria_are_evaluated_over_all_history(organization):
    scenario = lab_scenario(organization)
    sweep()
    other_lab = LabCompletion.objects.get(student=scenario.misses).lab
    LabCompletion.objects.update(recorded_at=timezone.now() - timedelta(days=30))
    AchievementWatermark.objects.update(evaluated_through=timezone.now())
    Badge.objects.update(updated_at=timezone.now() - timedelta(days=30))

    scenario.achievement.lab = other_lab
    achievement_update(achievement=scenario.achievement)
    run = sweep()

    assert run.achievements_evaluated_in_full == 1
    assert holders(scenario.badge) == {scenario.meets.pk, scenario.misses.pk}


def test_sweep_with_nothing_new_evaluates_nothing_and_moves_the_watermark(organization):
    scenario = lab_scenario(organization)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    LabCompletion.objects.update(recorded_at=an_hour_ago)
    Badge.objects.update(updated_at=an_hour_ago)
    sweep()
    before = AchievementWatermark.objects.get().evaluated_through

    with CaptureQueriesContext(connection) as queries:
        run = sweep()

    assert run.achievements_evaluated == 0
    # 13: the lock, the run (three), the achievements with their course sets and the
    # organizations they are available to, the badge changes, the floor, the news, the
    # watermarks, the unlock.
    assert len(queries) <= 13, "\n".join(q["sql"] for q in queries)
    assert AchievementWatermark.objects.get().evaluated_through >= before
    assert holders(scenario.badge) == {scenario.meets.pk}


def _students_meeting_every_kind(organization, count: int):
    """Every kind of achievement, each met by `count` students."""
    scenarios = [
        build(organization) for build in SCENARIOS.values() if build is not points_scenario
    ]
    for scenario in scenarios:
        for _ in range(count - 1):
            extra = StudentFactory(organization=organization)
            for model in _records_of(scenario.meets):
                model.pk = None
                model.student_id = extra.pk
                model.save()
    return scenarios


def _records_of(student):
    from assignments.models import CourseAssignment
    from catalog.models import ExamAttempt
    from classes.models import Enrollment

    return [
        *LabCompletion.objects.filter(student=student),
        *ExamAttempt.objects.filter(student=student),
        *Enrollment.objects.filter(student=student),
        *CourseAssignment.objects.filter(student=student),
    ]


def _sweep_queries(organization, students: int) -> tuple[int, SweepRun]:
    _students_meeting_every_kind(organization, students)
    AchievementFactory(
        organization=organization,
        criteria_type=Type.POINTS,
        lab=None,
        points=0,
        points_threshold=10,
    )
    with CaptureQueriesContext(connection) as queries:
        run = sweep()
    return len(queries), run


def test_sweep_query_count_does_not_grow_with_students(organization, other_organization):
    few, few_run = _sweep_queries(organization, students=1)
    BadgeIssuance.objects.all().delete()
    Badge.objects.all().delete()
    Achievement.objects.all().delete()

    many, many_run = _sweep_queries(other_organization, students=15)

    assert many_run.achievements_completed > few_run.achievements_completed
    assert many_run.achievements_evaluated == few_run.achievements_evaluated
    assert many == few
    # 7 achievements, seven statements each on PostgreSQL (savepoint, floor, completions, which
    # mapped badges expire, badges, watermark, release), and eleven for the run around them
    # (one of which reads the organizations each achievement is available to).
    assert many <= 60


def test_reevaluating_named_students_completes_only_them(organization):
    scenario = lab_scenario(organization)
    other = StudentFactory(organization=organization)
    LabCompletionFactory(student=other, lab=scenario.achievement.lab, completed_at=day(2))

    totals = achievements_evaluate_students(student_ids=[scenario.meets.pk])

    assert (totals.achievements_completed, totals.badges_issued) == (1, 1)
    assert holders(scenario.badge) == {scenario.meets.pk}
    assert not AchievementWatermark.objects.exists()


def test_a_failing_achievement_is_recorded_and_the_others_still_run(organization):
    scenario = lab_scenario(organization)
    broken = AchievementFactory(organization=organization, name="Broken", lab=LabFactory())

    def disk_full_for_broken(execute, sql, params, many, context):
        if sql.startswith("INSERT INTO achievements_achievementcompletion") and (
            params and params[0] == broken.pk
        ):
            raise DatabaseError("could not extend file: No space left on device")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(disk_full_for_broken):
        run = sweep_run(trigger=SweepRun.Trigger.COMMAND)

    assert run.status == SweepRun.Status.FAILED
    assert "Broken" in run.error
    assert "No space left on device" in run.error
    assert holders(scenario.badge) == {scenario.meets.pk}
    assert not AchievementWatermark.objects.filter(achievement=broken).exists()
    assert AchievementWatermark.objects.filter(achievement=scenario.achievement).exists()


class WorkerKilled(BaseException):
    """What the sweep sees when its process dies: nothing it can catch."""


def test_sweep_killed_half_way_is_finished_by_the_next_run(organization):
    scenarios = [build(organization) for build in SCENARIOS.values()]
    achievement_ids = sorted(
        s.achievement.pk for s in scenarios if s.achievement.criteria_type != Type.POINTS
    )
    victim = achievement_ids[3]

    def die_at_the_fourth(execute, sql, params, many, context):
        # The completions' INSERT, alone or at the head of the statement that also issues.
        recording = sql.startswith(
            ("INSERT INTO achievements_achievementcompletion", "WITH recorded AS (INSERT INTO")
        )
        if recording and params[0] == victim:
            raise WorkerKilled
        return execute(sql, params, many, context)

    with pytest.raises(WorkerKilled), connection.execute_wrapper(die_at_the_fourth):
        sweep_run(trigger=SweepRun.Trigger.SCHEDULE)

    dead = SweepRun.objects.get()
    assert dead.status == SweepRun.Status.RUNNING
    done = set(AchievementWatermark.objects.values_list("achievement_id", flat=True))
    assert done == set(achievement_ids[:3])
    assert not AchievementCompletion.objects.filter(achievement_id=victim).exists()

    run = sweep()

    dead.refresh_from_db()
    assert dead.status == SweepRun.Status.INTERRUPTED
    assert run.badges_issued == len(scenarios) - 3
    assert AchievementWatermark.objects.count() == Achievement.objects.count()
    for scenario in scenarios:
        assert holders(scenario.badge) == {scenario.meets.pk}
