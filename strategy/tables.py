"""django-tables2 tables for the plan and visit lists."""

import django_tables2 as tables

from .models import Plan, VisitReport


class PlanTable(tables.Table):
    caption = "Plans you can see"

    title = tables.Column(linkify=True)
    owner = tables.Column(accessor="owner_label", verbose_name="Owner", orderable=False)
    period = tables.Column(accessor="period", orderable=False)

    class Meta:
        model = Plan
        fields = ("title", "owner", "period", "status")
        attrs = {"class": "plans"}
        empty_text = "No plans you can see yet."


class VisitTable(tables.Table):
    caption = "Visit reports you can see, newest first"

    visit_date = tables.DateColumn(format="j M Y", linkify=True, verbose_name="Date")
    school = tables.Column(accessor="school__name", verbose_name="School")
    urn = tables.Column(accessor="school__urn", verbose_name="URN")
    adviser = tables.Column(accessor="adviser", orderable=False)
    next_visit_date = tables.DateColumn(format="j M Y", verbose_name="Next visit")
    acknowledged = tables.Column(accessor="acknowledged_at", verbose_name="Acknowledged by head", orderable=False)
    quality = tables.Column(accessor="pk", verbose_name="Quality assured", orderable=False)

    class Meta:
        model = VisitReport
        fields = ("visit_date", "school", "urn", "visit_type", "adviser", "next_visit_date", "acknowledged", "quality")
        empty_text = "No visit reports you can see yet."

    def render_adviser(self, value):
        return value.get_full_name() or value.username

    def render_acknowledged(self, value):
        return f"Yes, {value:%-d %b %Y}" if value else "Not yet"

    def render_quality(self, record):
        try:
            qa = record.quality_assurance
        except VisitReport.quality_assurance.RelatedObjectDoesNotExist:
            return "Not yet"
        return f"{qa.features_met} of 7 features" + (" (all met)" if qa.meets_all else "")
