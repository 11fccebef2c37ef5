"""Series breaks on measures (data) and LA-defined thresholds (floor standards were abolished in 2019)."""

import django.db.models.deletion
from django.db import migrations, models

from schools.reference_sync import sync_reference_data


def load_breaks(apps, schema_editor):
    sync_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0005_result_figures_cover_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="measure",
            name="series_breaks",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text='Results years from which a new comparable series starts, each with the reason, e.g. [{"year": 2022, "note": "EYFS profile reformed in 2021/22"}]. Trends, targets and chart lines never join years on either side of a break.',
            ),
        ),
        migrations.CreateModel(
            name="LocalThreshold",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(help_text='e.g. "Demoshire KS2 ambition 2025".', max_length=120)),
                ("adopted_on", models.DateField(help_text="When the LA agreed it.")),
                (
                    "results_year",
                    models.PositiveSmallIntegerField(help_text="The results year it applies to (2025 for 2024/25)."),
                ),
                (
                    "value",
                    models.DecimalField(
                        decimal_places=2,
                        help_text="Below this (above it for lower-is-better measures) the school is given the reason.",
                        max_digits=7,
                    ),
                ),
                ("active", models.BooleanField(default=True, help_text="Untick to stop using it without deleting it.")),
                ("notes", models.TextField(blank=True)),
                (
                    "la",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="thresholds",
                        to="schools.localauthority",
                    ),
                ),
                (
                    "measure",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="schools.measure"
                    ),
                ),
                (
                    "pupil_group",
                    models.ForeignKey(
                        help_text="Usually all pupils.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="schools.pupilgroup",
                    ),
                ),
            ],
            options={
                "ordering": ["la", "measure", "-results_year"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("la", "measure", "pupil_group", "results_year"), name="localthreshold_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(load_breaks, migrations.RunPython.noop),
    ]
