"""Organisations: local authorities (and the thresholds they set), areas, clusters and schools."""

from django.db import models
from django.urls import reverse

from gapmonitor.models import Audited, optional_link

from ..house_style import uk_date
from .reference import AcademicYear, Measure, PupilGroup


class LocalAuthority(models.Model):
    code = models.CharField(max_length=3, unique=True, help_text="DfE LA code, e.g. 935.")
    name = models.CharField(max_length=120)
    region_code = models.CharField(max_length=9, blank=True, help_text="ONS region code, e.g. E12000006.")
    region_name = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self):
        return f"{self.name} ({self.code})"


class LocalThreshold(models.Model):
    """A threshold an LA sets for itself (floor standards were abolished in 2019): a school whose figure
    for the group is below it in that year is given the reason for challenge, with this name and date."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="thresholds")
    name = models.CharField(max_length=120, help_text='e.g. "Demoshire KS2 ambition 2025".')
    adopted_on = models.DateField(help_text="When the LA agreed it.")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="+")
    pupil_group = models.ForeignKey(
        PupilGroup, on_delete=models.PROTECT, related_name="+", help_text="Usually all pupils."
    )
    results_year = models.PositiveSmallIntegerField(help_text="The results year it applies to (2025 for 2024/25).")
    value = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        help_text="Below this (above it for lower-is-better measures) the school is given the reason.",
    )
    active = models.BooleanField(default=True, help_text="Untick to stop using it without deleting it.")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["la", "measure", "-results_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["la", "measure", "pupil_group", "results_year"], name="localthreshold_unique"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.measure.code}, {self.results_year}): {self.value}"

    def definition(self) -> str:
        """The threshold in words, as a reason's definition shows it."""
        word = "below" if self.measure.higher_is_better else "above"
        value = f"{float(self.value):g}{'%' if self.measure.is_percent else ''}"
        return (
            f"{self.name} (set by {self.la.name}, adopted {uk_date(self.adopted_on)}): "
            f"{self.measure.short_name or self.measure.name} for {self.pupil_group.name.lower()} {word} {value} "
            f"in {AcademicYear.label_for(self.results_year)}"
        )


class SchoolGrouping(models.Model):
    """A named grouping of an LA's schools (an area or a cluster); its name is unique within its LA, which each
    names with its own link ``la``."""

    name = models.CharField(max_length=120)

    class Meta:
        abstract = True
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["la", "name"], name="%(class)s_unique_name")]

    def __str__(self):
        return self.name


class Area(SchoolGrouping):
    """An area of an LA (its schools, and the clusters in it)."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="areas")


class Cluster(SchoolGrouping):
    """A cluster, pyramid, partnership or locality of schools."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="clusters")
    area = optional_link(Area, related_name="clusters")


class School(Audited):
    class Phase(models.TextChoices):
        NURSERY = "nursery", "Nursery"
        PRIMARY = "primary", "Primary"
        MIDDLE = "middle", "Middle"
        SECONDARY = "secondary", "Secondary"
        ALL_THROUGH = "all_through", "All-through"
        SPECIAL = "special", "Special"
        PRU = "pru", "Pupil referral unit"
        POST16 = "post16", "16 plus"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    urn = models.PositiveIntegerField(unique=True, verbose_name="URN")
    la = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="schools")
    laestab = models.CharField(max_length=7, blank=True, verbose_name="LAESTAB")
    name = models.CharField(max_length=200)
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.PRIMARY)
    school_type = models.CharField(max_length=120, blank=True, verbose_name="type")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    area = optional_link(Area, related_name="schools")
    cluster = optional_link(Cluster, related_name="schools")
    number_on_roll = models.PositiveIntegerField(null=True, blank=True)
    fsm_percent = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True, verbose_name="FSM %")

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["la", "status"]),
            models.Index(fields=["cluster"]),
            models.Index(fields=["area"]),
        ]

    def __str__(self):
        return f"{self.name} ({self.urn})"

    def get_absolute_url(self):
        return reverse("schools:school", args=[self.urn])

    @property
    def latest_inspection(self):
        inspections = getattr(self, "_prefetched_objects_cache", {}).get("inspections")
        if inspections is not None:
            return inspections[0] if inspections else None
        return self.inspections.first()
