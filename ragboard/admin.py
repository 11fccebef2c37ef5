"""Admin: the framework can be corrected in place (every change is kept in its history)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import models


class DescriptorInline(admin.TabularInline):
    model = models.Descriptor
    fields = ["code", "column", "order", "lead_in", "text", "is_critical", "rule", "params", "phases"]
    extra = 0
    show_change_link = True


@admin.register(models.Framework)
class FrameworkAdmin(SimpleHistoryAdmin):
    list_display = ["title", "code", "version", "is_active", "loaded_at"]


@admin.register(models.StandardSet)
class StandardSetAdmin(SimpleHistoryAdmin):
    list_display = ["code", "short_title", "framework", "phases"]
    list_filter = ["framework"]
    inlines = [DescriptorInline]


@admin.register(models.Descriptor)
class DescriptorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "column", "is_critical", "rule", "text"]
    list_filter = ["standard_set__framework", "standard_set__code", "column", "is_critical", "rule"]
    search_fields = ["code", "text"]


@admin.register(models.Round)
class RoundAdmin(SimpleHistoryAdmin):
    list_display = ["label", "la", "framework", "as_of", "status", "reviewer"]
    list_filter = ["la", "status"]


@admin.register(models.Judgement)
class JudgementAdmin(SimpleHistoryAdmin):
    """Read-only here: grades change only through the page, which applies the rules."""

    list_display = ["round", "standard_set", "phase", "la_grade", "reviewer_grade", "override_reason"]
    list_filter = ["round", "phase", "la_grade", "reviewer_grade"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(models.EvidenceItem)
class EvidenceItemAdmin(SimpleHistoryAdmin):
    list_display = ["title", "la", "kind", "date", "shows_impact", "impact_strength"]
    list_filter = ["la", "kind", "shows_impact", "impact_strength"]
    search_fields = ["title", "summary"]


admin.site.register(
    [
        models.KeyRating,
        models.QualityStandard,
        models.OverallRating,
        models.PriorityArea,
        models.Workstream,
        models.StrategicTarget,
    ],
    SimpleHistoryAdmin,
)
