"""The Credly settings of an organization, for its administrators."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from deliveries.forms import CredlyConnectionForm
from deliveries.services.credly_settings import credly_connection_of, credly_connection_save


class CredlySettingsView(PermissionRequiredMixin, View):
    permission_required = "badges.change_badge"
    template_name = "deliveries/credly_settings.html"

    def _organization(self):
        organization = self.request.user.organization
        if organization is None:
            raise Http404("Platform staff edit organizations in the administration site.")
        return organization

    def _render(self, form, organization, connection):
        return render(
            self.request,
            self.template_name,
            {"form": form, "organization": organization, "connection": connection},
        )

    def get(self, request):
        organization = self._organization()
        connection = credly_connection_of(organization=organization)
        return self._render(CredlyConnectionForm(connection=connection), organization, connection)

    def post(self, request):
        organization = self._organization()
        connection = credly_connection_of(organization=organization)
        form = CredlyConnectionForm(request.POST, connection=connection)
        if form.is_valid():
            try:
                credly_connection_save(
                    actor=request.user, organization=organization, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
                return self._render(form, organization, connection)
            messages.success(request, "Credly settings saved.")
            return redirect("credly_settings")
        return self._render(form, organization, connection)
