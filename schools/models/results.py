"""Figures: school results and benchmarks (counts, not only percentages, so every figure above school level
can be pooled), school context and statistical neighbours.

A published figure that is not a number keeps its marker (``SUPP``, ``NE``, ``x``…) in ``value_code``: missing is
never zero.
"""

from decimal import Decimal

from django.db import models

from gapmonitor.models import Audited, optional_link

from .batches import ImportBatch
from .organisations import School
from .reference import AcademicYear, Measure, PupilGroup

# A figure's own columns, in the order the import writes, the pages read and the admin lists them.
FIGURE_FIELDS = ("cohort", "achievers", "points", "value", "value_code", "status")


class DataStatus(models.TextChoices):
    PROVISIONAL = "provisional", "Provisional"
    REVISED = "revised", "Revised"
    FINAL = "final", "Final"


class FigureFields(models.Model):
    """The counts and published value shared by a school result and a benchmark."""

    results_year = models.PositiveSmallIntegerField(db_index=True)
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT)
    pupil_group = models.ForeignKey(PupilGroup, on_delete=models.PROTECT)
    cohort = models.PositiveIntegerField(null=True, blank=True, help_text="Pupils in the group.")
    achievers = models.PositiveIntegerField(
        null=True, blank=True, help_text="Pupils reaching the measure (percent measures)."
    )
    points = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="Total points (average-score measures)."
    )
    value = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True, help_text="The published value.")
    value_code = models.CharField(
        max_length=10, blank=True, default="", help_text="Why there is no value: SUPP, NE, x, c, z, low…"
    )
    status = models.CharField(max_length=12, choices=DataStatus.choices, default=DataStatus.FINAL)
    batch = optional_link(ImportBatch, on_delete=models.PROTECT)

    class Meta:
        abstract = True

    @property
    def computed_value(self) -> Decimal | None:
        """The value from the counts when we have them, else the published value."""
        if self.cohort:
            if self.achievers is not None:
                return Decimal(self.achievers) * 100 / Decimal(self.cohort)
            if self.points is not None:
                return Decimal(self.points) / Decimal(self.cohort)
        return self.value


class Result(FigureFields, Audited):
    """One school's figure for a results year × measure × pupil group."""

    # Two indexes besides the key, each written for every one of the two million facts a national file inserts:
    # the unique fact (school, measure, group, year), which every read of results goes through (a school's
    # figures: each result is its own pooled row, ``pooling.school_rows``; its cluster's, area's or LA's through
    # their schools: the re-pooling, the import's comparison), and the batch (rollback, re-pooling what an import
    # wrote). Years last, as in the pooled figures' key: a page reads a few measures × groups of many schools
    # across every year, one contiguous run of the index per school × measure × group. No index leads with the
    # year, measure or group: only the bench's raw-SQL floors scanned results by measure × group
    # (``bench/notes.md``).
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="results", db_index=False)
    results_year = models.PositiveSmallIntegerField()
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, db_index=False)
    pupil_group = models.ForeignKey(PupilGroup, on_delete=models.PROTECT, db_index=False)
    batch = optional_link(ImportBatch, on_delete=models.PROTECT, related_name="results")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "measure", "pupil_group", "results_year"], name="result_unique_fact"
            )
        ]

    def __str__(self):
        return f"{self.school_id} {self.results_year} {self.measure_id} {self.pupil_group_id}"


class Benchmark(FigureFields):
    """A figure for a geography: England, a region, an LA, or an LA's statistical neighbours."""

    class Kind(models.TextChoices):
        NATIONAL = "national", "England"
        REGION = "region", "Region"
        LA = "la", "Local authority"
        NEIGHBOURS = "neighbours", "Statistical neighbours (average)"

    NATIONAL_CODE = "E92000001"

    geography_code = models.CharField(max_length=20, help_text="E92000001 (England), a region code, or an LA code.")
    geography_name = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    batch = optional_link(ImportBatch, on_delete=models.PROTECT, related_name="benchmarks")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["geography_code", "results_year", "measure", "pupil_group"], name="benchmark_unique_fact"
            )
        ]
        indexes = [models.Index(fields=["kind", "results_year"], name="benchmark_kind_year")]

    def __str__(self):
        return f"{self.geography_code} {self.results_year} {self.measure_id} {self.pupil_group_id}"


class SchoolContext(models.Model):
    """A school's context in one academic year, from a companion file of the DfE's performance tables: the
    spring census (pupils on roll, FSM, SEN, EAL), absence (whole school) or the school information file.

    One row per school × year × source, so each file's import (and rollback) touches only its own figures.
    A figure the file gives as a marker (``NA``, ``SUPP``…) is null here with its marker in ``markers``.
    """

    class Source(models.TextChoices):
        CENSUS = "census", "School census"
        ABSENCE = "absence", "Absence"
        INFORMATION = "information", "School information"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="contexts")
    results_year = models.PositiveSmallIntegerField(help_text="The academic year's results year (2023 for 2022/23).")
    source = models.CharField(max_length=12, choices=Source.choices)
    # Census (NOR, NUMFSM, PNUMFSMEVER, PSENELK, PSENELSE, PNUMEAL).
    number_on_roll = models.PositiveIntegerField(null=True, blank=True)
    fsm_pupils = models.PositiveIntegerField(null=True, blank=True, help_text="Pupils eligible for FSM (NUMFSM).")
    fsm6_percent = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="% eligible for FSM at any time in the past 6 years (PNUMFSMEVER).",
    )
    sen_support_percent = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    ehcp_percent = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    eal_percent = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    # Absence, whole school, full academic year (PERCTOT, PPERSABS10).
    overall_absence_percent = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    persistent_absence_percent = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    # School information.
    school_type = models.CharField(max_length=120, blank=True)
    age_range = models.CharField(max_length=20, blank=True)
    gender = models.CharField(max_length=40, blank=True)
    religious_character = models.CharField(max_length=120, blank=True)
    admissions_policy = models.CharField(max_length=80, blank=True)
    markers = models.JSONField(default=dict, blank=True, help_text="Field → marker for figures not published.")
    batch = optional_link(ImportBatch, on_delete=models.PROTECT, related_name="contexts")

    class Meta:
        ordering = ["-results_year", "source"]
        constraints = [
            models.UniqueConstraint(fields=["school", "results_year", "source"], name="school_context_unique")
        ]

    def __str__(self):
        return f"{self.school_id} {self.results_year} {self.source}"

    @property
    def year_label(self) -> str:
        return AcademicYear.label_for(self.results_year)


class StatisticalNeighbour(models.Model):
    """DfE children's services statistical neighbours: an LA's ten nearest LAs."""

    la_code = models.CharField(max_length=3, db_index=True)
    neighbour_code = models.CharField(max_length=3)
    rank = models.PositiveSmallIntegerField()
    closeness = models.CharField(max_length=40, blank=True)
    batch = optional_link(ImportBatch, on_delete=models.PROTECT)

    class Meta:
        ordering = ["la_code", "rank"]
        constraints = [models.UniqueConstraint(fields=["la_code", "rank"], name="neighbour_unique_rank")]

    def __str__(self):
        return f"{self.la_code} → {self.neighbour_code} (#{self.rank})"
