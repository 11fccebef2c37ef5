"""Forms. Choice lists are limited to what the user may see (through the selectors), so a form can never
name an organisation outside the user's scope."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q

from schools.access import assignable_users, visible_areas, visible_clusters, visible_schools
from schools.models import AcademicYear, Measure, PupilGroup

from . import access
from .models import (
    Action,
    ActionUpdate,
    Milestone,
    Plan,
    Rag,
    SuccessStory,
    SupportEngagement,
    Target,
)
from .plan_services import scope_fields

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def year_choices(blank: bool = False):
    years = AcademicYear.objects.filter(results_year__gte=2010, results_year__lte=2030).order_by("-results_year")
    choices = [(y.results_year, f"{y.label} (results {y.results_year})") for y in years]
    return ([("", "—")] if blank else []) + choices


class YearField(forms.TypedChoiceField):
    def __init__(self, *args, blank=False, **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("empty_value", None)
        super().__init__(*args, choices=lambda: year_choices(blank), **kwargs)


def focus_groups():
    return PupilGroup.objects.filter(is_focus=True).select_related("comparison")


def lead_users(user, la, current=None):
    """Who ``user`` may name as a lead (``schools.access.assignable_users``), plus the lead already
    recorded, so editing an older action never drops it silently."""
    people = assignable_users(user, la)
    if current is None:
        return people
    return (
        get_user_model()
        .objects.filter(Q(pk__in=people.values("pk")) | Q(pk=current))
        .order_by("first_name", "last_name", "username")
    )


def up_to_today(value: date, refusal: str) -> date:
    """``value``, refused with ``refusal`` when it is after today: what is recorded has already happened."""
    if value > date.today():
        raise ValidationError(refusal)
    return value


def person_label(user) -> str:
    full = user.get_full_name()
    return f"{full} ({user.get_username()})" if full else user.get_username()


# --------------------------------------------------------------------------- plans
class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = [
            "title",
            "level",
            "area",
            "cluster",
            "school",
            "start_year",
            "end_year",
            "status",
            "owner_name",
            "summary",
        ]

    start_year = YearField(label="First year")
    end_year = YearField(label="Last year")

    def __init__(self, *args, user, la, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.la = user, la
        self.fields["area"].queryset = visible_areas(user).filter(la=la)
        self.fields["cluster"].queryset = visible_clusters(user).filter(la=la)
        self.fields["school"].queryset = visible_schools(user).filter(la=la, status="open")
        allowed = access.plan_levels(user, Plan.Level.values)
        if len(allowed) < len(Plan.Level.values):
            self.fields["level"].choices = [(code, label) for code, label in Plan.Level.choices if code in allowed]
            if Plan.Level.CLUSTER not in allowed:
                del self.fields["area"], self.fields["cluster"]
        self.instance.la = la

    def clean(self):
        data = super().clean()
        level = data.get("level")
        for field in ("area", "cluster", "school"):
            if field in self.fields and level != field:
                data[field] = None
        return data


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = [
            "strand",
            "key_action",
            "lead_user",
            "lead_role",
            "due_date",
            "timescale",
            "intended_outcome",
            "monitored_by",
            "completed_on",
            "pupil_groups",
            "measures",
            "schools",
            "intervention_type",
            "funding_source",
            "funding_amount",
        ]
        widgets = {
            "key_action": forms.Textarea(attrs={"rows": 3}),
            "intended_outcome": forms.Textarea(attrs={"rows": 3}),
            "due_date": DATE,
            "completed_on": DATE,
            "pupil_groups": forms.CheckboxSelectMultiple,
            "measures": forms.SelectMultiple(attrs={"size": 6}),
            "schools": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, user, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["lead_user"].queryset = lead_users(user, plan.la, current=self.instance.lead_user_id)
        self.fields["lead_user"].label_from_instance = person_label
        self.fields["pupil_groups"].queryset = focus_groups()
        self.fields["schools"].queryset = visible_schools(user).filter(la=plan.la, status="open")
        self.fields["measures"].queryset = Measure.objects.filter(last_year__isnull=True)


class ActionUpdateForm(forms.ModelForm):
    rag = forms.ChoiceField(label="RAG rating", choices=Rag.choices, widget=forms.RadioSelect)

    class Meta:
        model = ActionUpdate
        fields = ["date", "rag", "note"]
        widgets = {"date": DATE, "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = date.today

    def clean_date(self):
        return up_to_today(self.cleaned_data["date"], "An update cannot be dated in the future.")


# --------------------------------------------------------------------------- targets
class TargetForm(forms.ModelForm):
    baseline_year = YearField()
    target_year = YearField()

    class Meta:
        model = Target
        fields = [
            "title",
            "type",
            "measure",
            "focus_group",
            "comparison_group",
            "baseline_year",
            "baseline_value",
            "target_year",
            "target_value",
        ]

    def __init__(self, *args, scope, plan=None, engagement=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_group"].queryset = focus_groups()
        self.fields["comparison_group"].queryset = PupilGroup.objects.all()
        self.fields["measure"].queryset = Measure.objects.all()
        self.fields["type"].help_text = " ".join(Target.TYPE_HELP[t] for t in Target.Type)
        target = self.instance
        if target.pk is None:  # the scope the model's checks see; the service sets the same on save
            target.plan, target.engagement = plan, engagement
            for name, value in scope_fields(scope).items():
                setattr(target, name, value)


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["description", "due_date", "achieved_on"]
        widgets = {"due_date": DATE, "achieved_on": DATE}


# --------------------------------------------------------------------------- celebrate and support
class StoryForm(forms.ModelForm):
    from_year = YearField(label="Gap in (first year)")
    to_year = YearField(label="Gap in (last year)")

    class Meta:
        model = SuccessStory
        fields = [
            "school",
            "title",
            "measure",
            "pupil_group",
            "comparison_group",
            "from_year",
            "to_year",
            "what_we_did",
            "impact",
            "published",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = visible_schools(user).filter(status="open")
        self.fields["pupil_group"].queryset = focus_groups()
        self.fields["published"].help_text = "Published stories appear on the printable page of stories."
        if not access.can_write_story(user):
            self.fields["published"].disabled = True

    def clean(self):
        data = super().clean()
        if data.get("pupil_group") and not data.get("comparison_group"):
            data["comparison_group"] = data["pupil_group"].comparison
            if data["comparison_group"] is None:
                self.add_error("comparison_group", "Choose the group the gap is measured against.")
        return data


class EngagementForm(forms.ModelForm):
    class Meta:
        model = SupportEngagement
        fields = [
            "supporting_school",
            "leader_name",
            "leader_designation",
            "partner_school",
            "commissioner",
            "start_date",
            "end_date",
            "status",
            "terms_of_reference",
        ]
        widgets = {"start_date": DATE, "end_date": DATE, "terms_of_reference": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        schools = visible_schools(user).filter(status="open")
        self.fields["supporting_school"].queryset = schools
        self.fields["partner_school"].queryset = schools
