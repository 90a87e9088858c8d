"""Badge profiles in the portal: list, create, profile, edit with tabs, archive, delete, history."""

import pytest
from django.urls import reverse
from django.utils import timezone

from badges.images import badge_hue, generated_image_url
from badges.models import Badge, BadgeChange
from tests.badges.images import SVG_WITH_SCRIPT, noise_png_bytes, png_bytes, upload
from tests.factories import (
    AchievementFactory,
    AdministratorFactory,
    BadgeFactory,
    BadgeIssuanceFactory,
)
from tests.helpers import HTMX


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _edit_data(badge, **changes):
    data = {
        "name": badge.name,
        "description": badge.description,
        "achievement": badge.achievement_id or "",
    }
    if badge.is_active:
        data["is_active"] = "on"
    if badge.manual_issuance_enabled:
        data["manual_issuance_enabled"] = "on"
    if badge.notify_recipients:
        data["notify_recipients"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _stored_files(media_root):
    return (
        sorted(p.name for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
    )


# The Badges list ------------------------------------------------------------------------------


def test_badge_list_shows_own_badges_with_holders_and_how_they_are_issued(
    admin_client, organization, other_organization
):
    achievement = AchievementFactory(organization=organization, name="Deployed a VM")
    both = BadgeFactory(organization=organization, name="Cloud Explorer", achievement=achievement)
    BadgeIssuanceFactory.create_batch(3, badge=both)
    BadgeFactory(organization=organization, name="Only By Hand")
    BadgeFactory(organization=other_organization, name="Foreign Badge")

    response = admin_client.get(reverse("badges:list"))

    badges = {badge.name: badge for badge in response.context["badges"]}
    assert set(badges) == {"Cloud Explorer", "Only By Hand"}
    assert badges["Cloud Explorer"].holder_count == 3
    content = response.content.decode()
    assert "Automatic and manual" in content
    assert "via Deployed a VM" in content
    assert f'<img src="{generated_image_url("Cloud Explorer")}"' in content
    assert f"{reverse('badges:issued')}?badge={both.pk}" in content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "cloud"}, {"Cloud Explorer", "Cloud Archive"}),
        ({"status": "active"}, {"Cloud Explorer", "Manual Only", "Not Issued"}),
        ({"status": "archived"}, {"Cloud Archive"}),
        ({"issuance": "manual"}, {"Cloud Explorer", "Manual Only"}),
        ({"issuance": "automatic"}, {"Cloud Explorer", "Cloud Archive"}),
        ({"issuance": "both"}, {"Cloud Explorer"}),
        ({"issuance": "none"}, {"Not Issued"}),
        ({"q": "cloud", "status": "active", "issuance": "automatic"}, {"Cloud Explorer"}),
    ],
)
def test_badge_list_search_and_filters(admin_client, organization, query, expected):
    achievement = AchievementFactory(organization=organization)
    BadgeFactory(organization=organization, name="Cloud Explorer", achievement=achievement)
    BadgeFactory(
        organization=organization,
        name="Cloud Archive",
        achievement=achievement,
        manual_issuance_enabled=False,
        is_active=False,
    )
    BadgeFactory(organization=organization, name="Manual Only")
    BadgeFactory(organization=organization, name="Not Issued", manual_issuance_enabled=False)

    response = admin_client.get(reverse("badges:list"), query)

    assert {badge.name for badge in response.context["badges"]} == expected


def test_badge_list_search_with_htmx_returns_only_the_table(admin_client, manual_badge):
    response = admin_client.get(reverse("badges:list"), {"q": "star"}, headers=HTMX)

    content = response.content.decode()
    assert "Star Participant" in content
    assert "<html" not in content
    assert "HX-Request" in response["Vary"]


def test_badge_list_query_count_does_not_grow_with_badges(
    admin_client, organization, django_assert_max_num_queries
):
    for badge in BadgeFactory.create_batch(30, organization=organization):
        BadgeIssuanceFactory(badge=badge)

    # 9: the list, its count, the session and user, roles, and the badges other organizations
    # made available to this one.
    with django_assert_max_num_queries(9):
        response = admin_client.get(reverse("badges:list"))
    assert len(response.context["badges"]) == 30


# Create ---------------------------------------------------------------------------------------


