"""Resend one delivery, or every failed delivery of a badge (administrators of the badge's
organization). A delivery the user may not see is a 404; one they may see but not resend, 403."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from badges.views.profiles import BadgeObjectMixin
from common.views import PortalPermissionMixin
from deliveries.selectors import deliveries_visible_to
from deliveries.services.resend import deliveries_resend_failed, delivery_resend


class ResendDeliveryView(View):
    http_method_names = ["post"]

    def post(self, request, pk):
        delivery = get_object_or_404(
            deliveries_visible_to(user=request.user).select_related(
                "issuance__badge", "issuance__recipient"
            ),
            pk=pk,
        )
        delivery_resend(actor=request.user, delivery=delivery)
        messages.success(
            request,
            f"The {delivery.get_channel_display()} delivery of “{delivery.issuance.badge.name}” "
            f"to {delivery.issuance.recipient.display_name} is sent again.",
        )
        back = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(back)
        return redirect("badges:student", pk=delivery.issuance.recipient_id)


class ResendFailedView(PortalPermissionMixin, BadgeObjectMixin, View):
    http_method_names = ["post"]
    permission_required = "badges.change_badge"

    def post(self, request, pk):
        badge = self.get_badge()
        count = deliveries_resend_failed(actor=request.user, badge=badge)
        if count:
            messages.success(
                request, f"{count} failed deliver{'y is' if count == 1 else 'ies are'} sent again."
            )
        else:
            messages.info(request, "No delivery of this badge has failed.")
        return redirect("badges:profile", pk=badge.pk)
