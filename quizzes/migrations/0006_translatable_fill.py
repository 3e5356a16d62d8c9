"""Every existing quiz, question and choice gets a translation key and the default locale."""

from django.db import migrations
from wagtail.models import BootstrapTranslatableModel


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0005_translatable_bootstrap")]

    operations = [
        BootstrapTranslatableModel("quizzes.Quiz"),
        BootstrapTranslatableModel("quizzes.Question"),
        BootstrapTranslatableModel("quizzes.Choice"),
    ]