def test_administrator_creates_a_badge_and_the_creation_is_recorded(
    admin_client, administrator, organization, media_root
):
    achievement = AchievementFactory(organization=organization, name="Safety curriculum")

    response = admin_client.post(
        reverse("badges:create"),
        {
            "name": "Safety Champion",
            "description": "For safe hands.",
            "is_active": "on",
            "manual_issuance_enabled": "on",
            "achievement": achievement.pk,
            "image": upload(png_bytes()),
        },
    )

    badge = Badge.objects.get(name="Safety Champion")
    assert response.status_code == 302
    assert response.url == reverse("badges:profile", args=[badge.pk])
    assert badge.organization == organization
    assert badge.manual_issuance_enabled
    assert badge.achievement == achievement
    assert badge.image.name.startswith("badges/safety-champion-")
    assert badge.image.name.endswith(".png")
    change = badge.changes.get()
    assert (change.action, change.actor) == (BadgeChange.Action.CREATED, administrator)
    assert {"field": "Enable Manual Issuance", "old": "", "new": "Yes"} in change.changes
    assert {"field": "Automatic Issuance", "old": "", "new": "Safety curriculum"} in change.changes


def test_a_new_badge_without_image_shows_an_image_generated_from_its_name(admin_client):
    admin_client.post(reverse("badges:create"), {"name": "Plain Sailing", "is_active": "on"})
    badge = Badge.objects.get(name="Plain Sailing")

    response = admin_client.get(reverse("badges:profile", args=[badge.pk]))

    assert not badge.image
    assert badge.image_url == f"/badges/generated/{badge_hue('Plain Sailing')}/PS.svg"
    assert f'<img src="{badge.image_url}"' in response.content.decode()


