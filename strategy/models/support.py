"""School-to-school support: a supporting school and leader working with a partner school."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models

from gapmonitor.models import HasPage, Recorded
from schools.models import School


class SupportEngagement(HasPage, Recorded):
    """School-to-school support (National College (2011)): a supporting school and leader working with a
    partner school."""

    class Designation(models.TextChoices):
        NLE = "nle", "National Leader of Education (NLE)"
        LLE = "lle", "Local Leader of Education (LLE)"
        NLG = "nlg", "National Leader of Governance (NLG)"
        TEACHING_SCHOOL = "teaching_school", "Teaching school / hub"
        SLE = "sle", "Specialist Leader of Education (SLE)"
        EXECUTIVE_HEAD = "executive_head", "Executive headteacher"
        OTHER = "other", "Other"

    class Commissioner(models.TextChoices):
        LA = "la", "Local authority"
        DFE = "dfe", "DfE / regional director"
        NATIONAL_COLLEGE = "national_college", "National College / NCTL"
        TRUST = "trust", "Multi-academy trust"
        SCHOOL = "school", "The partner school"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"

    supporting_school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="support_given")
    leader_name = models.CharField(max_length=120)
    leader_designation = models.CharField(max_length=20, choices=Designation.choices)
    partner_school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="support_received")
    commissioner = models.CharField(max_length=20, choices=Commissioner.choices, default=Commissioner.LA)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    terms_of_reference = models.TextField(blank=True)

    page_url_name = "strategy:engagement"

    class Meta:
        ordering = ["-start_date", "pk"]

    def __str__(self):
        return f"{self.supporting_school.name} supporting {self.partner_school.name}"

    def clean(self):
        errors = {}
        if self.supporting_school_id and self.supporting_school_id == self.partner_school_id:
            errors["partner_school"] = "A school cannot support itself."
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = "The engagement cannot end before it starts."
        if errors:
            raise ValidationError(errors)

    def phase_of(self, results_year: int) -> str:
        """before / during / after for a results year: the results of 2024 measure the academic year
        1 September 2023 – 31 August 2024, which counts as "during" if any of it overlapped the engagement."""
        if date(results_year, 8, 31) < self.start_date:
            return "before"
        if self.end_date and date(results_year - 1, 9, 1) > self.end_date:
            return "after"
        return "during"
