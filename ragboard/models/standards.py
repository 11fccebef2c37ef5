"""The framework, as data: key ratings, standard sets, quality standards and their four-column descriptors."""

from __future__ import annotations

from django.db import models

from gapmonitor.models import Audited, optional_link

from .vocabulary import (
    Grade,
)


class Framework(Audited):
    """One version of a self-evaluation framework, e.g. the 2009 National Strategies quality standards."""

    code = models.SlugField(max_length=60)
    version = models.PositiveIntegerField(help_text="Higher is newer; a newer file loads alongside older ones.")
    title = models.CharField(max_length=255)
    publication_ref = models.CharField(max_length=60, blank=True)
    issued = models.DateField(null=True, blank=True)
    source_file = models.CharField(max_length=255, blank=True)
    metrics = models.JSONField(default=list, blank=True, help_text="Recorded figures that band rules read.")
    interpretations = models.JSONField(
        default=list, blank=True, help_text="Readings we chose where the text is ambiguous."
    )
    is_active = models.BooleanField(default=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="ragboard_framework_version")]

    def __str__(self):
        return f"{self.title} (version {self.version})"

    def metric(self, code: str) -> dict | None:
        return next((m for m in self.metrics if m.get("code") == code), None)


class KeyRating(Audited):
    """One of the two 'key ratings': RAG 1 impact, RAG 2 risk management and intervention."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="key_ratings")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=255)
    dashboard_title = models.CharField(max_length=255)

    class Meta:
        ordering = ["framework", "number"]
        constraints = [models.UniqueConstraint(fields=["framework", "number"], name="ragboard_keyrating_number")]

    def __str__(self):
        return f"RAG {self.number} – {self.title}"


class StandardSet(Audited):
    """A set of quality standards (1.1 … 2.5) with its four-column criteria."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="sets")
    key_rating = models.ForeignKey(KeyRating, on_delete=models.CASCADE, related_name="sets")
    code = models.CharField(max_length=10)
    order = models.PositiveSmallIntegerField()
    title = models.TextField()
    short_title = models.CharField(max_length=160)
    phases = models.JSONField(default=list, help_text='Phases the set applies to, e.g. ["PRI", "SEC"].')
    note = models.TextField(blank=True)
    indicators = models.JSONField(default=list, blank=True, help_text="Indicator codes shown on its judgements.")

    class Meta:
        ordering = ["framework", "order"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="ragboard_set_code")]

    def __str__(self):
        return f"{self.code} {self.short_title}"

    def applies_to(self, phase: str) -> bool:
        return phase in self.phases


class QualityStandard(Audited):
    """A bullet under 'Quality standards' (verbatim)."""

    standard_set = models.ForeignKey(StandardSet, on_delete=models.CASCADE, related_name="standards")
    parent = optional_link("self", on_delete=models.CASCADE, related_name="children")
    order = models.PositiveSmallIntegerField()
    lead_in = models.CharField(max_length=255, blank=True)
    text = models.TextField()

    class Meta:
        ordering = ["standard_set", "order"]

    def __str__(self):
        return self.text[:80]


class Descriptor(Audited):
    """One statement in a column of a set's criteria table.

    In the Outstanding and Good columns a statement is met when the LA does it; in the two lower
    columns it is worded as a weakness, so 'ticked' means the weakness describes the LA.
    """

    class Rule(models.TextChoices):
        STATEMENT = "statement", "Statement the evaluator ticks"
        ITEM = "item", "Item of a checklist the evaluator ticks"
        CHECKLIST = "checklist", "Met when every item of its checklist is ticked"
        ALL_GOOD = "all_good", "Met when every Good criterion is met"
        MISSING_COUNT = "missing_count", "Holds when a number of checklist items are missing"
        BAND = "band", "Holds when a recorded figure is in a band"

    AUTOMATIC_RULES = (Rule.CHECKLIST, Rule.ALL_GOOD, Rule.MISSING_COUNT, Rule.BAND)

    standard_set = models.ForeignKey(StandardSet, on_delete=models.CASCADE, related_name="descriptors")
    column = models.CharField(max_length=2, choices=Grade.choices)
    parent = optional_link("self", on_delete=models.CASCADE, related_name="items")
    code = models.CharField(max_length=20, help_text='Our own id, e.g. "2.4-G5"; the document does not number them.')
    order = models.PositiveSmallIntegerField()
    lead_in = models.CharField(max_length=255, blank=True)
    text = models.TextField()
    is_critical = models.BooleanField(default=False, help_text="Bold in the document.")
    rule = models.CharField(max_length=20, choices=Rule.choices, default=Rule.STATEMENT)
    params = models.JSONField(default=dict, blank=True)
    phases = models.JSONField(default=list, blank=True, help_text="Empty = every phase of the set.")
    interpretation = models.TextField(blank=True, help_text="Our reading where the document is ambiguous.")

    class Meta:
        ordering = ["standard_set", "order"]
        constraints = [models.UniqueConstraint(fields=["standard_set", "code"], name="ragboard_descriptor_code")]

    def __str__(self):
        return f"{self.code}: {self.text[:60]}"

    @property
    def is_automatic(self) -> bool:
        return self.rule in self.AUTOMATIC_RULES

    @property
    def is_upper(self) -> bool:
        return self.column in (Grade.OUTSTANDING, Grade.GOOD)

    @property
    def limits_grade(self) -> bool:
        """Critical criteria limit the grade; so do counted checklists and bands, which define their column."""
        return self.is_critical or self.rule in (self.Rule.MISSING_COUNT, self.Rule.BAND)

    def applies_to(self, phase: str) -> bool:
        return not self.phases or phase in self.phases
