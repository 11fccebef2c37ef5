from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Action,
    ActionUpdate,
    Milestone,
    Plan,
    SuccessStory,
    SupportEngagement,
    Target,
    VisitJudgement,
    VisitQualityAssurance,
    VisitReport,
)


class ActionInline(admin.TabularInline):
    model = Action
    fields = ("strand", "key_action", "lead_role", "due_date", "timescale", "completed_on")
    extra = 0
    show_change_link = True


class TargetInline(admin.TabularInline):
    model = Target
    fk_name = "plan"
    fields = ("type", "measure", "focus_group", "baseline_year", "target_year", "target_value")
    extra = 0
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ("title", "la", "level", "school", "cluster", "area", "start_year", "end_year", "status")
    list_filter = ("la", "level", "status")
    search_fields = ("title", "school__name", "owner_name")
    raw_id_fields = ("school", "owner")
    inlines = [ActionInline, TargetInline]


class ActionUpdateInline(admin.TabularInline):
    model = ActionUpdate
    fields = ("date", "rag", "note", "recorded_by")
    raw_id_fields = ("recorded_by",)
    extra = 0


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ("key_action", "plan", "strand", "due_date", "completed_on")
    list_filter = ("strand", "plan__la", "intervention_type", "funding_source")
    search_fields = ("key_action", "plan__title", "lead_role")
    raw_id_fields = ("plan", "lead_user", "source_visit")
    filter_horizontal = ("pupil_groups", "measures", "schools")
    inlines = [ActionUpdateInline]


@admin.register(ActionUpdate)
class ActionUpdateAdmin(SimpleHistoryAdmin):
    list_display = ("action", "date", "rag", "recorded_by")
    list_filter = ("rag",)
    raw_id_fields = ("action", "recorded_by")


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "type", "la", "school", "cluster", "area", "baseline_year", "target_year")
    list_filter = ("type", "la", "measure")
    raw_id_fields = ("school", "plan", "engagement")
    inlines = [MilestoneInline]


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = ("description", "target", "due_date", "achieved_on")
    raw_id_fields = ("target",)


class JudgementInline(admin.TabularInline):
    model = VisitJudgement
    extra = 0


@admin.register(VisitReport)
class VisitReportAdmin(SimpleHistoryAdmin):
    list_display = ("school", "visit_date", "visit_type", "adviser", "acknowledged_at")
    list_filter = ("visit_type", "school__la")
    search_fields = ("school__name", "purpose")
    raw_id_fields = ("school", "adviser", "acknowledged_by")
    readonly_fields = ("gap_snapshot", "snapshot_taken_at")
    inlines = [JudgementInline]


@admin.register(VisitJudgement)
class VisitJudgementAdmin(SimpleHistoryAdmin):
    list_display = ("focus_area", "report", "rag")
    raw_id_fields = ("report",)


@admin.register(VisitQualityAssurance)
class VisitQualityAssuranceAdmin(SimpleHistoryAdmin):
    list_display = ("report", "reviewer", "reviewed_on", "meets_all")
    list_filter = ("meets_all",)
    raw_id_fields = ("report", "reviewer")


@admin.register(SuccessStory)
class SuccessStoryAdmin(SimpleHistoryAdmin):
    list_display = ("title", "school", "measure", "pupil_group", "from_year", "to_year", "published")
    list_filter = ("published", "measure")
    search_fields = ("title", "school__name")
    raw_id_fields = ("school", "created_by")


@admin.register(SupportEngagement)
class SupportEngagementAdmin(SimpleHistoryAdmin):
    list_display = (
        "partner_school",
        "supporting_school",
        "leader_name",
        "leader_designation",
        "start_date",
        "end_date",
        "status",
    )
    list_filter = ("status", "leader_designation", "commissioner")
    raw_id_fields = ("partner_school", "supporting_school")
