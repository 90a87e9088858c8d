"""The public documents and pages of credentials: no account needed. JSON-LD for machines
(`application/ld+json`, readable from any origin), HTML for people, chosen by the Accept header
at the same URL (a browser asks for text/html first; a verifier for JSON)."""

from __future__ import annotations

import json
import logging
import mimetypes

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.utils.text import slugify
from django.views import View

from common.crypto import EncryptionKeyMissing, SecretUnreadable
from credentials import documents, ob3_documents, ob3_services
from credentials.baking import OB3_BAKING_KEYWORD, bake_png
from credentials.images import generated_png
from credentials.selectors import (
    issuer_public_keys,
    public_badges,
    public_issuance,
    public_organizations,
)

JSON_LD = "application/ld+json"
logger = logging.getLogger(__name__)


def wants_html(request) -> bool:
    """A person's browser: text/html preferred to JSON. Anything else (a verifier, curl with
    */*) gets the JSON-LD document."""
    preferred = request.get_preferred_type([JSON_LD, "application/json", "text/html"])
    return preferred == "text/html" and request.GET.get("format") != "json"


def json_ld_response(document: dict, *, status: int = 200, max_age: int = 300) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2),
        content_type=f"{JSON_LD}; charset=utf-8",
        status=status,
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={max_age}" if max_age else "no-cache"
    response["Vary"] = "Accept"
    return response


def _badge_image_bytes(badge) -> tuple[bytes, str]:
    """The uploaded image, or the PNG of the image generated from the badge's name."""
    if badge.image:
        try:
            with badge.image.open("rb") as handle:
                data = handle.read()
            return data, mimetypes.guess_type(badge.image.name)[0] or "application/octet-stream"
        except (FileNotFoundError, OSError):
            pass
    return generated_png(badge.name), "image/png"


@method_decorator(login_not_required, name="dispatch")
class IssuerView(View):
    def get(self, request, pk):
        organization = get_object_or_404(public_organizations(), pk=pk)
        return json_ld_response(documents.issuer_document(organization))


@method_decorator(login_not_required, name="dispatch")
class BadgeClassView(View):
    def get(self, request, pk):
        badge = get_object_or_404(public_badges(), pk=pk)
        if wants_html(request):
            return criteria_page(request, badge)
        return json_ld_response(documents.badge_class_document(badge))


def criteria_page(request, badge):
    return render(
        request,
        "credentials/criteria.html",
        {
            "badge": badge,
            "issuer": documents.issuer_document(badge.organization),
            "narrative": documents.criteria_narrative(badge),
        },
    )


@method_decorator(login_not_required, name="dispatch")
class CriteriaView(View):
    def get(self, request, pk):
        return criteria_page(request, get_object_or_404(public_badges(), pk=pk))


@method_decorator(login_not_required, name="dispatch")
class BadgeImageView(View):
    def get(self, request, pk):
        badge = get_object_or_404(public_badges(), pk=pk)
        data, content_type = _badge_image_bytes(badge)
        response = HttpResponse(data, content_type=content_type)
        response["Access-Control-Allow-Origin"] = "*"
        response["Cache-Control"] = "public, max-age=3600"
        return response


def _issuance_or_404(public_id):
    issuance = public_issuance(public_id=public_id)
    if issuance is None:
        raise Http404("No such badge.")
    return issuance


@method_decorator(login_not_required, name="dispatch")
class AssertionView(View):
    """The Assertion of one issuance, or its verification page for a person. A revoked
    assertion answers 410 Gone with `revoked: true` and the reason, as hosted verification
    asks; it is never cached, so a revocation is seen at once."""

    def get(self, request, public_id):
        issuance = _issuance_or_404(public_id)
        if wants_html(request):
            return verification_page(request, issuance)
        return json_ld_response(
            documents.assertion_document(issuance),
            status=410 if issuance.is_revoked else 200,
            max_age=0,
        )


def verification_page(request, issuance):
    response = render(
        request,
        "credentials/verify.html",
        {
            "issuance": issuance,
            "badge": issuance.badge,
            "issuer": documents.issuer_document(issuance.badge.organization),
            "evidence": documents.evidence_narrative(issuance),
            "narrative": documents.criteria_narrative(issuance.badge),
            "assertion_url": documents.assertion_url(issuance),
            "show_name": issuance.recipient.show_name_on_public_badges,
        },
    )
    response["Vary"] = "Accept"
    response["Cache-Control"] = "no-cache"
    return response


