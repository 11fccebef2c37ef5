"""Self-evaluation against the LA quality standards (seed 004) and the strategic plan board (seed 003).

The framework (key ratings, sets 1.1–2.5, quality standards, four-column descriptors with
critical criteria and rule parameters) is data, loaded from ``fixtures/quality_standards_*.json``
and versioned, so a newer framework loads without code changes. A round holds one judgement
per set × phase with the LA's grade and the reviewer's grade side by side; ``ragboard.rules``
checks a grade against the document's rules and says why.
"""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from schools.models import LocalAuthority
from strategy.models import Rag


# --------------------------------------------------------------------------- vocabularies
class Phase(models.TextChoices):
    EARLY_YEARS = "EY", "Early Years"
    PRIMARY = "PRI", "Primary"
    SECONDARY = "SEC", "Secondary"


PHASE_ORDER = [Phase.EARLY_YEARS, Phase.PRIMARY, Phase.SECONDARY]


class Grade(models.TextChoices):
    """The four descriptor columns, best first. 'RAG' in the document means these four, not three colours."""

    OUTSTANDING = "OS", "Outstanding"
    GOOD = "G", "Good"
    SOME_IMPROVEMENT = "NI", "Requires some improvement"
    SIGNIFICANT_IMPROVEMENT = "SI", "Requires significant improvement"


GRADE_ORDER = [Grade.OUTSTANDING, Grade.GOOD, Grade.SOME_IMPROVEMENT, Grade.SIGNIFICANT_IMPROVEMENT]
# 1 = best, as in the document's Appendix 5 grade scores. Never treat a higher number as better.
GRADE_RANK = {grade.value: index + 1 for index, grade in enumerate(GRADE_ORDER)}
# The dashboard's own words: the key and the "overall" rows use these.
DASHBOARD_KEY = {
    "OS": "Outstanding",
    "G": "Good",
    "NI": "Needs improvement",
    "SI": "Significant improvement needed",
}
OVERALL_WORDS = {
    "OS": "Outstanding",
    "G": "Good",
    "NI": "Needs some improvement",
    "SI": "Significant improvement needed",
}
NOT_APPLICABLE = "N/A"


def grade_label(code: str) -> str:
    return dict(Grade.choices).get(code, "Not yet rated")


def grade_worse(code: str) -> str | None:
    rank = GRADE_RANK[code]
    return GRADE_ORDER[rank].value if rank < len(GRADE_ORDER) else None


# --------------------------------------------------------------------------- the framework (data)
class Framework(models.Model):
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

    history = HistoricalRecords()

    class Meta:
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="ragboard_framework_version")]

    def __str__(self):
        return f"{self.title} (version {self.version})"

    def metric(self, code: str) -> dict | None:
        return next((m for m in self.metrics if m.get("code") == code), None)


