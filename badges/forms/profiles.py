"""Input validation for badge profiles. Writing is the services' business."""

import io
import uuid
import warnings
from dataclasses import dataclass

from django import forms
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.availability import availability_fields, clean_availability
from achievements.models import Achievement
from badges.models import Badge
from badges.services.profiles import DUPLICATE_NAME_MESSAGE
from common.forms import IdModelChoiceField

BADGE_IMAGE_MAX_BYTES = 1024 * 1024
BADGE_IMAGE_MAX_SIDE = 2048
# Pillow is asked to recognise these formats only (never SVG, never a format that would run an
# external program), and each is saved back in its own format under this extension.
BADGE_IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg"}

NOT_AN_IMAGE_MESSAGE = "Upload a PNG or JPEG image. This file is not one (SVG is not accepted)."
DAMAGED_IMAGE_MESSAGE = "This image is damaged and cannot be read. Upload a PNG or JPEG image."


def _too_large_message(size: int) -> str:
    return (
        f"This file is {filesizeformat(size)}; a badge image may be at most "
        f"{filesizeformat(BADGE_IMAGE_MAX_BYTES)}."
    )


def _too_many_pixels_message(described: str) -> str:
    return (
        f"{described}; a badge image may be at most "
        f"{BADGE_IMAGE_MAX_SIDE} × {BADGE_IMAGE_MAX_SIDE} pixels."
    )


def badge_image_from_upload(upload) -> ContentFile:
    """Check an uploaded badge image and return it re-encoded by Pillow.

    Checked in order, each before anything costlier: the file size; that Pillow recognises it as
    PNG or JPEG from its content (the file name does not matter); its pixel dimensions, read from
    the header before any decoding; then the whole image is decoded. Re-encoding keeps only the
    pixels: no metadata, no payload appended after the image data.
    """
    if upload.size > BADGE_IMAGE_MAX_BYTES:
        raise forms.ValidationError(_too_large_message(upload.size), code="file_too_large")
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=list(BADGE_IMAGE_FORMATS)) as picture:
                width, height = picture.size
                if width > BADGE_IMAGE_MAX_SIDE or height > BADGE_IMAGE_MAX_SIDE:
                    raise forms.ValidationError(
                        _too_many_pixels_message(f"This image is {width} × {height} pixels"),
                        code="too_many_pixels",
                    )
                image_format = picture.format
                picture.load()
                upright = ImageOps.exif_transpose(picture)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise forms.ValidationError(
            _too_many_pixels_message("This image has far too many pixels"), code="too_many_pixels"
        ) from error
    except UnidentifiedImageError as error:
        raise forms.ValidationError(NOT_AN_IMAGE_MESSAGE, code="not_an_image") from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise forms.ValidationError(DAMAGED_IMAGE_MESSAGE, code="damaged_image") from error
    output = io.BytesIO()
    if image_format == "JPEG":
        if upright.mode not in {"RGB", "L"}:
            upright = upright.convert("RGB")
        upright.save(output, format="JPEG", quality=90)
    else:
        upright.save(output, format="PNG")
    return ContentFile(output.getvalue(), name=f"badge.{BADGE_IMAGE_FORMATS[image_format]}")


class AchievementChoiceField(IdModelChoiceField):
    def label_from_instance(self, obj: Achievement) -> str:
        return obj.name if obj.is_enabled else f"{obj.name} (disabled)"


@dataclass(frozen=True)
class FormTab:
    slug: str
    title: str
    field_names: tuple[str, ...]


