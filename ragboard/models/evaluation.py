"""Self-evaluation: a round holds one judgement per set × phase (the LA's grade and the reviewer's side by side)
and the overall ratings."""

from __future__ import annotations

from django.db import models

from gapmonitor.models import HasPage, Recorded, Revised, optional_user
from schools.models import LocalAuthority

from .standards import Descriptor, Framework, KeyRating, StandardSet
from .vocabulary import (
    NOT_APPLICABLE,
    Grade,
    Phase,
)


class Round(HasPage, Recorded):
    """One self-evaluation round, e.g. '2025/26 autumn': one judgement per set × phase."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "review", "In review"
        AGREED = "agreed", "Agreed"

    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="ragboard_rounds")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="rounds")
    label = models.CharField(max_length=60)
    as_of = models.DateField(help_text="The date the evaluation describes.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    reviewer = optional_user(help_text="Gives the external (reviewer) view; administrators may always review.")
    notes = models.TextField(blank=True)

    page_url_name = "ragboard:round"

    class Meta:
        ordering = ["-as_of", "-id"]
        constraints = [models.UniqueConstraint(fields=["la", "label"], name="ragboard_round_label")]

    def __str__(self):
        return f"{self.label} ({self.la.name})"


class Judgement(HasPage, Revised):
    """One dashboard cell: a set × phase in a round, with both views side by side."""

    _change_reason: str  # set before a save: django-simple-history records it with the change
    _history_m2m_fields = ["ticked"]  # the descriptors ticked are kept in the history too

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="judgements")
    standard_set = models.ForeignKey(StandardSet, on_delete=models.PROTECT, related_name="judgements")
    phase = models.CharField(max_length=3, choices=Phase.choices)
    not_applicable = models.BooleanField(default=False)
    la_grade = models.CharField("LA grade", max_length=2, choices=Grade.choices, blank=True)
    reviewer_grade = models.CharField("reviewer grade", max_length=2, choices=Grade.choices, blank=True)
    rationale = models.TextField(blank=True)
    strengths = models.TextField(blank=True)
    areas_for_improvement = models.TextField(blank=True)
    ticked = models.ManyToManyField(Descriptor, blank=True, related_name="+", verbose_name="descriptors ticked as met")
    metrics = models.JSONField(
        default=dict, blank=True, help_text="Figures the band rules read (e.g. 1.5's percentage)."
    )
    override_reason = models.TextField(blank=True)
    overridden_by = optional_user()
    overridden_at = models.DateTimeField(null=True, blank=True)
    overridden_rules = models.TextField(blank=True, help_text="The rules the override set aside, in words.")

    page_url_name = "ragboard:judgement"

    class Meta:
        ordering = ["round", "standard_set__order", "phase"]
        constraints = [
            models.UniqueConstraint(fields=["round", "standard_set", "phase"], name="ragboard_judgement_cell")
        ]

    def __str__(self):
        return f"{self.standard_set.code} {self.get_phase_display()} – {self.round.label}"

    def grade_for(self, view: str) -> str:
        """The grade shown in a view ('la' or 'reviewer'); 'N/A' where the set does not apply."""
        if self.not_applicable:
            return NOT_APPLICABLE
        return self.la_grade if view == "la" else self.reviewer_grade

    @property
    def agreed(self) -> bool:
        return bool(self.la_grade) and self.la_grade == self.reviewer_grade


class OverallRating(Revised):
    """A '<phase> overall' or 'Overall' rating for a key rating: a human judgement, not a formula."""

    OVERALL = ""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="overall_ratings")
    key_rating = models.ForeignKey(KeyRating, on_delete=models.PROTECT, related_name="+")
    phase = models.CharField(max_length=3, choices=Phase.choices, blank=True, help_text="Blank = the Overall row.")
    la_grade = models.CharField("LA grade", max_length=2, choices=Grade.choices, blank=True)
    reviewer_grade = models.CharField("reviewer grade", max_length=2, choices=Grade.choices, blank=True)
    rationale = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "key_rating", "phase"], name="ragboard_overall_cell")]

    def __str__(self):
        return f"RAG {self.key_rating.number} {self.get_phase_display() or 'Overall'} – {self.round.label}"

    def grade_for(self, view: str) -> str:
        return self.la_grade if view == "la" else self.reviewer_grade
