"""Every existing jurisdiction gets a translation key and the default locale."""

from django.db import migrations
from wagtail.models import BootstrapTranslatableModel


class Migration(migrations.Migration):
    dependencies = [("courses", "0022_jurisdiction_translatable_bootstrap")]

    operations = [BootstrapTranslatableModel("courses.Jurisdiction")]
