"""API clients page: an organization's administrators (and platform staff, for any organization)
list, create and revoke its integrations' clients. A new token is shown once, on the answer to the
form that made it, and never again."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views import View

from accounts.models import Organization
from accounts.selectors import user_administers_organization, user_is_org_admin

from ..forms import ApiClientForm
from ..selectors import api_client_for_admin, api_clients_of
from ..services import api_client_create, api_client_revoke


def _may_open(user) -> None:
    """Administrators and staff open the page; anyone else is refused (403)."""
    if not (user.is_staff or user_is_org_admin(user=user)):
        raise PermissionDenied("Only administrators manage API clients.")


def _organization(request) -> Organization | None:
    """The organization the page is about: an administrator's own; for staff the one chosen
    (`?organization=<id>`), or None until they choose. Another organization's is 404."""
    _may_open(request.user)
    raw = request.GET.get("organization", "")
    if request.user.is_staff:
        if not raw:
            return None
        organization = (
            Organization.objects.filter(pk=int(raw)).first()
            if raw.isascii() and raw.isdigit() and len(raw) < 18
            else None
        )
    else:
        organization = request.user.organization
        if raw and raw != str(request.user.organization_id):
            organization = None
    if organization is None or not user_administers_organization(
        user=request.user, organization_id=organization.pk
    ):
        raise Http404("No such organization.")
    return organization


def _page_url(organization: Organization, user) -> str:
    url = reverse("api_clients")
    return f"{url}?organization={organization.pk}" if user.is_staff else url


class ApiClientsView(View):
    template_name = "api/clients.html"

    def _render(self, request, organization, form, status=200):
        context = {"organization": organization, "form": form}
        if organization is None:
            context["organizations"] = Organization.objects.order_by("name").only("pk", "name")
        else:
            context["clients"] = api_clients_of(organization_id=organization.pk)
            context["page_url"] = _page_url(organization, request.user)
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        organization = _organization(request)
        return self._render(request, organization, ApiClientForm())

    def post(self, request):
        organization = _organization(request)
        if organization is None:
            raise Http404("Choose an organization first.")
        form = ApiClientForm(request.POST)
        if form.is_valid():
            try:
                client, token = api_client_create(
                    actor=request.user, organization=organization, **form.cleaned_data
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                response = render(
                    request,
                    "api/client_created.html",
                    {
                        "organization": organization,
                        "client": client,
                        "token": token,
                        "page_url": _page_url(organization, request.user),
                    },
                )
                # The token is in this answer only: no cache may keep it.
                add_never_cache_headers(response)
                response["Cache-Control"] += ", no-store"
                return response
        return self._render(request, organization, form)


class ApiClientRevokeView(View):
    template_name = "api/client_revoke.html"

    def _client(self, request, pk):
        _may_open(request.user)
        client = api_client_for_admin(user=request.user, pk=pk)
        if client is None:
            raise Http404("No such API client.")
        return client

    def get(self, request, pk):
        client = self._client(request, pk)
        return render(
            request,
            self.template_name,
            {"client": client, "page_url": _page_url(client.organization, request.user)},
        )

    def post(self, request, pk):
        client = self._client(request, pk)
        api_client_revoke(actor=request.user, client=client)
        messages.success(request, f"API client “{client.name}” revoked: its token is refused.")
        return redirect(_page_url(client.organization, request.user))
