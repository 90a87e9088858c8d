"""Middleware shared by every page."""

from django.utils.cache import patch_cache_control


class PrivatePagesMiddleware:
    """Every response to a logged-in user says `Cache-Control: private, no-store`: no proxy or
    shared cache keeps it, and the browser does not store it either (every page shows personal
    data: at least the user's name in the top bar; Find Issued Badges and its CSV export, the
    roster and the student's page show students' names and badges). A view that sets its own
    Cache-Control (the Django admin's never_cache) keeps it; responses to anonymous visitors (the
    log-in page, /healthz, static files) are left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
