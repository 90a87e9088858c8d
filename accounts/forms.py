"""The log-in forms of the portal and of the Django admin, refusing a field of any size.

Django's AuthenticationForm sets the username field's `max_length` after the field is built, so
no length validator is ever attached: a username of any length reaches `authenticate()`, and
django-axes writes it into a 255-character column (a 500 on PostgreSQL). These forms attach the
validators, so a too-long username or password is a form error before anything is looked up."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

# Far above any passphrase a person types, far below what makes hashing a request costly.
PASSWORD_MAX_LENGTH = 1024


class BoundedLoginMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))
        password = self.fields["password"]
        password.max_length = PASSWORD_MAX_LENGTH
        password.validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))


class LoginForm(BoundedLoginMixin, AuthenticationForm):
    """The portal's log-in page."""


class AdminLoginForm(BoundedLoginMixin, AdminAuthenticationForm):
    """The Django admin's log-in page."""


def lockout_username(request, credentials=None) -> str | None:
    """The username django-axes records a failed log-in under, cut to its 255-character column:
    a log-in path that does not go through the forms above (the admin's, a future API) still
    cannot make the lockout's write fail."""
    source = credentials if credentials else getattr(request, "data", None) or request.POST
    username = source.get("username")
    return username[:255] if isinstance(username, str) else username
