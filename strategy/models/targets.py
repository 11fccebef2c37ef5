"""Targets, whose status is computed from the imported results, and their milestones."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models

from gapmonitor.models import Audited, HasPage, Recorded, optional_link
from schools.models import Area, Cluster, LocalAuthority, Measure, PupilGroup, School

from .plans import Plan
from .scope import PLACES_IN_LA, ScopedToPlace
from .vocabulary import year_label


class Target(HasPage, ScopedToPlace, Recorded):
    """A success criterion whose status is computed from imported results (see ``strategy.targets``)."""

    class Type(models.TextChoices):
        REACH = "reach", "Reach a value"
        CHANGE = "change", "Improve by N points"
        CLOSE_GAP = "close_gap", "Close the gap to N points or less"
        GAP_NATIONAL = "gap_national", "Gap no wider than the national gap"
        IN_LINE_NATIONAL = "in_line_national", "In line with national for the group"
        FASTER = "faster", "Group improves N points a year faster than its comparison group"

    TYPE_HELP = {
        Type.REACH: "Target value: the value the focus group should reach.",
        Type.CHANGE: "Target value: the improvement in points from the baseline.",
        Type.CLOSE_GAP: "Target value: the widest acceptable gap, in points.",
        Type.GAP_NATIONAL: "Target value: allowed margin above the national gap (usually 0).",
        Type.IN_LINE_NATIONAL: "Target value: allowed shortfall below national for the same group (usually 0).",
        Type.FASTER: "Target value: points a year by which the focus group's improvement beats the comparison group's.",
    }
    GAP_TYPES = (Type.CLOSE_GAP, Type.GAP_NATIONAL, Type.FASTER)

    la = models.ForeignKey(
        LocalAuthority, on_delete=models.CASCADE, related_name="targets", verbose_name="local authority"
    )
    area = optional_link(Area, on_delete=models.CASCADE, related_name="targets")
    cluster = optional_link(Cluster, on_delete=models.CASCADE, related_name="targets")
    school = optional_link(School, on_delete=models.CASCADE, related_name="targets")
    plan = optional_link(Plan, on_delete=models.CASCADE, related_name="targets")
    engagement = optional_link("SupportEngagement", on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(
        max_length=200, blank=True, help_text="Optional wording, e.g. the plan's success criterion."
    )
    type = models.CharField(max_length=20, choices=Type.choices)
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="+")
    focus_group = models.ForeignKey(PupilGroup, on_delete=models.PROTECT, related_name="+")
    comparison_group = optional_link(
        PupilGroup,
        on_delete=models.PROTECT,
        help_text="For gap targets; the focus group's usual comparison group if left empty.",
    )
    baseline_year = models.PositiveSmallIntegerField(help_text="Results year, e.g. 2024 for 2023/24.")
    baseline_value = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The focus group's value (or the gap, for gap targets) in the baseline year. "
        "Left empty, the imported figure for that year is used.",
    )
    target_year = models.PositiveSmallIntegerField()
    target_value = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    page_url_name = "strategy:target"

    class Meta:
        ordering = ["target_year", "pk"]

    def __str__(self):
        return self.title or self.describe()

    @property
    def scope_level(self) -> str:
        if self.school_id:
            return "school"
        if self.cluster_id:
            return "cluster"
        if self.area_id:
            return "area"
        return "la"

    @property
    def comparison(self) -> PupilGroup | None:
        return self.comparison_group or self.focus_group.comparison

    @property
    def is_gap_target(self) -> bool:
        return self.type in self.GAP_TYPES

    def describe(self) -> str:
        """The target in words."""
        group, measure = self.focus_group.name, self.measure.short_name or self.measure.name
        unit = self.measure.unit_label
        n = f"{float(self.target_value):g}" if self.target_value is not None else "?"
        year = year_label(self.target_year)
        comparison = self.comparison.name if self.comparison else "the comparison group"
        return {
            self.Type.REACH: f"{group}: {measure} reaches {n} by {year}",
            self.Type.CHANGE: f"{group}: {measure} improves by {n} {unit} by {year}",
            self.Type.CLOSE_GAP: (
                f"{measure}: gap between {group} pupils and {comparison} closes to {n} {unit} or less by {year}"
            ),
            self.Type.GAP_NATIONAL: (
                f"{measure}: gap between {group} pupils and {comparison} no wider than the national gap by {year}"
            ),
            self.Type.IN_LINE_NATIONAL: f"{group}: {measure} in line with the same group nationally by {year}",
            self.Type.FASTER: f"{measure}: {group} pupils improve {n} {unit} a year faster than {comparison} to {year}",
        }[self.type]

    def clean(self):
        errors = {}
        if self.baseline_year and self.target_year and self.target_year <= self.baseline_year:
            errors["target_year"] = "The target year must come after the baseline year."
        needs_n = {self.Type.REACH, self.Type.CHANGE, self.Type.CLOSE_GAP, self.Type.FASTER}
        if self.type in needs_n and self.target_value is None:
            errors["target_value"] = self.TYPE_HELP[self.type]
        if self.type in self.GAP_TYPES and self.focus_group_id and self.comparison is None:
            errors["comparison_group"] = "A gap target needs a comparison group."
        errors.update(self.places_outside_la())
        if sum(bool(getattr(self, f"{f}_id")) for f in PLACES_IN_LA) > 1:
            errors["school"] = "A target has one scope: a school, a cluster, an area or the whole LA."
        if errors:
            raise ValidationError(errors)


class Milestone(Audited):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="milestones")
    description = models.CharField(max_length=255)
    due_date = models.DateField()
    achieved_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self):
        return self.description

    @property
    def state(self) -> str:
        if self.achieved_on:
            return "Achieved"
        return "Overdue" if self.due_date < date.today() else "Due"
