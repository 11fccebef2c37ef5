from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import aggregates, models
from .models.results import FIGURE_FIELDS


class RepoolsFigures:
    """Deleting many results (or schools with their results) re-pools the figures they fed once, at the end,
    instead of once per result (``schools.aggregates``; single saves re-pool through the model signals)."""

    def delete_model(self, request, obj):
        with aggregates.deferred():
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with aggregates.deferred():
            super().delete_queryset(request, queryset)


@admin.register(models.AcademicYear)
class AcademicYearAdmin(admin.ModelAdmin):
    list_display = ["label", "results_year", "results_published"]


@admin.register(models.KeyStage)
class KeyStageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "order"]


@admin.register(models.Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "key_stage",
        "unit",
        "higher_is_better",
        "first_year",
        "last_year",
        "series_breaks",
        "headline",
    ]
    list_filter = ["key_stage", "unit", "headline"]
    search_fields = ["code", "name"]


@admin.register(models.PupilGroup)
class PupilGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "comparison", "is_focus"]
    list_filter = ["category", "is_focus"]
    search_fields = ["code", "name"]


@admin.register(models.LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region_name"]
    search_fields = ["code", "name"]


@admin.register(models.Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "la"]
    list_filter = ["la"]


@admin.register(models.Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "la"]
    list_filter = ["la", "area"]


class OfstedInspectionInline(admin.TabularInline):
    model = models.OfstedInspection
    extra = 0


@admin.register(models.School)
class SchoolAdmin(RepoolsFigures, SimpleHistoryAdmin):
    list_display = ["urn", "name", "la", "phase", "status", "area", "cluster", "number_on_roll", "fsm_percent"]
    list_filter = ["la", "phase", "status", "area"]
    search_fields = ["urn", "name", "laestab"]
    inlines = [OfstedInspectionInline]


class OfstedJudgementInline(admin.TabularInline):
    """Key judgements (graded inspections) or evaluation areas (report cards)."""

    model = models.OfstedJudgement
    extra = 0


@admin.register(models.OfstedInspection)
class OfstedInspectionAdmin(admin.ModelAdmin):
    list_display = ["school", "inspection_date", "framework", "grade", "category_of_concern"]
    list_filter = ["framework", "grade"]
    autocomplete_fields = ["school"]
    inlines = [OfstedJudgementInline]


@admin.register(models.ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "format",
        "file_name",
        "status",
        "created_count",
        "updated_count",
        "unchanged_count",
        "uploaded_by",
    ]
    list_filter = ["format", "status"]
    readonly_fields = [f.name for f in models.ImportBatch._meta.fields]


@admin.register(models.Result)
class ResultAdmin(RepoolsFigures, SimpleHistoryAdmin):
    list_display = [
        "school",
        "results_year",
        "measure",
        "pupil_group",
        *FIGURE_FIELDS,
        "batch",
    ]
    # The form in the order the model had before it redefined its school, year and measure (without their own
    # indexes, which moved them to the end).
    fields = ["results_year", "measure", "pupil_group", *FIGURE_FIELDS, "school", "batch"]
    list_filter = ["results_year", "measure", "pupil_group", "status"]
    search_fields = ["school__name", "school__urn"]
    raw_id_fields = ["school", "batch"]
    list_select_related = ["school", "measure", "pupil_group", "batch"]


@admin.register(models.Benchmark)
class BenchmarkAdmin(admin.ModelAdmin):
    list_display = [
        "geography_code",
        "geography_name",
        "kind",
        "results_year",
        "measure",
        "pupil_group",
        "value",
        "value_code",
    ]
    list_filter = ["kind", "results_year", "measure"]
    search_fields = ["geography_code", "geography_name"]
    raw_id_fields = ["batch"]


@admin.register(models.SchoolContext)
class SchoolContextAdmin(admin.ModelAdmin):
    list_display = [
        "school",
        "results_year",
        "source",
        "number_on_roll",
        "fsm6_percent",
        "overall_absence_percent",
        "persistent_absence_percent",
    ]
    list_filter = ["source", "results_year"]
    search_fields = ["school__name", "school__urn"]
    raw_id_fields = ["school", "batch"]


@admin.register(models.StatisticalNeighbour)
class StatisticalNeighbourAdmin(admin.ModelAdmin):
    list_display = ["la_code", "rank", "neighbour_code", "closeness"]
    search_fields = ["la_code", "neighbour_code"]


@admin.register(models.Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "la", "school", "area", "cluster", "job_title"]
    filter_horizontal = ["schools"]
    raw_id_fields = ["school"]


@admin.register(models.LocalThreshold)
class LocalThresholdAdmin(admin.ModelAdmin):
    """An LA's own thresholds (none by default): each gives the priority reason "Below the LA threshold"."""

    list_display = ["name", "la", "measure", "pupil_group", "results_year", "value", "adopted_on", "active"]
    list_filter = ["la", "measure", "results_year", "active"]
    search_fields = ["name"]
