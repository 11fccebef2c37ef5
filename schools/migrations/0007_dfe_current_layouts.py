"""Measures and pupil groups the DfE's current KS2/KS4 performance tables publish: subject measures, GPS, EBacc
entry, 3-year figures; prior-attainment and non-mobile groups."""

from django.db import migrations, models

from schools.reference_sync import sync_reference_data


def load(apps, schema_editor):
    sync_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0006_series_breaks_local_thresholds"),
    ]

    operations = [
        migrations.AlterField(
            model_name="pupilgroup",
            name="category",
            field=models.CharField(
                choices=[
                    ("all", "All pupils"),
                    ("disadvantage", "Disadvantage"),
                    ("sen", "Special educational needs"),
                    ("care", "Children in care and in need"),
                    ("language", "Language"),
                    ("gender", "Gender"),
                    ("ethnicity", "Ethnicity"),
                    ("prior", "Prior attainment"),
                    ("mobility", "Mobility"),
                    ("local", "Local group"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
