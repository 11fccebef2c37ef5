"""Celebrating gap busting: success stories."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from gapmonitor.models import HasPage, Recorded, optional_user
from schools.models import Measure, PupilGroup, School


class SuccessStory(HasPage, Recorded):
    """Celebrate gap busting (Suffolk, Narrowing the Gap, section 12): a school, the gap it closed, what it did."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="success_stories")
    title = models.CharField(max_length=200)
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="+")
    pupil_group = models.ForeignKey(PupilGroup, on_delete=models.PROTECT, related_name="+", verbose_name="focus group")
    comparison_group = models.ForeignKey(PupilGroup, on_delete=models.PROTECT, related_name="+")
    from_year = models.PositiveSmallIntegerField()
    to_year = models.PositiveSmallIntegerField()
    gap_before = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    gap_after = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    what_we_did = models.TextField("what the school did")
    impact = models.TextField(blank=True)
    published = models.BooleanField(default=False)
    published_on = models.DateField(null=True, blank=True)
    created_by = optional_user()

    page_url_name = "strategy:story"

    class Meta:
        ordering = ["-to_year", "school__name"]
        verbose_name_plural = "success stories"

    def __str__(self):
        return self.title

    def clean(self):
        if self.from_year and self.to_year and self.to_year <= self.from_year:
            raise ValidationError({"to_year": "The story's end year must come after its start year."})

    @property
    def gap_change(self):
        if self.gap_before is None or self.gap_after is None:
            return None
        return self.gap_after - self.gap_before
