"""Load every framework fixture so each database has the quality standards (safe to re-run)."""

from django.db import migrations


def load(apps, schema_editor):
    from ragboard.framework import load_all

    load_all(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("ragboard", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
