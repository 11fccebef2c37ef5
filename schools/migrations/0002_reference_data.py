from django.db import migrations

from schools import reference_data


def load(apps, schema_editor):
    reference_data.load(apps, schema_editor)
    reference_data.load_role_groups(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
