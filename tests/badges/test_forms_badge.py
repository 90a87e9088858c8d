"""The badge form: image checks with Pillow, the name rule, achievements of the organization only,
and which tab a refused Save opens."""

import io

import pytest
from PIL import Image

from badges.forms.profiles import BADGE_IMAGE_MAX_BYTES, BADGE_IMAGE_MAX_SIDE, BadgeForm
from tests.badges.images import (
    SVG_WITH_SCRIPT,
    bomb_png_bytes,
    gif_bytes,
    jpeg_bytes,
    noise_png_bytes,
    png_bytes,
    upload,
)
from tests.factories import AchievementFactory, BadgeFactory


def _form(organization, *, files=None, badge=None, **data):
    fields = {"name": "Quick Learner", "description": "", "is_active": "on", **data}
    return BadgeForm(fields, files or {}, organization=organization, badge=badge)


def test_png_and_jpeg_are_accepted_and_stored_in_their_own_format(organization):
    png_form = _form(organization, files={"image": upload(png_bytes())})
    jpeg_form = _form(organization, files={"image": upload(jpeg_bytes(), "photo.jpeg")})

    assert png_form.is_valid(), png_form.errors
    assert jpeg_form.is_valid(), jpeg_form.errors
    assert png_form.cleaned_data["image"].name == "badge.png"
    assert jpeg_form.cleaned_data["image"].name == "badge.jpg"
    assert Image.open(io.BytesIO(jpeg_form.cleaned_data["image"].read())).format == "JPEG"


def test_the_content_decides_not_the_file_name(organization):
    form = _form(organization, files={"image": upload(jpeg_bytes(), "looks-like.png")})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["image"].name == "badge.jpg"


def test_reencoding_keeps_only_the_pixels(organization):
    payload = png_bytes(text_chunk="<script>alert(1)</script>") + b"<?php system($_GET[0]); ?>"
    form = _form(organization, files={"image": upload(payload)})

    assert form.is_valid(), form.errors
    stored = form.cleaned_data["image"].read()
    assert b"<script>" not in stored
    assert b"<?php" not in stored
    assert Image.open(io.BytesIO(stored)).size == (64, 64)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"just some text, not an image", "notes.png", "Upload a PNG or JPEG image"),
        (SVG_WITH_SCRIPT, "logo.png", "Upload a PNG or JPEG image"),
        (SVG_WITH_SCRIPT, "logo.svg", "Upload a PNG or JPEG image"),
        (b"MZ\x90\x00" + b"\x00" * 200, "setup.png", "Upload a PNG or JPEG image"),
        (gif_bytes(), "anim.png", "Upload a PNG or JPEG image"),
        (png_bytes()[:60], "cut.png", "damaged"),
        (bomb_png_bytes(), "bomb.png", "far too many pixels"),
    ],
    ids=["text", "svg-renamed-png", "svg", "executable", "gif", "truncated", "bomb"],
)
def test_files_that_are_not_a_usable_png_or_jpeg_are_refused(organization, content, name, message):
    form = _form(organization, files={"image": upload(content, name)})

    assert not form.is_valid()
    assert message in form.errors["image"][0]


def test_an_oversized_file_is_refused_before_pillow_reads_it(organization):
    content = noise_png_bytes(700)
    assert len(content) > BADGE_IMAGE_MAX_BYTES

    form = _form(organization, files={"image": upload(content)})

    assert not form.is_valid()
    assert "a badge image may be at most 1.0" in form.errors["image"][0]


def test_an_image_with_huge_pixel_dimensions_is_refused(organization):
    side = BADGE_IMAGE_MAX_SIDE + 1000
    content = png_bytes(side, side, mode="1")
    assert len(content) < BADGE_IMAGE_MAX_BYTES  # small file, many pixels

    form = _form(organization, files={"image": upload(content)})

    assert not form.is_valid()
    assert form.errors["image"] == [
        f"This image is {side} × {side} pixels; a badge image may be at most "
        f"{BADGE_IMAGE_MAX_SIDE} × {BADGE_IMAGE_MAX_SIDE} pixels."
    ]