class BadgeForm(forms.Form):
    """Every tab of the badge edit form; Save submits them all at once."""

    TABS = (
        FormTab(
            "basic",
            "Basic Information",
            ("name", "description", "is_active", "manual_issuance_enabled"),
        ),
        FormTab("image", "Image", ("image", "remove_image")),
        FormTab("automatic", "Automatic Issuance", ("achievement", "notify_existing")),
        FormTab(
            "credential",
            "Criteria and Expiry",
            ("criteria_narrative", "expiry", "expiry_amount", "expiry_unit", "expires_on"),
        ),
        FormTab("availability", "Availability", ("availability", "available_to")),
        FormTab("delivery", "Delivery", ("notify_recipients", "credly_template_id")),
    )
    # Stored as they are by badge_create/badge_update (badges/services/profiles.py).
    CREDENTIAL_FIELDS = (
        "criteria_narrative",
        "expiry",
        "expiry_amount",
        "expiry_unit",
        "expires_on",
        "credly_template_id",
        "notify_recipients",
    )
    MAX_EXPIRY_AMOUNT = 100 * 366

    name = forms.CharField(max_length=Badge._meta.get_field("name").max_length)
    description = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    is_active = forms.BooleanField(
        label="Active",
        required=False,
        initial=True,
        help_text="Untick to archive the badge: its holders keep it, and nobody can be issued it.",
    )
    manual_issuance_enabled = forms.BooleanField(
        label="Enable Manual Issuance",
        required=False,
        help_text=(
            "Administrators and instructors may issue this badge by hand from a class roster or "
            "a course assignment."
        ),
    )
    image = forms.FileField(
        label="Badge image",
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
        help_text=(
            f"PNG or JPEG, at most {filesizeformat(BADGE_IMAGE_MAX_BYTES)} and "
            f"{BADGE_IMAGE_MAX_SIDE} × {BADGE_IMAGE_MAX_SIDE} pixels. Without an image the badge "
            "shows one made from its name."
        ),
    )
    remove_image = forms.BooleanField(
        label="Remove the image and show the one made from its name", required=False
    )
    achievement = AchievementChoiceField(
        label="Achievement",
        queryset=Achievement.objects.none(),
        required=False,
        empty_label="None: this badge is not issued automatically",
        help_text=(
            "Every student who completes this achievement receives the badge automatically, "
            "including students who completed it before the mapping was made."
        ),
    )

    notify_existing = forms.BooleanField(
        label="E-mail the students who already qualify",
        required=False,
        help_text=(
            "A new achievement awards everyone who has already completed it at once. Unticked, "
            "they receive the badge without an award e-mail; students who complete it later are "
            "e-mailed as usual."
        ),
    )

    criteria_narrative = forms.CharField(
        label="Criteria",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "What a student does to earn the badge, in your words. The public criteria page "
            "shows it after the criteria of the mapped achievement."
        ),
    )
    expiry = forms.ChoiceField(
        label="Expiry",
        required=False,
        choices=Badge.Expiry.choices,
        initial=Badge.Expiry.NEVER,
        widget=forms.RadioSelect,
        help_text="An expired badge shows as Expired everywhere; earning it again renews it.",
    )
    expiry_amount = forms.IntegerField(
        label="Expires after", required=False, min_value=1, max_value=MAX_EXPIRY_AMOUNT
    )
    expiry_unit = forms.ChoiceField(
        label="Period",
        required=False,
        choices=[("", "---"), *Badge.ExpiryUnit.choices],
    )
    expires_on = forms.DateField(
        label="Expires on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Every issuance of the badge expires at the start of this date.",
    )

    notify_recipients = forms.BooleanField(
        label="Notify recipients",
        required=False,
        initial=True,
        help_text=(
            "E-mail each student who receives this badge (students who turned award e-mails off "
            "on their Achievements/Badges page are not e-mailed)."
        ),
    )
    credly_template_id = forms.CharField(
        label="Credly badge template ID",
        required=False,
        max_length=Badge._meta.get_field("credly_template_id").max_length,
        help_text=(
            "The ID of the badge template in your organization's Credly account (a UUID such as "
            "cfaf2910-ea5f-46f1-89a5-db525dad6e58). With Credly configured on the Organization "
            "page, each student who receives this badge is also issued it through Credly. Empty: "
            "not sent to Credly."
        ),
    )

    def __init__(self, *args, organization, badge: Badge | None = None, active_tab="", **kwargs):
        if badge is not None:
            kwargs["initial"] = {
                **{name: getattr(badge, name) for name in self.CREDENTIAL_FIELDS},
                "name": badge.name,
                "description": badge.description,
                "is_active": badge.is_active,
                "manual_issuance_enabled": badge.manual_issuance_enabled,
                "achievement": badge.achievement_id,
                **(kwargs.get("initial") or {}),
            }
        super().__init__(*args, **kwargs)
        self.fields.update(availability_fields(organization=organization))
        if badge is not None and not self.is_bound:
            self.initial["availability"] = badge.availability
            self.initial["available_to"] = [org.pk for org in badge.available_to.all()]
        self.organization = organization
        self.badge = badge
        self.requested_tab = active_tab
        self.fields["achievement"].queryset = Achievement.objects.filter(
            organization=organization
        ).order_by("name")
        if badge is None or not badge.image:
            del self.fields["remove_image"]

    def clean_name(self):
        name = self.cleaned_data["name"]
        duplicates = Badge.objects.filter(organization=self.organization, name=name)
        if self.badge is not None:
            duplicates = duplicates.exclude(pk=self.badge.pk)
        if duplicates.exists():
            raise forms.ValidationError(DUPLICATE_NAME_MESSAGE, code="duplicate_name")
        return name

    def clean_credly_template_id(self):
        """Credly's badge template ids are UUIDs: one is stored in its canonical form (lower case,
        hyphens), anything else is refused before a delivery could fail on it."""
        value = self.cleaned_data["credly_template_id"].strip()
        if not value:
            return ""
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise forms.ValidationError(
                "Enter the template ID as Credly shows it: a UUID of 32 hexadecimal digits with "
                "hyphens.",
                code="invalid_credly_template_id",
            ) from None

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        return badge_image_from_upload(upload)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("image") and cleaned.get("remove_image"):
            self.add_error(
                "remove_image", "Either upload a new image or remove the image, not both."
            )
        expiry = cleaned["expiry"] = cleaned.get("expiry") or Badge.Expiry.NEVER
        if expiry == Badge.Expiry.AFTER:
            if not cleaned.get("expiry_amount"):
                self.add_error("expiry_amount", "Say after how long the badge expires.")
            if not cleaned.get("expiry_unit"):
                self.add_error("expiry_unit", "Choose days, months or years.")
        else:
            cleaned["expiry_amount"], cleaned["expiry_unit"] = None, ""
        if expiry == Badge.Expiry.ON_DATE:
            expires_on = cleaned.get("expires_on")
            if not expires_on and "expires_on" not in self.errors:
                self.add_error("expires_on", "Choose the date on which the badge expires.")
            elif expires_on and expires_on.year > 9000:
                self.add_error("expires_on", "Choose a date before the year 9000.")
        else:
            cleaned["expires_on"] = None
        clean_availability(self, cleaned)
        return cleaned

    def tabs(self) -> list[dict]:
        """The tabs as the template draws them: the first tab with an error is the open one, so
        a refused Save shows the error where it belongs."""
        drawn = []
        for tab in self.TABS:
            fields = [self[name] for name in tab.field_names if name in self.fields]
            drawn.append(
                {
                    "slug": tab.slug,
                    "title": tab.title,
                    "fields": fields,
                    "error_count": sum(len(field.errors) for field in fields),
                }
            )
        with_errors = [tab["slug"] for tab in drawn if tab["error_count"]]
        known = {tab.slug for tab in self.TABS}
        active = (with_errors or [self.requested_tab if self.requested_tab in known else "basic"])[
            0
        ]
        for tab in drawn:
            tab["active"] = tab["slug"] == active
        return drawn

    @property
    def image_was_dropped(self) -> bool:
        """A file was chosen but the form is shown again: browsers do not keep a chosen file."""
        return bool(self.is_bound and self.files.get("image") and self.errors)