def test_create_refuses_a_duplicate_name_on_basic_information_and_keeps_the_input(
    admin_client, manual_badge
):
    response = admin_client.post(
        reverse("badges:create"),
        {"name": manual_badge.name, "description": "Typed with care", "is_active": "on"},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "A badge with this name already exists in your organization." in content
    assert "Typed with care" in content
    assert [tab["slug"] for tab in response.context["form"].tabs() if tab["active"]] == ["basic"]
    assert Badge.objects.filter(name=manual_badge.name).count() == 1


def test_platform_staff_without_organization_cannot_create_in_the_portal(client, db):
    from tests.factories import UserFactory

    staff = UserFactory(organization=None, is_staff=True, is_superuser=True)
    client.force_login(staff)

    assert client.get(reverse("badges:create")).status_code == 403


# Profile and edit -----------------------------------------------------------------------------


def test_profile_shows_everything_about_the_badge(admin_client, organization, student):
    achievement = AchievementFactory(organization=organization, name="Cloud graduate")
    badge = BadgeFactory(
        organization=organization,
        name="Cloud Foundations",
        description="Completed the course.",
        achievement=achievement,
    )
    BadgeIssuanceFactory(badge=badge, recipient=student)

    response = admin_client.get(reverse("badges:profile", args=[badge.pk]))

    content = response.content.decode()
    for text in ["Cloud Foundations", "Completed the course.", "Northwind", "Cloud graduate"]:
        assert text in content
    assert response.context["badge"].holder_count == 1
    assert f"{reverse('badges:issued')}?badge={badge.pk}" in content
    assert student.display_name in content
    assert reverse("badges:student", args=[student.pk]) in content
    assert reverse("badges:delete", args=[badge.pk]) not in content  # has a holder


def test_edit_form_starts_from_the_stored_values(admin_client, organization):
    achievement = AchievementFactory(organization=organization)
    badge = BadgeFactory(organization=organization, achievement=achievement)

    form = admin_client.get(reverse("badges:edit", args=[badge.pk])).context["form"]

    assert form["name"].value() == badge.name
    assert form["achievement"].value() == achievement.pk
    assert form["manual_issuance_enabled"].value() is True


def test_save_stores_every_tab_at_once_and_records_each_change(
    admin_client, administrator, organization, media_root
):
    achievement = AchievementFactory(organization=organization, name="Team leader")
    badge = BadgeFactory(
        organization=organization, name="Leader", manual_issuance_enabled=False, is_active=True
    )

    response = admin_client.post(
        reverse("badges:edit", args=[badge.pk]),
        _edit_data(
            badge,
            name="Team Leader",
            manual_issuance_enabled="on",
            achievement=achievement.pk,
            image=upload(png_bytes()),
        ),
    )

    assert response.status_code == 302
    badge.refresh_from_db()
    assert badge.name == "Team Leader"
    assert badge.manual_issuance_enabled
    assert badge.achievement == achievement
    assert badge.image
    change = badge.changes.get(action=BadgeChange.Action.UPDATED)
    assert change.actor == administrator
    fields = {item["field"]: (item["old"], item["new"]) for item in change.changes}
    assert fields["Name"] == ("Leader", "Team Leader")
    assert fields["Enable Manual Issuance"] == ("No", "Yes")
    assert fields["Automatic Issuance"] == ("None", "Team leader")
    assert fields["Image"][0] == "Default image"
    assert set(fields) == {"Name", "Enable Manual Issuance", "Automatic Issuance", "Image"}

    profile = admin_client.get(reverse("badges:profile", args=[badge.pk])).content.decode()
    assert "Edited" in profile
    assert administrator.display_name in profile
    assert "Enable Manual Issuance: No → Yes" in profile


def test_saving_without_a_change_records_nothing(admin_client, manual_badge):
    admin_client.post(reverse("badges:edit", args=[manual_badge.pk]), _edit_data(manual_badge))

    assert not manual_badge.changes.exists()


def test_mapping_a_badge_makes_the_next_sweep_look_at_the_whole_history(
    admin_client, organization, manual_badge
):
    achievement = AchievementFactory(organization=organization)
    before = achievement.criteria_changed_at

    admin_client.post(
        reverse("badges:edit", args=[manual_badge.pk]),
        _edit_data(manual_badge, achievement=achievement.pk),
    )

    achievement.refresh_from_db()
    assert achievement.criteria_changed_at > before


def test_a_refused_field_on_another_tab_opens_that_tab_and_keeps_what_was_typed(
    admin_client, manual_badge, other_organization
):
    foreign = AchievementFactory(organization=other_organization)

    response = admin_client.post(
        reverse("badges:edit", args=[manual_badge.pk]),
        _edit_data(manual_badge, name="Renamed While Editing", achievement=foreign.pk),
    )

    assert response.status_code == 200
    tabs = {tab["slug"]: tab for tab in response.context["form"].tabs()}
    assert tabs["automatic"]["active"]
    assert tabs["automatic"]["error_count"] == 1
    assert 'value="Renamed While Editing"' in response.content.decode()
    manual_badge.refresh_from_db()
    assert manual_badge.name == "Star Participant"
    assert manual_badge.achievement is None


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.4 not an image at all", "report.png", "Upload a PNG or JPEG image"),
        (SVG_WITH_SCRIPT, "innocent.png", "Upload a PNG or JPEG image"),
        (noise_png_bytes(700), "huge-file.png", "a badge image may be at most 1.0"),
        (png_bytes(4000, 4000, mode="1"), "huge-pixels.png", "This image is 4000 × 4000 pixels"),
    ],
    ids=["non-image", "svg-script-renamed-png", "oversized-file", "huge-pixel-dimensions"],
)
def test_a_refused_image_shows_a_message_on_the_image_tab_and_changes_nothing(
    admin_client, organization, media_root, content, name, message
):
    badge = BadgeFactory(organization=organization, name="Original", manual_issuance_enabled=False)
    admin_client.post(
        reverse("badges:edit", args=[badge.pk]), _edit_data(badge, image=upload(png_bytes()))
    )
    badge.refresh_from_db()
    image_before, files_before = badge.image.name, _stored_files(media_root)
    changes_before = badge.changes.count()

    response = admin_client.post(
        reverse("badges:edit", args=[badge.pk]),
        _edit_data(
            badge, name="Renamed", manual_issuance_enabled="on", image=upload(content, name)
        ),
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    tabs = {tab["slug"]: tab for tab in response.context["form"].tabs()}
    assert tabs["image"]["active"]
    assert response.context["form"].image_was_dropped
    badge.refresh_from_db()
    assert (badge.name, badge.manual_issuance_enabled) == ("Original", False)
    assert badge.image.name == image_before
    assert _stored_files(media_root) == files_before
    assert badge.changes.count() == changes_before


def test_replacing_and_removing_the_image_deletes_the_old_file(
    admin_client, manual_badge, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("badges:edit", args=[manual_badge.pk]),
            _edit_data(manual_badge, image=upload(png_bytes())),
        )
    manual_badge.refresh_from_db()
    first = manual_badge.image.name
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("badges:edit", args=[manual_badge.pk]),
            _edit_data(manual_badge, remove_image="on"),
        )

    manual_badge.refresh_from_db()
    assert not manual_badge.image
    assert _stored_files(media_root) == []
    last = manual_badge.changes.first()
    assert last.changes == [
        {"field": "Image", "old": first.rsplit("/", 1)[-1], "new": "Default image"}
    ]


