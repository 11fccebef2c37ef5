"""School improvement visits: the report, its judgements, and its quality assurance against seven features."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from gapmonitor.models import Audited, HasPage, Recorded, optional_user
from schools.house_style import uk_date
from schools.models import School

from .vocabulary import Rag

SEVEN_FEATURES = [
    # field name, wording of DCSF quality standard 2.4
    ("timely", "Timeliness"),
    ("accurate", "Accurate and supported by evidence"),
    ("issues_timescale", "Identifies the issues for action and a timescale"),
    ("challenge", "Provides evidence of the challenge provided"),
    ("agenda_for_action", "Provides a clear agenda for action"),
    ("clear_format", "Has a clear agenda and format"),
    ("feeds_risk_register", "Feeds into the LA management information system and risk register"),
]


class VisitReport(HasPage, Recorded):
    """An adviser's visit report. ``gap_snapshot`` freezes the figures discussed, so later imports
    do not rewrite what was discussed."""

    class VisitType(models.TextChoices):
        TERMLY = "termly", "Termly support visit"
        KIT = "kit", "Keeping-in-touch meeting"
        FOCUSED = "focused", "Focused review of provision"
        PRE_INSPECTION = "pre_inspection", "Pre-inspection visit"
        PUPIL_PREMIUM = "pupil_premium", "Pupil premium review"
        GOVERNANCE = "governance", "Governance review"
        OTHER = "other", "Other"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="visit_reports")
    adviser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visit_reports")
    visit_date = models.DateField()
    visit_type = models.CharField(max_length=20, choices=VisitType.choices)
    purpose = models.TextField()
    strengths = models.TextField(blank=True)
    areas_for_development = models.TextField(blank=True)
    next_visit_date = models.DateField(null=True, blank=True)
    gap_snapshot = models.JSONField(default=list, blank=True, help_text="The gap figures as they stood at the visit.")
    snapshot_taken_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = optional_user()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    head_comment = models.TextField("headteacher's comment", blank=True)

    page_url_name = "strategy:visit"

    class Meta:
        ordering = ["-visit_date", "-pk"]

    def __str__(self):
        return f"{self.get_visit_type_display()}, {self.school.name}, {uk_date(self.visit_date)}"

    def clean(self):
        if self.next_visit_date and self.visit_date and self.next_visit_date <= self.visit_date:
            raise ValidationError({"next_visit_date": "The next visit must be after this one."})


class VisitJudgement(Audited):
    """A focus area of a visit, picked from a flagged gap or written in, with its RAG judgement (blank until
    judged)."""

    report = models.ForeignKey(VisitReport, on_delete=models.CASCADE, related_name="judgements")
    focus_area = models.CharField(max_length=160)
    gap = models.CharField(
        max_length=80,
        blank=True,
        help_text="The flagged gap this focus area was picked from (measure:group in the stored figures).",
    )
    rag = models.CharField("RAG rating", max_length=12, choices=Rag.choices, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.focus_area}: {self.get_rag_display() or 'not yet judged'}"


class VisitQualityAssurance(Audited):
    """An LA officer's check of a report against the seven features of a good SIP report (DCSF quality
    standard 2.4)."""

    report = models.OneToOneField(VisitReport, on_delete=models.CASCADE, related_name="quality_assurance")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_on = models.DateField()
    timely = models.BooleanField(SEVEN_FEATURES[0][1], default=False)
    accurate = models.BooleanField(SEVEN_FEATURES[1][1], default=False)
    issues_timescale = models.BooleanField(SEVEN_FEATURES[2][1], default=False)
    challenge = models.BooleanField(SEVEN_FEATURES[3][1], default=False)
    agenda_for_action = models.BooleanField(SEVEN_FEATURES[4][1], default=False)
    clear_format = models.BooleanField(SEVEN_FEATURES[5][1], default=False)
    feeds_risk_register = models.BooleanField(SEVEN_FEATURES[6][1], default=False)
    meets_all = models.BooleanField(default=False, editable=False, help_text="All seven features present.")
    comment = models.TextField(blank=True)

    class Meta:
        verbose_name = "visit quality assurance"

    def __str__(self):
        return f"QA of {self.report}"

    def save(self, *args, **kwargs):
        self.meets_all = all(getattr(self, name) for name, _ in SEVEN_FEATURES)
        super().save(*args, **kwargs)

    @property
    def features(self) -> list[tuple[str, bool]]:
        return [(label, getattr(self, name)) for name, label in SEVEN_FEATURES]

    @property
    def features_met(self) -> int:
        return sum(met for _, met in self.features)
