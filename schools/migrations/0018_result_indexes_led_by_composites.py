"""A result's school, year and measure lose their one-column indexes: each leads a composite index the table
keeps (the unique fact, year × measure × group, the covering index), which serves the same lookups, and every
import then updates three B-trees fewer."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0017_judgement_cells"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicalresult",
            name="results_year",
            field=models.PositiveSmallIntegerField(),
        ),
        migrations.AlterField(
            model_name="result",
            name="measure",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, to="schools.measure"),
        ),
        migrations.AlterField(
            model_name="result",
            name="results_year",
            field=models.PositiveSmallIntegerField(),
        ),
        migrations.AlterField(
            model_name="result",
            name="school",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="results",
                to="schools.school",
            ),
        ),
    ]