class KeyRating(models.Model):
    """One of the two 'key ratings': RAG 1 impact, RAG 2 risk management and intervention."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="key_ratings")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=255)
    dashboard_title = models.CharField(max_length=255)

    history = HistoricalRecords()

    class Meta:
        ordering = ["framework", "number"]
        constraints = [models.UniqueConstraint(fields=["framework", "number"], name="ragboard_keyrating_number")]

    def __str__(self):
        return f"RAG {self.number} – {self.title}"


class StandardSet(models.Model):
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

    history = HistoricalRecords()

    class Meta:
        ordering = ["framework", "order"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="ragboard_set_code")]

    def __str__(self):
        return f"{self.code} {self.short_title}"

    def applies_to(self, phase: str) -> bool:
        return phase in self.phases


class QualityStandard(models.Model):
    """A bullet under 'Quality standards' (verbatim)."""

    standard_set = models.ForeignKey(StandardSet, on_delete=models.CASCADE, related_name="standards")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    order = models.PositiveSmallIntegerField()
    lead_in = models.CharField(max_length=255, blank=True)
    text = models.TextField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["standard_set", "order"]

    def __str__(self):
        return self.text[:80]


class Descriptor(models.Model):
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
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(max_length=20, help_text='Our own id, e.g. "2.4-G5"; the document does not number them.')
    order = models.PositiveSmallIntegerField()
    lead_in = models.CharField(max_length=255, blank=True)
    text = models.TextField()
    is_critical = models.BooleanField(default=False, help_text="Bold in the document.")
    rule = models.CharField(max_length=20, choices=Rule.choices, default=Rule.STATEMENT)
    params = models.JSONField(default=dict, blank=True)
    phases = models.JSONField(default=list, blank=True, help_text="Empty = every phase of the set.")
    interpretation = models.TextField(blank=True, help_text="Our reading where the document is ambiguous.")

    history = HistoricalRecords()

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


# --------------------------------------------------------------------------- self-evaluation
class Round(models.Model):
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
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Gives the external (reviewer) view; administrators may always review.",
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-as_of", "-id"]
        constraints = [models.UniqueConstraint(fields=["la", "label"], name="ragboard_round_label")]

    def __str__(self):
        return f"{self.label} ({self.la.name})"

    def get_absolute_url(self):
        return reverse("ragboard:round", args=[self.pk])


class Judgement(models.Model):
    """One dashboard cell: a set × phase in a round, with both views side by side."""

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
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)
    overridden_rules = models.TextField(blank=True, help_text="The rules the override set aside, in words.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[ticked])

    class Meta:
        ordering = ["round", "standard_set__order", "phase"]
        constraints = [
            models.UniqueConstraint(fields=["round", "standard_set", "phase"], name="ragboard_judgement_cell")
        ]

    def __str__(self):
        return f"{self.standard_set.code} {self.get_phase_display()} – {self.round.label}"

    def get_absolute_url(self):
        return reverse("ragboard:judgement", args=[self.pk])

    def grade_for(self, view: str) -> str:
        """The grade shown in a view ('la' or 'reviewer'); 'N/A' where the set does not apply."""
        if self.not_applicable:
            return NOT_APPLICABLE
        return self.la_grade if view == "la" else self.reviewer_grade

    @property
    def agreed(self) -> bool:
        return bool(self.la_grade) and self.la_grade == self.reviewer_grade


class OverallRating(models.Model):
    """A '<phase> overall' or 'Overall' rating for a key rating: a human judgement, not a formula."""

    OVERALL = ""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="overall_ratings")
    key_rating = models.ForeignKey(KeyRating, on_delete=models.PROTECT, related_name="+")
    phase = models.CharField(max_length=3, choices=Phase.choices, blank=True, help_text="Blank = the Overall row.")
    la_grade = models.CharField("LA grade", max_length=2, choices=Grade.choices, blank=True)
    reviewer_grade = models.CharField("reviewer grade", max_length=2, choices=Grade.choices, blank=True)
    rationale = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "key_rating", "phase"], name="ragboard_overall_cell")]

    def __str__(self):
        return f"RAG {self.key_rating.number} {self.get_phase_display() or 'Overall'} – {self.round.label}"

    def grade_for(self, view: str) -> str:
        return self.la_grade if view == "la" else self.reviewer_grade


# --------------------------------------------------------------------------- evidence
EVIDENCE_EXTENSIONS = {
    ".pdf",
    ".docx",
    ".doc",
    ".xlsx",
    ".xls",
    ".csv",
    ".pptx",
    ".odt",
    ".ods",
    ".txt",
    ".png",
    ".jpg",
    ".jpeg",
}


def evidence_upload_to(instance, filename: str) -> str:
    """A generated name under MEDIA_ROOT: never the uploader's file name (which may hold personal data)."""
    ext = os.path.splitext(filename)[1].lower()
    if ext not in EVIDENCE_EXTENSIONS:
        ext = ".bin"
    return f"ragboard/evidence/{uuid.uuid4().hex}{ext}"


