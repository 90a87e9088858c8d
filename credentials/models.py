from django.db import models


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