def test_edit_with_tab_parameter_opens_that_tab(admin_client, manual_badge):
    response = admin_client.get(reverse("badges:edit", args=[manual_badge.pk]), {"tab": "image"})

    assert [tab["slug"] for tab in response.context["form"].tabs() if tab["active"]] == ["image"]


# Archive and delete ---------------------------------------------------------------------------


def test_archiving_keeps_the_holders_and_is_recorded(admin_client, administrator, manual_badge):
    BadgeIssuanceFactory(badge=manual_badge)

    response = admin_client.post(reverse("badges:archive", args=[manual_badge.pk]))

    assert response.status_code == 302
    manual_badge.refresh_from_db()
    assert not manual_badge.is_active
    assert manual_badge.issuances.count() == 1
    change = manual_badge.changes.get()
    assert (change.action, change.actor) == (BadgeChange.Action.ARCHIVED, administrator)


def test_archive_needs_a_post(admin_client, manual_badge):
    assert admin_client.get(reverse("badges:archive", args=[manual_badge.pk])).status_code == 405


def test_a_badge_with_holders_is_not_deleted(admin_client, manual_badge):
    BadgeIssuanceFactory(badge=manual_badge)

    confirm = admin_client.get(reverse("badges:delete", args=[manual_badge.pk]))
    response = admin_client.post(reverse("badges:delete", args=[manual_badge.pk]), follow=True)

    assert "cannot be deleted" in confirm.content.decode()
    assert "Archive it instead" in response.content.decode()
    assert Badge.objects.filter(pk=manual_badge.pk).exists()
    assert not manual_badge.changes.exists()


def test_a_badge_without_holders_is_deleted_after_confirmation_and_its_history_stays(
    admin_client, administrator, manual_badge
):
    dialog = admin_client.get(reverse("badges:delete", args=[manual_badge.pk]), headers=HTMX)
    page = admin_client.get(reverse("badges:delete", args=[manual_badge.pk]))

    response = admin_client.post(reverse("badges:delete", args=[manual_badge.pk]))

    assert "Delete Badge" in dialog.content.decode()
    assert "<html" not in dialog.content.decode()
    assert "data-dialog-close" in dialog.content.decode()
    assert "<html" in page.content.decode()
    assert response.status_code == 302
    assert response.url == reverse("badges:list")
    assert not Badge.objects.filter(pk=manual_badge.pk).exists()
    deletion = BadgeChange.objects.get(action=BadgeChange.Action.DELETED)
    assert (deletion.badge, deletion.badge_name, deletion.actor) == (
        None,
        "Star Participant",
        administrator,
    )


# Who may do what ------------------------------------------------------------------------------


def _badge_urls(badge):
    return [
        ("get", reverse("badges:profile", args=[badge.pk])),
        ("get", reverse("badges:edit", args=[badge.pk])),
        ("post", reverse("badges:edit", args=[badge.pk])),
        ("post", reverse("badges:archive", args=[badge.pk])),
        ("get", reverse("badges:delete", args=[badge.pk])),
        ("post", reverse("badges:delete", args=[badge.pk])),
    ]


