"""Quizzes join Wagtail's workflows (WorkflowMixin adds no column): give the Editors and
Moderators groups, which Wagtail creates in its own migrations, their quiz permissions."""

from django.db import migrations

from quizzes.permissions import grant_authoring_permissions


def grant(apps, schema_editor):
    grant_authoring_permissions(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0001_initial"),
        ("wagtailcore", "0002_initial_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
