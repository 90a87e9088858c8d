"""Generated badge images: a badge without an uploaded image gets one of its own, a disc in a
colour and with initials both derived from its name, so badges are told apart in lists, dialogs
and pills. The image depends on nothing but (hue, initials), so its URL carries both: the view
reads no row, reveals nothing about any badge and can be cached for good.

`badge_image_url(badge)` is the one answer to "where is this badge's picture" (templates use it
through `Badge.image_url`; an Open Badges document makes it absolute with the site's address).
"""

import hashlib
import unicodedata
from xml.sax.saxutils import escape

from django.urls import reverse

HUES = 360
MAX_INITIALS = 2


def badge_hue(name: str) -> int:
    """A hue from the name, the same on every machine and every run (not Python's salted hash)."""
    digest = hashlib.sha256(name.strip().casefold().encode()).digest()
    return int.from_bytes(digest[:4], "big") % HUES


def badge_initials(name: str) -> str:
    """The first letters of the first two words ("Star Participant" → "SP"), or the first two
    letters of a single word ("Python" → "PY"); "?" for a name without letters or digits."""
    words = ["".join(ch for ch in word if ch.isalnum()) for word in name.split()]
    words = [word for word in words if word]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:MAX_INITIALS].upper()
    return (words[0][0] + words[1][0]).upper()


def initials_are_valid(initials: str) -> bool:
    return initials == "?" or (
        0 < len(initials) <= MAX_INITIALS
        and all(ch.isalnum() for ch in initials)
        and initials == initials.upper()
        and unicodedata.is_normalized("NFC", initials)
    )


def generated_image_url(name: str) -> str:
    return reverse(
        "badges:generated_image",
        kwargs={"hue": badge_hue(name), "initials": badge_initials(name)},
    )


def badge_image_url(badge) -> str:
    """The uploaded image's URL, or the generated one's. Relative to the site: an Open Badges
    document needs `request.build_absolute_uri(badge_image_url(badge))` or SITE_URL in front."""
    if badge.image:
        return badge.image.url
    return generated_image_url(badge.name)


def badge_svg(*, hue: int, initials: str) -> str:
    """A 128 × 128 disc: a dark shade of the hue behind white initials (contrast above 4.5:1 for
    every hue, so the letters are readable at the 32-pixel size of a pill)."""
    background = f"hsl({hue} 60% 30%)"
    ring = f"hsl({hue} 55% 45%)"
    font_size = 56 if len(initials) > 1 else 64
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128" '
        'role="img">'
        f'<circle cx="64" cy="64" r="62" fill="{background}" stroke="{ring}" stroke-width="4"/>'
        f'<text x="64" y="64" dy=".35em" text-anchor="middle" fill="#fff" '
        f'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-weight="700" '
        f'font-size="{font_size}">{escape(initials)}</text>'
        "</svg>"
    )
