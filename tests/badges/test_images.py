"""Generated badge images: colour and initials from the name, the same on every run."""

import pytest
from django.urls import reverse

from badges.images import badge_hue, badge_image_url, badge_initials, badge_svg
from tests.badges.images import png_bytes, upload
from tests.factories import BadgeFactory


@pytest.mark.parametrize(
    ("name", "initials"),
    [
        ("Star Participant", "SP"),
        ("Python", "PY"),
        ("cloud  explorer level 2", "CE"),
        ("Ünal's Übung", "ÜÜ"),
        ("— 2026 —", "20"),
        ("!!!", "?"),
    ],
)
def test_initials_come_from_the_first_two_words(name, initials):
    assert badge_initials(name) == initials


def test_the_colour_is_the_same_for_the_same_name_and_differs_between_names():
    assert badge_hue("Star Participant") == badge_hue("Star Participant")
    # A fixed value: the hue must not depend on Python's per-process hash salt.
    assert badge_hue("Star Participant") == badge_hue(" star participant ")
    hues = {badge_hue(f"Badge {number}") for number in range(50)}
    assert len(hues) > 40


def test_a_badge_without_image_gets_the_generated_image_and_an_uploaded_one_wins(db, settings):
    badge = BadgeFactory(name="Star Participant")
    assert badge.image_url == badge_image_url(badge)
    assert badge.image_url == reverse(
        "badges:generated_image", kwargs={"hue": badge_hue(badge.name), "initials": "SP"}
    )

    badge.image.save("star.png", upload(png_bytes(), "star.png"), save=True)
    assert badge.image_url == badge.image.url
    assert badge.image_url.startswith(settings.MEDIA_URL)


def test_the_generated_image_is_an_svg_anyone_may_fetch_and_cache(client):
    """No login: an Open Badges verifier fetches it too; it depends on its URL alone."""
    response = client.get(f"/badges/generated/{badge_hue('Star Participant')}/SP.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "immutable" in response["Cache-Control"]
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response.content.decode() == badge_svg(hue=badge_hue("Star Participant"), initials="SP")
    assert ">SP</text>" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/badges/generated/360/SP.svg",
        "/badges/generated/12/sp.svg",
        "/badges/generated/12/SPQ.svg",
        "/badges/generated/12/%3Cs%3E.svg",
        "/badges/generated/12/.svg",
    ],
)
def test_only_images_the_portal_would_generate_exist(client, path):
    assert client.get(path).status_code == 404


def test_every_hue_keeps_white_initials_readable():
    import colorsys

    def luminance(rgb):
        def channel(c):
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(c) for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    worst = min(
        (1.05) / (luminance(colorsys.hls_to_rgb(hue / 360, 0.30, 0.60)) + 0.05)
        for hue in range(360)
    )
    assert worst >= 4.5, worst
