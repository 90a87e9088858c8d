"""Sweep Runs: each run's figures scoped to the viewer's organization (platform staff see the
totals), Ended and Errors, the next run's time, the re-evaluations summary and Run sweep now."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from achievements.models import SweepRun
from awarding.selectors import sweep_runs_for_user
from badges.models import BadgeIssuance
from tests.factories import (
    AchievementCompletionFactory,
    AchievementFactory,
    AdministratorFactory,
    BadgeFactory,
    BadgeIssuanceFactory,
    InstructorFactory,
    StudentFactory,
    UserFactory,
)

URL = reverse("achievements:sweep_runs")


@pytest.fixture
def run_of_two_organizations(organization, other_organization):
    """One sweep that issued 2 badges and recorded 2 completions in Northwind and 5 and 3 in
    Contoso; its own totals (stored on the run) are platform-wide. A re-evaluation during the
    run and a manual issuance are not the run's."""
    started = timezone.now() - timedelta(minutes=10)
    run = SweepRun.objects.create(
        started_at=started,
        finished_at=started + timedelta(seconds=30),
        duration=timedelta(seconds=30),
        trigger=SweepRun.Trigger.SCHEDULE,
        status=SweepRun.Status.FAILED,
        achievements_evaluated=9,
        achievements_completed=5,
        badges_issued=7,
        error="Achievement {own} (Ours): boom\nAchievement {foreign} (Theirs): secret detail",
    )
    during = started + timedelta(seconds=10)
    for org, badges, completions in [(organization, 2, 2), (other_organization, 5, 3)]:
        achievement = AchievementFactory(organization=org)
        badge = BadgeFactory(organization=org, achievement=achievement)
        for _ in range(badges):
            BadgeIssuanceFactory(
                badge=badge,
                recipient=StudentFactory(organization=org),
                method=BadgeIssuance.Method.AUTOMATIC,
                source=BadgeIssuance.Source.ACHIEVEMENT,
                origin="sweep",
                issued_at=during,
            )
        for _ in range(completions):
            completion = AchievementCompletionFactory(
                achievement=achievement, student=StudentFactory(organization=org)
            )
            type(completion).objects.filter(pk=completion.pk).update(recorded_at=during)
        if org == organization:
            own = achievement
            BadgeIssuanceFactory(  # a re-evaluation during the run: not the run's
                badge=BadgeFactory(organization=org, achievement=achievement),
                recipient=StudentFactory(organization=org),
                method=BadgeIssuance.Method.AUTOMATIC,
                source=BadgeIssuance.Source.ACHIEVEMENT,
                origin="re-evaluation",
                issued_at=during,
            )
            BadgeIssuanceFactory(badge=badge, issued_at=during)  # manual
        else:
            foreign = achievement
    run.error = run.error.format(own=own.pk, foreign=foreign.pk)
    run.save()
    return run


def _row(response):
    [run] = response.context["runs"]
    return run


def test_an_administrator_sees_only_their_organizations_figures(
    client, administrator, run_of_two_organizations
):
    client.force_login(administrator)

    response = client.get(URL)

    run = _row(response)
    assert (run.shown_badges_issued, run.shown_completions, run.shown_achievements) == (2, 2, 1)
    text = response.content.decode()
    assert "boom" in text
    assert "secret detail" not in text
    assert "Theirs" not in text
    assert ">7<" not in text
    assert ">9<" not in text


def test_the_other_organizations_administrator_sees_theirs(
    client, other_organization, run_of_two_organizations
):
    client.force_login(AdministratorFactory(organization=other_organization))

    run = _row(client.get(URL))

    assert (run.shown_badges_issued, run.shown_completions, run.shown_achievements) == (5, 3, 1)
    assert run.shown_errors == [run_of_two_organizations.error.splitlines()[1]]


def test_platform_staff_see_the_runs_own_totals(client, run_of_two_organizations):
    client.force_login(UserFactory(organization=None, is_staff=True, is_superuser=True))

    response = client.get(URL)

    run = _row(response)
    assert (run.shown_badges_issued, run.shown_completions, run.shown_achievements) == (7, 5, 9)
    assert len(run.shown_errors) == 2


def test_an_error_about_the_whole_sweep_is_shown_to_every_administrator(
    client, administrator, run_of_two_organizations
):
    run_of_two_organizations.error = "OperationalError: the database went away"
    run_of_two_organizations.save()
    client.force_login(administrator)

    assert "the database went away" in client.get(URL).content.decode()


@pytest.mark.parametrize("role", ["instructor", "student"])
def test_instructors_and_students_see_no_sweep_runs(client, organization, role, db):
    factory = InstructorFactory if role == "instructor" else StudentFactory
    user = factory(organization=organization)
    client.force_login(user)

    assert client.get(URL).status_code == 403
    assert not sweep_runs_for_user(user=user).exists()
    assert client.post(reverse("achievements:sweep_run_now")).status_code == 403
    assert not SweepRun.objects.exists()


def test_the_page_shows_end_errors_next_run_and_reevaluations(
    client, administrator, run_of_two_organizations, settings
):
    client.force_login(administrator)

    response = client.get(URL)

    text = " ".join(response.content.decode().split())
    assert '<th scope="col">Ended</th>' in text
    assert '<th scope="col">Errors</th>' in text
    next_due = run_of_two_organizations.started_at + timedelta(
        seconds=settings.SWEEP_INTERVAL_SECONDS
    )
    assert response.context["schedule"].next_due_at == next_due
    assert f'datetime="{timezone.localtime(next_due).isoformat()}"' in text
    # The re-evaluation in Northwind (1 badge, 1 student); Contoso's sweep badges are not in it.
    summary = response.context["reevaluations"]
    assert (summary.badges_issued, summary.students) == (1, 1)
    assert "1 badge issued automatically to 1 student right after" in text
    assert 'data-testid="chart-badges"' in text


def test_next_run_skips_the_beats_that_were_missed(client, administrator, settings):
    settings.SWEEP_INTERVAL_SECONDS = 3600
    started = timezone.now() - timedelta(hours=5, minutes=30)
    SweepRun.objects.create(started_at=started, trigger=SweepRun.Trigger.SCHEDULE)
    client.force_login(administrator)

    next_due = client.get(URL).context["schedule"].next_due_at

    assert next_due == started + timedelta(hours=6)


def test_run_sweep_now_queues_the_sweep_after_commit(
    client, administrator, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    assert "Run sweep now" in client.get(URL).content.decode()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("achievements:sweep_run_now"))

    assert response.status_code == 302
    assert len(callbacks) == 1
    # Eager in the test settings: the sweep ran, recorded as the worker's.
    run = SweepRun.objects.get()
    assert (run.trigger, run.status) == (SweepRun.Trigger.SCHEDULE, SweepRun.Status.SUCCEEDED)


def test_run_sweep_now_needs_a_post(client, administrator):
    client.force_login(administrator)

    assert client.get(reverse("achievements:sweep_run_now")).status_code == 405
    assert not SweepRun.objects.exists()


def test_run_sweep_now_is_refused_without_the_csrf_token(administrator):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)

    assert client.post(reverse("achievements:sweep_run_now")).status_code == 403
    assert not SweepRun.objects.exists()


def test_run_sweep_now_with_the_broker_down_still_answers(
    client, administrator, portal_app_on, caplog, django_capture_on_commit_callbacks
):
    portal_app_on("redis://127.0.0.1:1/0")
    client.force_login(administrator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("achievements:sweep_run_now"))

    assert response.status_code == 302
    assert not SweepRun.objects.exists()
    assert "Could not queue the sweep now" in caplog.text