class EvidenceItem(models.Model):
    """A piece of evidence for the self-evaluation: whether it shows impact on outcomes, and how strongly."""

    class Kind(models.TextChoices):
        DATA = "data", "Data analysis"
        VISIT = "visit", "Note of visit"
        SIP_REPORT = "sip_report", "SIP/adviser report"
        QA = "qa", "Quality-assurance record"
        SURVEY = "survey", "Stakeholder views or survey"
        MINUTES = "minutes", "Minutes"
        POLICY = "policy", "Policy or plan"
        OFSTED = "ofsted", "Ofsted report"
        OTHER = "other", "Other"

    class Strength(models.TextChoices):
        NONE = "", "Does not show impact (process evidence)"
        EVIDENCE = "evidence", "Evidence of impact on outcomes"
        SUBSTANTIAL = "substantial", "Substantial evidence of impact on outcomes"

    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="ragboard_evidence")
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    date = models.DateField()
    summary = models.TextField()
    file = models.FileField(upload_to=evidence_upload_to, blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    link = models.URLField(blank=True, max_length=500)
    shows_impact = models.BooleanField("shows impact on outcomes", default=False)
    impact_strength = models.CharField(max_length=20, choices=Strength.choices, blank=True)
    judgements = models.ManyToManyField(Judgement, blank=True, related_name="evidence")
    descriptors = models.ManyToManyField(Descriptor, blank=True, related_name="evidence")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[judgements, descriptors])

    class Meta:
        ordering = ["-date", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("ragboard:evidence_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if not self.file and not self.link:
            errors["link"] = "Give a link or upload a file: evidence must be something a reviewer can open."
        if self.shows_impact and not self.impact_strength:
            errors["impact_strength"] = "Say how strong the evidence of impact is."
        if not self.shows_impact and self.impact_strength:
            errors["impact_strength"] = "Only evidence that shows impact on outcomes has a strength."
        if errors:
            raise ValidationError(errors)


# --------------------------------------------------------------------------- strategic plan board (seed 003)
# Seed 003's five-point RAG is the one strategy's action updates use: one definition for both.
PlanRag = Rag


PLAN_RAG_LETTERS = {"red": "R", "amber-red": "A/R", "amber": "A", "amber-green": "A/G", "green": "G"}


class PriorityArea(models.Model):
    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="ragboard_priority_areas")
    title = models.CharField(max_length=160)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["la", "order", "title"]
        constraints = [models.UniqueConstraint(fields=["la", "title"], name="ragboard_priority_area_title")]

    def __str__(self):
        return self.title


class Workstream(models.Model):
    """A workstream: analysis of need, interventions, intended impact, a five-point RAG with narrative and evidence."""

    priority_area = models.ForeignKey(PriorityArea, on_delete=models.CASCADE, related_name="workstreams")
    title = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    analysis_of_need = models.TextField()
    interventions = models.TextField()
    intended_impact = models.TextField()
    rag = models.CharField("RAG rating", max_length=12, choices=PlanRag.choices, blank=True)
    rag_narrative = models.TextField("RAG narrative", blank=True)
    evidence = models.TextField("evidence / impact", blank=True)
    next_priorities = models.TextField("next priorities", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["priority_area", "order", "title"]
        constraints = [models.UniqueConstraint(fields=["priority_area", "title"], name="ragboard_workstream_title")]

    def __str__(self):
        return self.title

    @property
    def rag_letters(self) -> str:
        return PLAN_RAG_LETTERS.get(self.rag, "–")


class StrategicTarget(models.Model):
    """A strategic target with 'are we on track?', computed from a linked ``strategy`` target where there is one."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="ragboard_strategic_targets")
    text = models.TextField()
    target_year = models.CharField(max_length=20, blank=True, help_text='e.g. "2026/27"')
    order = models.PositiveSmallIntegerField(default=0)
    evidence = models.TextField("evidence / impact so far", blank=True)
    strategy_target = models.ForeignKey(
        "strategy.Target",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A measured target in Plans; 'are we on track?' is then computed from results.",
    )
    judged_on_track = models.CharField(
        "on track (judged by hand)",
        max_length=12,
        choices=PlanRag.choices,
        blank=True,
        help_text="Used only when the target is not linked to a measured target.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["la", "order", "id"]

    def __str__(self):
        return self.text[:80]
