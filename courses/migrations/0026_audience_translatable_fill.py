"""Every existing audience gets a translation key and the default locale."""

from django.db import migrations
from wagtail.models import BootstrapTranslatableModel


class Migration(migrations.Migration):
    dependencies = [("courses", "0025_audience_translatable_bootstrap")]

    operations = [BootstrapTranslatableModel("courses.Audience")]
