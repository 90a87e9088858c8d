"""An organization's webhook endpoints, for its administrators (platform staff: any
organization's, `?organization=<id>` on the list): register one (its secret shown once), change
it, roll its secret, delete it, and its delivery log with Redeliver.

An endpoint outside what the user administers is a 404; a user without the permission, 403."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from accounts.models import Organization
from accounts.selectors import administered_by
from common.views import PortalPermissionMixin
from deliveries.models import WebhookDelivery, WebhookEndpoint
from deliveries.services.webhooks import (
    webhook_delivery_log_page,
    webhook_delivery_redeliver,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_roll_secret,
    webhook_endpoint_update,
    webhook_endpoints_of,
)
from deliveries.webhooks_forms import WebhookEndpointForm


class _WebhooksMixin(PortalPermissionMixin):
    permission_required = "badges.change_badge"

    def organization(self) -> Organization:
        user = self.request.user
        if user.organization_id is not None and not user.is_staff:
            return user.organization
        wanted = self.request.GET.get("organization", "")
        if user.is_staff and wanted.isdigit():
            return get_object_or_404(Organization, pk=int(wanted))
        if user.organization_id is not None:
            return user.organization
        raise Http404("Platform staff choose an organization: ?organization=<id>.")

    def endpoint(self, pk: int) -> WebhookEndpoint:
        return get_object_or_404(
            administered_by(
                user=self.request.user,
                queryset=WebhookEndpoint.objects.select_related("organization"),
            ),
            pk=pk,
        )


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, problems in error.error_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error)


def _list_url(organization: Organization, user) -> str:
    url = reverse("webhooks")
    return f"{url}?organization={organization.pk}" if user.is_staff else url


class WebhookEndpointsView(_WebhooksMixin, View):
    template_name = "deliveries/webhooks.html"

    def _render(self, organization, form, *, created=None, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "organization": organization,
                "endpoints": webhook_endpoints_of(
                    organization=organization, user=self.request.user
                ),
                "form": form,
                "created": created,
                "action": _list_url(organization, self.request.user),
            },
            status=status,
        )

    def get(self, request):
        return self._render(self.organization(), WebhookEndpointForm())

    def post(self, request):
        organization = self.organization()
        form = WebhookEndpointForm(request.POST)
        if form.is_valid():
            try:
                created = webhook_endpoint_create(
                    organization=organization, user=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                # The secret is shown on this answer only: it is not stored anywhere readable.
                return self._render(organization, WebhookEndpointForm(), created=created)
        return self._render(organization, form)


def _endpoint_page(request, endpoint, form, *, secret=None):
    return render(
        request,
        "deliveries/webhook_endpoint.html",
        {
            "endpoint": endpoint,
            "organization": endpoint.organization,
            "form": form,
            "secret": secret,
            "page_obj": webhook_delivery_log_page(endpoint=endpoint, page=request.GET.get("page")),
            "is_paginated": True,
            "list_url": _list_url(endpoint.organization, request.user),
        },
    )


class WebhookEndpointView(_WebhooksMixin, View):
    """One endpoint: its settings and its delivery log, newest first."""

    def get(self, request, pk):
        endpoint = self.endpoint(pk)
        return _endpoint_page(request, endpoint, WebhookEndpointForm(endpoint=endpoint))

    def post(self, request, pk):
        endpoint = self.endpoint(pk)
        form = WebhookEndpointForm(request.POST, endpoint=endpoint)
        if form.is_valid():
            try:
                webhook_endpoint_update(
                    organization=endpoint.organization,
                    endpoint=endpoint,
                    user=request.user,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, "Endpoint saved.")
                return redirect("webhook_endpoint", pk=endpoint.pk)
        return _endpoint_page(request, endpoint, form)


class WebhookRollSecretView(_WebhooksMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        endpoint = self.endpoint(pk)
        rolled = webhook_endpoint_roll_secret(
            organization=endpoint.organization, endpoint=endpoint, user=request.user
        )
        return _endpoint_page(
            request, endpoint, WebhookEndpointForm(endpoint=endpoint), secret=rolled.secret
        )


class WebhookDeleteView(_WebhooksMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        endpoint = self.endpoint(pk)
        organization = endpoint.organization
        webhook_endpoint_delete(organization=organization, endpoint=endpoint, user=request.user)
        messages.success(request, f"The endpoint {endpoint.url} is deleted, with its log.")
        return redirect(_list_url(organization, request.user))


class WebhookRedeliverView(_WebhooksMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk, delivery_pk):
        endpoint = self.endpoint(pk)
        delivery = get_object_or_404(
            WebhookDelivery.objects.select_related("endpoint"), endpoint=endpoint, pk=delivery_pk
        )
        webhook_delivery_redeliver(
            organization=endpoint.organization, delivery=delivery, user=request.user
        )
        messages.success(request, f"The {delivery.event_type} event is delivered again.")
        return redirect("webhook_endpoint", pk=endpoint.pk)