def test_an_administrator_cannot_see_edit_archive_or_delete_another_organizations_badge(
    admin_client, other_organization
):
    foreign = BadgeFactory(organization=other_organization, name="Foreign", is_active=True)

    statuses = [
        getattr(admin_client, method)(url, {"name": "Hijacked", "is_active": ""}).status_code
        for method, url in _badge_urls(foreign)
    ]

    assert statuses == [404] * 6
    foreign.refresh_from_db()
    assert (foreign.name, foreign.is_active) == ("Foreign", True)
    assert not foreign.changes.exists()
    listed = admin_client.get(reverse("badges:list"), {"q": "Foreign"}).context["badges"]
    assert list(listed) == []


@pytest.mark.parametrize("role", ["instructor", "student"])
def test_instructors_and_students_get_403_on_badge_profiles(client, request, manual_badge, role):
    client.force_login(request.getfixturevalue(role))

    statuses = [
        getattr(client, method)(url).status_code for method, url in _badge_urls(manual_badge)
    ]
    statuses += [
        client.get(reverse("badges:list")).status_code,
        client.get(reverse("badges:create")).status_code,
        client.post(reverse("badges:create"), {"name": "X"}).status_code,
    ]

    assert set(statuses) == {403}
    assert not Badge.objects.filter(name="X").exists()


def test_another_administrator_of_the_same_organization_may_edit(
    client, organization, manual_badge
):
    client.force_login(AdministratorFactory(organization=organization))

    assert client.get(reverse("badges:edit", args=[manual_badge.pk])).status_code == 200


# Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"page": "abc"},
        {"page": "99999"},
        {"page": "-1"},
        {"status": "deleted"},
        {"issuance": "<script>"},
        {"q": "x" * 5000},
        {"q": "\x00"},
    ],
)
def test_bad_list_input_never_fails(admin_client, manual_badge, query):
    assert admin_client.get(reverse("badges:list"), query).status_code == 200


def test_unknown_badge_ids_are_404(admin_client):
    assert admin_client.get(reverse("badges:profile", args=[987654])).status_code == 404
    assert admin_client.post(reverse("badges:delete", args=[987654])).status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {"name": "x" * 500, "is_active": "on"},
        {"name": "Fine", "achievement": "not-a-number"},
        {"name": "Fine", "achievement": "-5"},
        {"name": "Fine", "description": "d" * 10_000},
        {"name": "   "},
    ],
)
def test_bad_form_input_is_refused_with_a_message(admin_client, manual_badge, data):
    response = admin_client.post(reverse("badges:edit", args=[manual_badge.pk]), data)

    assert response.status_code == 200
    assert response.context["form"].errors
    manual_badge.refresh_from_db()
    assert manual_badge.name == "Star Participant"


# The services behind these pages: the rules hold even when a form is bypassed ----------------


def test_a_name_taken_between_form_and_save_is_refused_by_the_database(administrator, manual_badge):
    from django.core.exceptions import ValidationError

    from badges.services.profiles import badge_create

    with pytest.raises(ValidationError) as refused:
        badge_create(
            actor=administrator, organization=manual_badge.organization, name=manual_badge.name
        )

    assert refused.value.message_dict == {
        "name": ["A badge with this name already exists in your organization."]
    }
    assert Badge.objects.filter(name=manual_badge.name).count() == 1


def test_services_refuse_an_administrator_of_another_organization(other_organization, manual_badge):
    from django.core.exceptions import PermissionDenied

    from badges.services.profiles import badge_archive, badge_delete, badge_update

    outsider = AdministratorFactory(organization=other_organization)

    for write in (
        lambda: badge_archive(actor=outsider, badge=manual_badge),
        lambda: badge_delete(actor=outsider, badge=manual_badge),
        lambda: badge_update(
            actor=outsider,
            badge=manual_badge,
            name="Taken over",
            description="",
            is_active=True,
            manual_issuance_enabled=True,
            achievement=None,
        ),
    ):
        with pytest.raises(PermissionDenied):
            write()
    manual_badge.refresh_from_db()
    assert (manual_badge.name, manual_badge.is_active) == ("Star Participant", True)


def test_services_refuse_an_achievement_of_another_organization(
    administrator, manual_badge, other_organization
):
    from django.core.exceptions import ValidationError

    from badges.services.profiles import badge_update

    with pytest.raises(ValidationError):
        badge_update(
            actor=administrator,
            badge=manual_badge,
            name=manual_badge.name,
            description="",
            is_active=True,
            manual_issuance_enabled=True,
            achievement=AchievementFactory(organization=other_organization),
        )
    manual_badge.refresh_from_db()
    assert manual_badge.achievement is None


