from django.db import models
from django.utils import timezone

from common.fields import EncryptedSecretField


class IssuerProfile(models.Model):
    """How an organization presents itself as the issuer of its badges in their Open Badges
    documents. Every field may be left empty: the organization's name stands in."""

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, related_name="issuer_profile"
    )
    name = models.CharField(
        "Issuer name",
        max_length=200,
        blank=True,
        help_text="As badges show it. Leave empty to use the organization's name.",
    )
    url = models.URLField("Website", max_length=500, blank=True)
    email = models.EmailField("Contact e-mail", blank=True)
    description = models.TextField(blank=True)
    image = models.ImageField("Logo", upload_to="issuers/", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name or str(self.organization)


class IssuerKey(models.Model):
    """An organization's Ed25519 signing key for its Open Badges 3.0 credentials. The public key
    is published in the organization's DID document for good (a credential signed with it must
    verify years later); the private key is kept only encrypted with the key-encryption key of
    the environment (common/crypto.py), so a dump of the database alone cannot sign. A rotated
    key is retired: it signs nothing new but stays published."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="issuer_keys"
    )
    public_key_multibase = models.CharField(max_length=100, unique=True, editable=False)
    private_key = EncryptedSecretField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    retired_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["organization", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(retired_at__isnull=True),
                name="one_current_issuer_key_per_organization",
            ),
        ]

    def __str__(self) -> str:
        state = "retired" if self.retired_at else "current"
        return f"{self.organization} · {self.public_key_multibase[:16]}… ({state})"

    def __repr__(self) -> str:  # never the ciphertext either
        return f"<IssuerKey {self.pk} {self.public_key_multibase[:16]}…>"


class StatusList(models.Model):
    """The organization's Bitstring Status List (W3C, statusPurpose revocation): one bit per
    signed credential, at the index the credential got when first signed (never reused). The
    signed status list credential is kept for `version`; any change of a bit bumps `version`,
    and the next request signs it again."""

    MIN_BYTES = 131_072 // 8  # the specification's minimum length, for herd privacy

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, related_name="status_list"
    )
    bits = models.BinaryField(editable=False)
    next_index = models.PositiveBigIntegerField(default=0)
    version = models.PositiveBigIntegerField(default=1)
    signed_version = models.PositiveBigIntegerField(default=0)
    signed_document = models.JSONField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"Status list of {self.organization}"


class SignedCredential(models.Model):
    """The signed Open Badges 3.0 credential of one issuance, kept once signed. It is signed
    again when what it says changed (a renewal's new dates, an edited badge): `content_hash` is
    the SHA-256 of the unsigned credential that `document` signed."""

    issuance = models.OneToOneField(
        "badges.BadgeIssuance", on_delete=models.CASCADE, related_name="signed_credential"
    )
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="+")
    status_index = models.PositiveBigIntegerField()
    key = models.ForeignKey(IssuerKey, on_delete=models.PROTECT, related_name="+")
    content_hash = models.CharField(max_length=64)
    document = models.JSONField()
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="one_credential_per_status_bit"
            ),
        ]

    def __str__(self) -> str:
        return f"Signed credential of issuance {self.issuance_id}"
