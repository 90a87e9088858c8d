from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("badges", "0005_keep_revocations_as_revoked_issuances")]

    operations = [
        migrations.DeleteModel(name="BadgeRevocation"),
    ]