@method_decorator(login_not_required, name="dispatch")
class BakedImageView(View):
    """Download: the badge image as a PNG with the assertion's URL baked in. A revoked badge is
    not handed out any more (410 Gone); an image downloaded before still verifies as revoked."""

    def get(self, request, public_id):
        issuance = _issuance_or_404(public_id)
        if issuance.is_revoked:
            return HttpResponse(
                "This badge was revoked.", status=410, content_type="text/plain; charset=utf-8"
            )
        image, _ = _badge_image_bytes(issuance.badge)
        try:
            png = bake_png(image, assertion=documents.assertion_url(issuance))
        except OSError:  # an upload Pillow cannot read: bake the generated image instead
            png = bake_png(
                generated_png(issuance.badge.name), assertion=documents.assertion_url(issuance)
            )
        response = HttpResponse(png, content_type="image/png")
        name = slugify(issuance.badge.name) or "badge"
        response["Content-Disposition"] = f'attachment; filename="{name}.png"'
        response["Cache-Control"] = "no-cache"
        return response


# Open Badges 3.0: the issuer's DID document, its status list, and each issuance's signed
# credential (JSON, and baked into the badge's PNG).

VC_JSON_LD = "application/vc+ld+json"


def _unavailable(exc: Exception) -> HttpResponse:
    """Signing needs the key-encryption key: without it (a misconfigured production) say so,
    without any detail of the key."""
    logger.error("Cannot sign a credential: %s", type(exc).__name__)
    return HttpResponse(
        "This credential cannot be signed right now. Please try again later.",
        status=503,
        content_type="text/plain; charset=utf-8",
    )


def _revoked() -> HttpResponse:
    return HttpResponse(
        "This badge was revoked.", status=410, content_type="text/plain; charset=utf-8"
    )


@method_decorator(login_not_required, name="dispatch")
class DIDDocumentView(View):
    """did:web resolution: `did:web:<host>:public:issuers:<id>` → this document, with every key
    the organization ever signed with."""

    def get(self, request, pk):
        organization = get_object_or_404(public_organizations(), pk=pk)
        document = ob3_documents.did_document(
            organization, public_keys=issuer_public_keys(organization_id=pk)
        )
        response = json_ld_response(document, max_age=300)
        response["Content-Type"] = "application/did+ld+json"
        return response


@method_decorator(login_not_required, name="dispatch")
class StatusListView(View):
    """The organization's signed Bitstring Status List credential, never cached for long: a
    revocation must be seen soon."""

    def get(self, request, pk):
        organization = get_object_or_404(public_organizations(), pk=pk)
        try:
            document = ob3_services.status_list_credential_for(organization=organization)
        except (EncryptionKeyMissing, SecretUnreadable) as exc:
            return _unavailable(exc)
        response = json_ld_response(document, max_age=0)
        response["Content-Type"] = VC_JSON_LD
        return response


def _signed_credential_or_response(public_id):
    issuance = _issuance_or_404(public_id)
    if issuance.is_revoked:
        return issuance, _revoked()
    try:
        return issuance, ob3_services.signed_credential_for(issuance=issuance)
    except ob3_services.CredentialRevoked:
        return issuance, _revoked()
    except (EncryptionKeyMissing, SecretUnreadable) as exc:
        return issuance, _unavailable(exc)


@method_decorator(login_not_required, name="dispatch")
class CredentialView(View):
    """The signed OpenBadgeCredential (its `id` is this URL); `?download` as a file."""

    def get(self, request, public_id):
        issuance, credential = _signed_credential_or_response(public_id)
        if isinstance(credential, HttpResponse):
            return credential
        response = json_ld_response(credential, max_age=0)
        response["Content-Type"] = VC_JSON_LD
        if "download" in request.GET:
            name = slugify(issuance.badge.name) or "badge"
            response["Content-Disposition"] = f'attachment; filename="{name}-credential.json"'
        return response


@method_decorator(login_not_required, name="dispatch")
class CredentialImageView(View):
    """Download: the badge's PNG with the signed credential baked in (`openbadgecredential`)."""

    def get(self, request, public_id):
        issuance, credential = _signed_credential_or_response(public_id)
        if isinstance(credential, HttpResponse):
            return credential
        payload = json.dumps(credential, ensure_ascii=False, separators=(",", ":"))
        image, _ = _badge_image_bytes(issuance.badge)
        try:
            png = bake_png(image, assertion=payload, keyword=OB3_BAKING_KEYWORD)
        except OSError:  # an upload Pillow cannot read: bake the generated image instead
            png = bake_png(
                generated_png(issuance.badge.name), assertion=payload, keyword=OB3_BAKING_KEYWORD
            )
        response = HttpResponse(png, content_type="image/png")
        name = slugify(issuance.badge.name) or "badge"
        response["Content-Disposition"] = f'attachment; filename="{name}-credential.png"'
        response["Cache-Control"] = "no-cache"
        return response
