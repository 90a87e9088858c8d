"""Input validation of the deliveries app: an organization's Credly settings."""

import uuid
from urllib.parse import urlsplit

from django import forms
from django.conf import settings

from deliveries.models import CredlyConnection

TOKEN_MIN_LENGTH = 16
TOKEN_MAX_LENGTH = 200
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def credly_api_url_problem(url: str) -> str | None:
    """Why this API URL may not receive the organization's token, or None. Only https to a host
    of CREDLY_API_HOSTS (credly.com and its subdomains: api, sandbox-api) is allowed, so that the
    workers never send a token, or requests of any kind, elsewhere; a development machine
    (CREDLY_ALLOW_LOCAL_API_URL, on with DEBUG) may also name a stand-in on this machine."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.username or parts.password:
        return "The API URL may not contain a user name or password."
    if parts.query or parts.fragment:
        return "The API URL may not contain a query or a fragment."
    if settings.CREDLY_ALLOW_LOCAL_API_URL and host in LOCAL_HOSTS:
        return None
    if parts.scheme != "https":
        return "The API URL must start with https://."
    allowed = [suffix.lower().lstrip(".") for suffix in settings.CREDLY_API_HOSTS]
    if not any(host == suffix or host.endswith("." + suffix) for suffix in allowed):
        return f"The API URL must be Credly's ({', '.join(allowed)}), e.g. https://api.credly.com."
    return None


def clean_credly_token(token: str) -> str:
    """A pasted Credly token, or "" for none; a ValidationError saying what is wrong with it."""
    if not token:
        return ""
    if len(token) < TOKEN_MIN_LENGTH:
        raise forms.ValidationError(
            f"This is too short for a Credly token (at least {TOKEN_MIN_LENGTH} characters)."
        )
    if not (token.isascii() and token.isprintable()) or any(c.isspace() for c in token):
        raise forms.ValidationError(
            "A Credly token is letters, digits and punctuation, without spaces."
        )
    return token


class CredlyConnectionForm(forms.Form):
    """The organization's Credly account. The token is write-only: never shown back, and left
    empty on a later save it keeps the stored one."""

    credly_organization_id = forms.CharField(
        label="Organization ID",
        max_length=CredlyConnection._meta.get_field("credly_organization_id").max_length,
        help_text="Your organization's ID in Credly (a UUID such as "
        "e52b9e79-9ddb-4110-9883-ae2c44a7440e), from Credly's organization settings.",
    )
    api_token = forms.CharField(
        label="API token",
        required=False,
        max_length=TOKEN_MAX_LENGTH,
        strip=True,
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "new-password", "spellcheck": "false"}
        ),
    )
    api_url = forms.URLField(
        label="API URL",
        max_length=CredlyConnection._meta.get_field("api_url").max_length,
        initial="https://api.credly.com",
        assume_scheme="https",
        help_text="https://api.credly.com, or https://sandbox-api.credly.com to try Credly's "
        "sandbox first.",
    )
    is_enabled = forms.BooleanField(
        label="Deliver badges to Credly",
        required=False,
        initial=True,
        help_text="Off: no badge is sent to Credly; deliveries already made stay as they are.",
    )

    def __init__(self, *args, connection: CredlyConnection | None = None, **kwargs):
        if connection is not None:
            kwargs["initial"] = {
                "credly_organization_id": connection.credly_organization_id,
                "api_url": connection.api_url,
                "is_enabled": connection.is_enabled,
                **(kwargs.get("initial") or {}),
            }
        super().__init__(*args, **kwargs)
        self.connection = connection
        token = self.fields["api_token"]
        if connection is not None and connection.api_token:
            token.help_text = (
                f"A token ending in …{connection.token_hint} is stored (encrypted). Leave this "
                "empty to keep it, or paste a new token to replace it."
            )
        else:
            token.required = True
            token.help_text = (
                "The authorization token Credly gave your organization. It is stored encrypted "
                "and never shown again: only its last four characters."
            )

    def clean_credly_organization_id(self):
        value = self.cleaned_data["credly_organization_id"].strip()
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise forms.ValidationError(
                "Enter Credly's organization ID: a UUID of 32 hexadecimal digits with hyphens."
            ) from None

    def clean_api_token(self):
        return clean_credly_token(self.cleaned_data["api_token"])

    def clean_api_url(self):
        url = self.cleaned_data["api_url"].strip().rstrip("/")
        problem = credly_api_url_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url
