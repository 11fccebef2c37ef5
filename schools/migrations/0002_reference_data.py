from django.db import migrations

from schools.reference_sync import sync_reference_data


def load(apps, schema_editor):
    sync_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
