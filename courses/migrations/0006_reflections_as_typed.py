"""Reflections used to be stored HTML-escaped (`&amp;` for `&`) and shown with `|safe`. They
are now stored as typed and escaped when shown: unescape the rows saved the old way, so nothing
shows double-escaped."""

import html

from django.db import migrations


def unescape_reflections(apps, schema_editor):
    Reflection = apps.get_model("courses", "Reflection")
    changed = []
    for reflection in Reflection.objects.only("pk", "text").iterator(chunk_size=1000):
        text = html.unescape(reflection.text)
        if text != reflection.text:
            reflection.text = text
            changed.append(reflection)
        if len(changed) >= 1000:
            Reflection.objects.bulk_update(changed, ["text"])
            changed = []
    if changed:
        Reflection.objects.bulk_update(changed, ["text"])


class Migration(migrations.Migration):
    dependencies = [("courses", "0005_cohorts_and_reminders")]

    operations = [
        migrations.RunPython(unescape_reflections, migrations.RunPython.noop, elidable=True),
    ]