def test_archiving_twice_records_once(administrator, manual_badge):
    from badges.services.profiles import badge_archive

    badge_archive(actor=administrator, badge=manual_badge)
    badge_archive(actor=administrator, badge=manual_badge)

    assert manual_badge.changes.count() == 1


def test_the_criteria_and_expiry_tab_is_saved_and_recorded(admin_client, organization):
    badge = BadgeFactory(organization=organization, name="Leader")

    response = admin_client.post(
        reverse("badges:edit", args=[badge.pk]),
        _edit_data(
            badge,
            criteria_narrative="Lead a team for a term.",
            expiry="after",
            expiry_amount="2",
            expiry_unit="years",
        ),
    )

    assert response.status_code == 302
    badge.refresh_from_db()
    assert (badge.expiry, badge.expiry_amount, badge.expiry_unit) == ("after", 2, "years")
    assert badge.criteria_narrative == "Lead a team for a term."
    change = badge.changes.get(action=BadgeChange.Action.UPDATED)
    fields = {item["field"]: (item["old"], item["new"]) for item in change.changes}
    assert fields["Expiry"] == ("Never expires", "Expires 2 years after it is issued")
    assert fields["Criteria"] == ("", "Lead a team for a term.")
    profile = admin_client.get(reverse("badges:profile", args=[badge.pk])).content.decode()
    assert "Expires 2 years after it is issued" in profile


def test_the_profile_charts_its_issuances_per_week_by_method(admin_client, manual_badge):
    BadgeIssuanceFactory.create_batch(2, badge=manual_badge)
    BadgeIssuanceFactory(badge=manual_badge, method="automatic", source="achievement")
    BadgeIssuanceFactory()  # another badge's

    response = admin_client.get(reverse("badges:profile", args=[manual_badge.pk]))

    rows = response.context["issuance_rows"]
    assert len(rows) == 12
    assert rows[-1].values == (1, 2)
    assert sum(sum(row.values) for row in rows[:-1]) == 0
    text = response.content.decode()
    assert 'data-testid="chart-badge-issuances"' in text
    assert '<th scope="col">Automatic</th><th scope="col">Manual</th>' in text


def test_the_automatic_issuance_tab_previews_who_the_next_sweep_would_issue_the_badge_to(
    admin_client, administrator, organization
):
    from achievements.models import AchievementCompletion
    from tests.factories import LabCompletionFactory, StudentFactory

    achievement = AchievementFactory(organization=organization, name="Deployed a VM")
    meets_now, completed_before, holder = StudentFactory.create_batch(3, organization=organization)
    LabCompletionFactory(student=meets_now, lab=achievement.lab)
    AchievementCompletion.objects.create(
        achievement=achievement, student=completed_before, first_met_at=timezone.now()
    )
    AchievementCompletion.objects.create(
        achievement=achievement, student=holder, first_met_at=timezone.now()
    )
    badge = BadgeFactory(organization=organization, name="Cloud")
    BadgeIssuanceFactory(badge=badge, recipient=holder)
    url = reverse("badges:automatic_preview")

    edit = admin_client.get(reverse("badges:edit", args=[badge.pk])).content.decode()
    assert f'hx-get="{url}"' in edit
    assert f'hx-vals="{{&quot;badge&quot;: {badge.pk}}}"' in edit

    editing = admin_client.get(url, {"achievement": achievement.pk, "badge": badge.pk})
    creating = admin_client.get(url, {"achievement": achievement.pk})

    assert "<strong>2</strong> students would receive this badge" in editing.content.decode()
    assert "<strong>3</strong> students would receive this badge" in creating.content.decode()
    assert admin_client.get(url, {"achievement": ""}).content.decode().strip() == ""


def test_the_automatic_issuance_preview_knows_no_other_organizations_achievement(
    admin_client, other_organization
):
    foreign = AchievementFactory(organization=other_organization, name="Theirs")

    response = admin_client.get(reverse("badges:automatic_preview"), {"achievement": foreign.pk})

    assert "Theirs" not in response.content.decode()
    assert "would receive" not in response.content.decode()
