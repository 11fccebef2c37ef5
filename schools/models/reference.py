"""Reference data: academic years, key stages, measures and pupil groups."""

from django.core.exceptions import ValidationError
from django.db import models

from gapmonitor.models import optional_link

from ..house_style import results_year_label


class AcademicYear(models.Model):
    """An academic year, keyed by its results year (2024 for 2023/24)."""

    results_year = models.PositiveSmallIntegerField(primary_key=True)
    label = models.CharField(max_length=7, unique=True, help_text='e.g. "2023/24"')
    results_published = models.BooleanField(
        default=True, help_text="False for 2020 and 2021, when no KS2/KS4 results were published."
    )

    class Meta:
        ordering = ["results_year"]

    def __str__(self):
        return self.label

    @staticmethod
    def label_for(results_year: int) -> str:
        return results_year_label(results_year)


class KeyStage(models.Model):
    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=80)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return self.name


class ReferenceItem(models.Model):
    """A measure or a pupil group: known by its code, listed in the order set for it, described for the reader."""

    code = models.SlugField(max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class Measure(ReferenceItem):
    class Unit(models.TextChoices):
        PERCENT = "percent", "Percentage of pupils"
        AVERAGE = "average", "Average score"
        RATE = "rate", "Rate"

    name = models.CharField(max_length=160)
    short_name = models.CharField(max_length=60, blank=True)
    key_stage = models.ForeignKey(KeyStage, on_delete=models.PROTECT, related_name="measures")
    unit = models.CharField(max_length=10, choices=Unit.choices)
    higher_is_better = models.BooleanField(default=True)
    first_year = models.PositiveSmallIntegerField(null=True, blank=True)
    last_year = models.PositiveSmallIntegerField(null=True, blank=True)
    series_breaks = models.JSONField(
        default=list,
        blank=True,
        help_text="Results years from which a new comparable series starts, each with the reason, e.g. "
        '[{"year": 2022, "note": "EYFS profile reformed in 2021/22"}]. Trends, targets and chart lines '
        "never join years on either side of a break.",
    )
    headline = models.BooleanField(default=False, help_text="Shown on overview pages.")
    value_added = models.BooleanField(default=False, help_text="A progress score centred on 0 (may be negative).")

    @property
    def is_percent(self) -> bool:
        return self.unit == self.Unit.PERCENT

    @property
    def unit_label(self) -> str:
        return "percentage points" if self.is_percent else "points"

    def valid_in(self, results_year: int) -> bool:
        return (self.first_year is None or results_year >= self.first_year) and (
            self.last_year is None or results_year <= self.last_year
        )

    def clean(self):
        for item in self.series_breaks or []:
            if not isinstance(item, dict) or not isinstance(item.get("year"), int):
                raise ValidationError({"series_breaks": 'Each break is {"year": 2022, "note": "why"}.'})


class PupilGroup(ReferenceItem):
    class Category(models.TextChoices):
        ALL = "all", "All pupils"
        DISADVANTAGE = "disadvantage", "Disadvantage"
        SEN = "sen", "Special educational needs"
        CARE = "care", "Children in care and in need"
        LANGUAGE = "language", "Language"
        GENDER = "gender", "Gender"
        ETHNICITY = "ethnicity", "Ethnicity"
        PRIOR = "prior", "Prior attainment"
        MOBILITY = "mobility", "Mobility"
        LOCAL = "local", "Local group"

    name = models.CharField(max_length=120)
    category = models.CharField(max_length=20, choices=Category.choices)
    comparison = optional_link("self", help_text="The group this group's gap is measured against.")
    is_focus = models.BooleanField(default=True, help_text="A vulnerable group whose gap we watch.")