def test_an_empty_file_is_refused(organization):
    form = _form(organization, files={"image": upload(b"")})

    assert not form.is_valid()
    assert "image" in form.errors


def test_a_name_taken_in_the_organization_is_refused(organization, other_organization):
    BadgeFactory(organization=organization, name="Quick Learner")
    BadgeFactory(organization=other_organization, name="Elsewhere")

    taken = _form(organization)
    free_here = _form(organization, name="Elsewhere")

    assert taken.errors["name"] == ["A badge with this name already exists in your organization."]
    assert free_here.is_valid(), free_here.errors


def test_keeping_its_own_name_is_not_a_duplicate(organization):
    badge = BadgeFactory(organization=organization, name="Quick Learner")

    assert _form(organization, badge=badge).is_valid()


def test_only_achievements_of_the_organization_may_be_mapped(organization, other_organization):
    own = AchievementFactory(organization=organization)
    foreign = AchievementFactory(organization=other_organization)

    assert _form(organization, achievement=str(own.pk)).is_valid()
    refused = _form(organization, achievement=str(foreign.pk))
    assert not refused.is_valid()
    assert "achievement" in refused.errors


@pytest.mark.parametrize(
    ("data", "files", "open_tab"),
    [
        ({"name": ""}, {}, "basic"),
        ({}, {"image": upload(b"nope")}, "image"),
        ({"achievement": "999999"}, {}, "automatic"),
        ({}, {}, "basic"),
    ],
    ids=["name-missing", "bad-image", "unknown-achievement", "valid"],
)
def test_a_refused_save_opens_the_tab_of_the_error(organization, data, files, open_tab):
    form = _form(organization, files=files, **data)
    form.is_valid()

    tabs = {tab["slug"]: tab for tab in form.tabs()}

    assert [slug for slug, tab in tabs.items() if tab["active"]] == [open_tab]
    if open_tab != "basic" or data:
        assert tabs[open_tab]["error_count"] == 1


def test_enable_manual_issuance_is_the_last_field_of_basic_information(organization):
    basic = _form(organization).tabs()[0]

    assert basic["title"] == "Basic Information"
    assert basic["fields"][-1].label == "Enable Manual Issuance"


# Criteria and Expiry tab ------------------------------------------------------------------


def test_a_badge_never_expires_unless_told(organization):
    form = _form(organization, expiry_amount="3", expiry_unit="days")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["expiry"] == "never"
    assert form.cleaned_data["expiry_amount"] is None
    assert form.cleaned_data["expires_on"] is None


def test_a_period_needs_an_amount_and_a_unit(organization):
    form = _form(organization, expiry="after")
    assert not form.is_valid()
    assert set(form.errors) == {"expiry_amount", "expiry_unit"}
    assert [tab["slug"] for tab in form.tabs() if tab["active"]] == ["credential"]

    form = _form(organization, expiry="after", expiry_amount="18", expiry_unit="months")
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("amount", ["0", "-1", "99999999999999999999", "1e3", "x"])
def test_a_bad_period_is_refused(organization, amount):
    form = _form(organization, expiry="after", expiry_amount=amount, expiry_unit="days")
    assert not form.is_valid()
    assert "expiry_amount" in form.errors


def test_a_fixed_date_needs_a_date(organization):
    assert "expires_on" in _form(organization, expiry="on_date").errors
    assert "expires_on" in _form(organization, expiry="on_date", expires_on="31/02/2027").errors
    form = _form(organization, expiry="on_date", expires_on="2027-06-30")
    assert form.is_valid(), form.errors


def test_an_unknown_expiry_is_refused(organization):
    assert "expiry" in _form(organization, expiry="forever").errors
