"""Evidence: files and links that back a judgement."""

from __future__ import annotations

import os
import uuid

from django.core.exceptions import ValidationError
from django.db import models

from gapmonitor.models import HasPage, Recorded, optional_user
from schools.models import LocalAuthority

from .evaluation import Judgement
from .standards import Descriptor

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


class EvidenceItem(HasPage, Recorded):
    """A piece of evidence for the self-evaluation: whether it shows impact on outcomes, and how strongly."""

    _history_m2m_fields = ["judgements", "descriptors"]  # the links to judgements and descriptors are kept too

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
    added_by = optional_user()

    page_url_name = "ragboard:evidence_detail"

    class Meta:
        ordering = ["-date", "title"]

    def __str__(self):
        return self.title

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
