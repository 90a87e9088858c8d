"""The organization page: its administrators edit how it appears as the issuer of its badges."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from credentials import documents
from credentials.forms import IssuerProfileForm
from credentials.services import issuer_profile_for, issuer_profile_update


class OrganizationView(PermissionRequiredMixin, View):
    permission_required = "badges.change_badge"
    template_name = "credentials/organization.html"

    def _profile(self):
        organization = self.request.user.organization
        if organization is None:
            raise Http404("Platform staff edit organizations in the administration site.")
        return issuer_profile_for(organization=organization)

    def _render(self, form, profile):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "organization": profile.organization,
                "children": profile.organization.children.order_by("name"),
                "issuer_url": documents.issuer_url(profile.organization_id),
            },
        )

    def get(self, request):
        profile = self._profile()
        return self._render(IssuerProfileForm(instance=profile), profile)

    def post(self, request):
        profile = self._profile()
        form = IssuerProfileForm(request.POST, request.FILES, instance=profile)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                issuer_profile_update(actor=request.user, profile=profile, **fields)
            except ValidationError as error:
                form.add_error(None, error)
                return self._render(form, profile)
            messages.success(request, "Issuer profile saved.")
            return redirect("organization")
        return self._render(form, profile)
