"""Journey: an administrator sets up an achievement, sees who already meets it before saving,
maps a badge after seeing who would receive it, and the sweep issues it retroactively."""

import pytest
from playwright.sync_api import expect

from achievements.models import SweepRun
from awarding.sweep.runs import sweep_run
from badges.models import BadgeIssuance
from tests.achievements.scenarios import day
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import BadgeFactory, LabCompletionFactory, LabFactory, StudentFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_administrator_creates_an_achievement_maps_a_badge_and_the_sweep_issues_it(
    log_in, live_server, administrator, organization
):
    lab = LabFactory(title="Deploy a virtual machine")
    students = [StudentFactory(organization=organization) for _ in range(2)]
    for student in students:
        LabCompletionFactory(student=student, lab=lab, completed_at=day(1))
    badge = BadgeFactory(organization=organization, name="Cloud Explorer")
    page = log_in(administrator)

    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Achievements", exact=True
    ).click()
    page.get_by_role("link", name="New achievement").click()
    page.get_by_label("Name").fill("Deployed a VM")
    page.get_by_label("Criteria").select_option(label="Complete a lab")
    page.get_by_label("Lab").select_option(label="Deploy a virtual machine")
    expect(page.get_by_test_id("preview-meeting")).to_have_text(
        "2 students already meet these criteria."
    )
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Deployed a VM")).to_be_visible()
    assert_no_serious_axe_violations(page, "achievement-detail")
    expect(page.get_by_test_id("completion-count")).to_have_text("0 students")
    page.get_by_label("Map a badge").select_option(label="Cloud Explorer")
    expect(page.get_by_test_id("mapping-preview")).to_have_text(
        "2 students would receive Cloud Explorer on the next sweep; 2 of them would be e-mailed."
    )
    # The retroactive choice (deliveries): unticked, those who already qualify are not e-mailed.
    expect(page.get_by_label("E-mail the 2 students who already qualify")).not_to_be_checked()
    page.get_by_role("button", name="Map badge").click()
    expect(
        page.get_by_test_id("mapped-badges").get_by_role("link", name="Cloud Explorer")
    ).to_be_visible()

    run = sweep_run(trigger=SweepRun.Trigger.SCHEDULE)

    assert set(BadgeIssuance.objects.filter(badge=badge).values_list("recipient", flat=True)) == {
        student.pk for student in students
    }
    page.reload()
    expect(page.get_by_test_id("completion-count")).to_have_text("2 students")
    page.get_by_role("link", name="Sweep Runs").click()
    first_run = page.get_by_test_id("sweep-run").first
    expect(first_run).to_contain_text("Succeeded")
    expect(first_run.get_by_role("cell", name=str(run.badges_issued), exact=True)).to_have_count(2)
