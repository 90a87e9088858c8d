from django.contrib.auth.mixins import PermissionRequiredMixin


class PortalPermissionMixin(PermissionRequiredMixin):
    """Permission check for a logged-in user: a missing permission is a 403, never a login loop.

    Object rules are not here: views narrow their queryset with a selector, so an object outside
    it is a 404.
    """

    raise_exception = True
