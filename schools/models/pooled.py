"""Pooled figures kept on write (``schools.aggregates``): one row per cluster, area or LA × results year ×
measure × pupil group, holding the sums a pooled percentage or average and its interval are worked out from (the
pupil-weighted pooling of the DCSF National Strategies' "Quality standards and criteria for LA
self-evaluation" (2009): sum of achievers ÷ sum of cohort, never a mean of schools' percentages)."""

from django.db import models

from .reference import Measure, PupilGroup


class PooledFigure(models.Model):
    """The GROUP BY of a cluster's, area's or LA's results for one year × measure × group, as it stood when its
    results were last written (a school's is its result itself, read as such: ``pooling.school_rows``); and
    (level ``published``, under the LA's id) the LA's own published figure for it, from the DfE's LA rows or
    LAIT (a benchmark under the LA's code: one row, not pooled).
    Refreshed in the same transaction as the write (``schools.aggregates``); ``python manage.py check_figures``
    recomputes every row from the results (and the benchmarks) and reports any difference."""

    class Level(models.TextChoices):
        CLUSTER = "cluster", "Cluster"
        AREA = "area", "Area"
        LA = "la", "Local authority"
        PUBLISHED = "published", "Local authority (published)"

    level = models.CharField(max_length=9, choices=Level.choices)
    org_id = models.BigIntegerField(help_text="The cluster's, area's or LA's id.")
    results_year = models.PositiveSmallIntegerField()
    # No foreign-key constraint in the database: the rows are derived from results and benchmarks, whose own
    # constraints already keep a measure or group in use from being deleted (PROTECT), so checking each of
    # 100,000 rows an import re-pools again at commit (PostgreSQL: ~2 s) would protect nothing. No index of their
    # own either: every read goes through the unique key (level, organisation…), and each index is written for
    # every row an import re-pools.
    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    pupil_group = models.ForeignKey(
        PupilGroup, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    total_cohort = models.BigIntegerField(null=True, help_text="Sum of the cohorts given.")
    counted = models.PositiveIntegerField(default=0, help_text="Results with a cohort.")
    rows = models.PositiveIntegerField(default=0, help_text="Results pooled (schools).")
    numerator = models.FloatField(null=True, help_text="Sum of achievers (percent) or points (average).")
    value_cohort = models.BigIntegerField(null=True, help_text="Sum of the cohorts of results with a numerator.")
    published = models.DecimalField(max_digits=9, decimal_places=2, null=True, help_text="Largest published value.")
    marker = models.CharField(max_length=10, blank=True, default="", help_text="Largest marker (SUPP, NE, x…).")
    provisional = models.PositiveIntegerField(default=0)
    revised = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "pooled figure"
        # Years last: a page reads a few measures × groups of many organisations across every year (a cluster
        # board: 50 clusters × 6 measures × 3 groups × 8 years), one contiguous run of the index per
        # organisation × measure × group (``kept_rows.kept_rows``); years first, it read every measure and group.
        constraints = [
            models.UniqueConstraint(
                fields=["level", "org_id", "measure", "pupil_group", "results_year"], name="pooledfigure_key"
            )
        ]

    def __str__(self):
        return f"{self.level} {self.org_id} {self.results_year} {self.measure_id} {self.pupil_group_id}"
