"""The generated badge image (badges/images.py). It is a function of its URL alone, so it needs
no login (a verifier of an Open Badges document fetches it too) and is cached for a year."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from badges.images import HUES, badge_svg, initials_are_valid

ONE_YEAR = 365 * 24 * 3600


@login_not_required
@require_GET
def generated_image(request, hue: int, initials: str):
    if hue >= HUES or not initials_are_valid(initials):
        raise Http404("No such generated image.")
    response = HttpResponse(badge_svg(hue=hue, initials=initials), content_type="image/svg+xml")
    response["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    # An SVG opened on its own is a document: it may run nothing.
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
