"""Feedback modes that keep the answer key back, and the summative flag.

Old modes map to the nearest new one: "after every attempt" showed the key, so it becomes
"after each attempt, without the key"; "only after passing" becomes "key after passing or
after the last attempt". Saved revisions are mapped too, since the editor opens the latest one.
"""

from django.db import migrations, models

FORWARDS = {"after_each": "without_key", "after_pass": "key_when_done"}
BACKWARDS = {new: old for old, new in FORWARDS.items()}


def remap(apps, mapping):
    Quiz = apps.get_model("quizzes", "Quiz")
    for old, new in mapping.items():
        Quiz.objects.filter(feedback_mode=old).update(feedback_mode=new)
    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("wagtailcore", "Revision")
    content_type = ContentType.objects.filter(app_label="quizzes", model="quiz").first()
    if content_type is None:
        return
    for revision in Revision.objects.filter(content_type=content_type).iterator():
        mode = revision.content.get("feedback_mode")
        if mode in mapping:
            revision.content["feedback_mode"] = mapping[mode]
            revision.save(update_fields=["content"])


def forwards(apps, schema_editor):
    remap(apps, FORWARDS)


def backwards(apps, schema_editor):
    remap(apps, BACKWARDS)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("quizzes", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="quiz",
            name="summative",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "No feedback on single questions until the learner passes or has no "
                    "attempts left, whatever the feedback setting; at least 60 minutes between "
                    "attempts. Use it for a course's final assessment."
                ),
                verbose_name="summative (final assessment)",
            ),
        ),
        migrations.AlterField(
            model_name="quiz",
            name="feedback_mode",
            field=models.CharField(
                choices=[
                    ("without_key", "After each attempt, without the key"),
                    ("key_when_done", "Key after passing or after the last attempt"),
                    ("never", "Never (score only)"),
                ],
                default="key_when_done",
                help_text=(
                    "Without the key: which questions were wrong and their explanations, never "
                    "the right choices. Key after passing or the last attempt: the same, then "
                    "the right choices and each choice's feedback once the learner passes or "
                    "has no attempts left."
                ),
                max_length=20,
                verbose_name="show feedback",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
