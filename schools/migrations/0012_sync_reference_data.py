"""Reference rows made to match ``schools.reference_data`` (the White group joins the reference groups)."""

from django.db import migrations

from schools.reference_sync import sync_reference_data


def sync(apps, schema_editor):
    sync_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [("schools", "0011_pooled_figures")]
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
