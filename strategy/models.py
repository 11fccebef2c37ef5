"""Turning the numbers into work: gap action plans (Know / Narrow / Mind / Celebrate, seed 000 §8–12 and
Appendix 1), RAG-rated progress updates (seed 003's five points), targets whose status is computed from
the imported results (seed 002 success criteria and milestones), SIP visit reports with a gap snapshot and
quality assurance against seed 004 §2.4's seven features, success stories and school-to-school support
engagements (seed 001).

Every model that holds a judgement or plan content keeps its history (simple-history)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from schools.models import AcademicYear, Area, Cluster, LocalAuthority, Measure, PupilGroup, School


class Strand(models.TextChoices):
    """The four strands of seed 000 §8."""

    KNOW = "know", "Know the gaps"
    NARROW = "narrow", "Narrow the gaps"
    MIND = "mind", "Mind the gaps"
    CELEBRATE = "celebrate", "Celebrate gap busting"


class Rag(models.TextChoices):
    """Seed 003's five-point rating. Values double as CSS classes (``rag-<value>``)."""

    RED = "red", "Red"
    AMBER_RED = "amber-red", "Amber/Red"
    AMBER = "amber", "Amber"
    AMBER_GREEN = "amber-green", "Amber/Green"
    GREEN = "green", "Green"


RAG_ORDER = [Rag.RED, Rag.AMBER_RED, Rag.AMBER, Rag.AMBER_GREEN, Rag.GREEN]


def year_label(results_year: int | None) -> str:
    return AcademicYear.label_for(results_year) if results_year else "–"


# --------------------------------------------------------------------------- plans
class Plan(models.Model):
    """A gap action plan owned at one level (seed 000 Appendix 1 has one table per owner)."""

    class Level(models.TextChoices):
        LA_TEAM = "la_team", "LA school-improvement team"
        AREA = "area", "Area team"
        CLUSTER = "cluster", "Cluster"
        SCHOOL = "school", "School"
        COUNCIL = "council", "Council"
        PARTNERSHIP = "partnership", "Partnership board"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    la = models.ForeignKey(
        LocalAuthority, on_delete=models.CASCADE, related_name="plans", verbose_name="local authority"
    )
    level = models.CharField("owner level", max_length=20, choices=Level.choices)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.CASCADE, related_name="plans")
    cluster = models.ForeignKey(Cluster, null=True, blank=True, on_delete=models.CASCADE, related_name="plans")
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, related_name="plans")
    title = models.CharField(max_length=200)
    start_year = models.PositiveSmallIntegerField(help_text="First results year of the plan, e.g. 2025 for 2024/25.")
    end_year = models.PositiveSmallIntegerField(help_text="Last results year of the plan.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_plans"
    )
    owner_name = models.CharField(
        max_length=120, blank=True, help_text='The owning team or role, e.g. "ISIS leadership team".'
    )
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["la", "level", "title"]
        constraints = [models.UniqueConstraint(fields=["la", "title"], name="plan_unique_title")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("strategy:plan", args=[self.pk])

    def clean(self):
        needs = {self.Level.AREA: "area", self.Level.CLUSTER: "cluster", self.Level.SCHOOL: "school"}
        errors = {}
        for level, field in needs.items():
            value = getattr(self, f"{field}_id")
            if self.level == level and not value:
                errors[field] = f"A {self.get_level_display().lower()} plan needs its {field}."
            elif self.level != level and value:
                errors[field] = f"Only a {Plan.Level(level).label.lower()} plan names a {field}."
        if self.start_year and self.end_year and self.end_year < self.start_year:
            errors["end_year"] = "The plan cannot end before it starts."
        for field in ("area", "cluster", "school"):
            obj = getattr(self, field) if getattr(self, f"{field}_id") else None
            if obj is not None and self.la_id and obj.la_id != self.la_id:
                errors[field] = f"That {field} is in another local authority."
        if errors:
            raise ValidationError(errors)

    @property
    def owner_label(self) -> str:
        subject = self.school or self.cluster or self.area
        return f"{self.get_level_display()}: {subject}" if subject else self.get_level_display()

    @property
    def period(self) -> str:
        if self.start_year == self.end_year:
            return year_label(self.start_year)
        return f"{year_label(self.start_year)} to {year_label(self.end_year)}"

    @property
    def scope(self):
        """The organisation whose figures the plan is about."""
        return self.school or self.cluster or self.area or self.la

    def progress(self, actions=None) -> dict:
        """Counts for the plan's overall progress: completed, each RAG, no update yet, overdue."""
        actions = list(self.actions.all()) if actions is None else actions
        today = date.today()
        counts = {"total": len(actions), "completed": 0, "overdue": 0, "no_update": 0}
        counts.update({rag.value: 0 for rag in RAG_ORDER})
        for action in actions:
            if action.completed_on:
                counts["completed"] += 1
            if action.is_overdue(today):
                counts["overdue"] += 1
            rag = action.rag
            if rag:
                counts[rag] += 1
            else:
                counts["no_update"] += 1
        counts["percent_complete"] = round(100 * counts["completed"] / counts["total"]) if counts["total"] else None
        counts["rag_rows"] = [(Rag(r).label, r, counts[r]) for r in RAG_ORDER]
        return counts


class Action(models.Model):
    """One row of a seed 000 action-plan table: key action, lead, timescale, outcome, monitoring, completed."""

    class Intervention(models.TextChoices):
        NONE = "", "Not specified"
        QUALITY_FIRST = "wave1", "Wave 1: quality-first teaching"
        WAVE2 = "wave2", "Wave 2: small-group intervention"
        WAVE3 = "wave3", "Wave 3: individual intervention"
        TUITION = "tuition", "One-to-one tuition"
        FAMILY = "family", "Family learning"
        MENTORING = "mentoring", "Mentoring"
        CPD = "cpd", "Training and CPD"
        DATA = "data", "Data analysis and tracking"
        ATTENDANCE = "attendance", "Attendance support"
        PARTNERSHIP = "partnership", "School-to-school partnership"
        OTHER = "other", "Other"

    class Funding(models.TextChoices):
        NONE = "", "None recorded"
        PUPIL_PREMIUM = "pupil_premium", "Pupil premium"
        PUPIL_PREMIUM_PLUS = "pupil_premium_plus", "Pupil premium plus"
        RECOVERY = "recovery", "Recovery / tutoring grant"
        SCHOOL_BUDGET = "school_budget", "School budget"
        LA_BUDGET = "la_budget", "LA budget"
        GRANT = "grant", "External grant"
        OTHER = "other", "Other"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    strand = models.CharField(max_length=12, choices=Strand.choices)
    key_action = models.TextField()
    lead_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_actions",
        verbose_name="lead (user)",
    )
    lead_role = models.CharField("lead (named role)", max_length=120, blank=True, help_text='e.g. "SLT FSM champion".')
    due_date = models.DateField(null=True, blank=True)
    timescale = models.CharField(max_length=60, blank=True, help_text='A term or period, e.g. "Spring 2026".')
    intended_outcome = models.TextField(blank=True)
    monitored_by = models.CharField(max_length=160, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    pupil_groups = models.ManyToManyField(PupilGroup, blank=True, related_name="+")
    measures = models.ManyToManyField(Measure, blank=True, related_name="+")
    schools = models.ManyToManyField(
        School, blank=True, related_name="targeted_by_actions", verbose_name="target schools"
    )
    intervention_type = models.CharField(max_length=20, choices=Intervention.choices, blank=True, default="")
    funding_source = models.CharField(max_length=20, choices=Funding.choices, blank=True, default="")
    funding_amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True, help_text="£")
    source_visit = models.ForeignKey(
        "VisitReport",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agreed_actions",
        help_text="The visit at which this action was agreed.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "strand", "due_date", "pk"]

    def __str__(self):
        return self.key_action[:80]

    def get_absolute_url(self):
        return reverse("strategy:action", args=[self.pk])

    def clean(self):
        if self.funding_amount is not None and not self.funding_source:
            raise ValidationError({"funding_source": "Say where the funding comes from."})
        if self.funding_amount is not None and self.funding_amount < 0:
            raise ValidationError({"funding_amount": "Funding cannot be negative."})

    @property
    def lead(self) -> str:
        name = self.lead_user.get_full_name() or self.lead_user.username if self.lead_user else ""
        return ", ".join(part for part in (name, self.lead_role) if part) or "–"

    @property
    def when(self) -> str:
        if self.due_date:
            return f"{self.due_date:%d %b %Y}" + (f" ({self.timescale})" if self.timescale else "")
        return self.timescale or "–"

    @property
    def latest_update(self):
        """The latest update is the action's status; uses prefetched updates when present."""
        updates = getattr(self, "_prefetched_objects_cache", {}).get("updates")
        if updates is not None:
            return max(updates, key=lambda u: (u.date, u.pk), default=None)
        return self.updates.order_by("-date", "-pk").first()

    @property
    def rag(self) -> str:
        update = self.latest_update
        return update.rag if update else ""

    def get_rag_display(self) -> str:
        return Rag(self.rag).label if self.rag else "No update yet"

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or date.today()
        return bool(self.due_date and not self.completed_on and self.due_date < today)


class ActionUpdate(models.Model):
    """A dated progress update with a five-point RAG. Never edited in place: a new update supersedes."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField()
    rag = models.CharField("RAG rating", max_length=12, choices=Rag.choices)
    note = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.get_rag_display()} on {self.date:%d %b %Y}"


# --------------------------------------------------------------------------- targets
class Target(models.Model):
    """A success criterion whose status is computed from imported results (see ``strategy.targets``)."""

    class Type(models.TextChoices):
        REACH = "reach", "Reach a value"
        CHANGE = "change", "Improve by N points"
        CLOSE_GAP = "close_gap", "Close the gap to N points or less"
        GAP_NATIONAL = "gap_national", "Gap no wider than the national gap"
        IN_LINE_NATIONAL = "in_line_national", "In line with national for the group"
        FASTER = "faster", "Group improves N points a year faster than its comparison group"

    TYPE_HELP = {
        Type.REACH: "Target value: the value the focus group should reach.",
        Type.CHANGE: "Target value: the improvement in points from the baseline.",
        Type.CLOSE_GAP: "Target value: the widest acceptable gap, in points.",
        Type.GAP_NATIONAL: "Target value: allowed margin above the national gap (usually 0).",
        Type.IN_LINE_NATIONAL: "Target value: allowed shortfall below national for the same group (usually 0).",
        Type.FASTER: "Target value: points a year by which the focus group's improvement beats the comparison group's.",
    }
    GAP_TYPES = (Type.CLOSE_GAP, Type.GAP_NATIONAL, Type.FASTER)

    la = models.ForeignKey(
        LocalAuthority, on_delete=models.CASCADE, related_name="targets", verbose_name="local authority"
    )
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.CASCADE, related_name="targets")
    cluster = models.ForeignKey(Cluster, null=True, blank=True, on_delete=models.CASCADE, related_name="targets")
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, related_name="targets")
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.CASCADE, related_name="targets")
    engagement = models.ForeignKey(
        "SupportEngagement", null=True, blank=True, on_delete=models.CASCADE, related_name="objectives"
    )
    title = models.CharField(
        max_length=200, blank=True, help_text="Optional wording, e.g. the plan's success criterion."
    )
    type = models.CharField(max_length=20, choices=Type.choices)
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="+")
    focus_group = models.ForeignKey(PupilGroup, on_delete=models.PROTECT, related_name="+")
    comparison_group = models.ForeignKey(
        PupilGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For gap targets; the focus group's usual comparison group if left empty.",
    )
    baseline_year = models.PositiveSmallIntegerField(help_text="Results year, e.g. 2024 for 2023/24.")
    baseline_value = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The focus group's value (or the gap, for gap targets) in the baseline year. "
        "Left empty, the imported figure for that year is used.",
    )
    target_year = models.PositiveSmallIntegerField()
    target_value = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["target_year", "pk"]

    def __str__(self):
        return self.title or self.describe()

    def get_absolute_url(self):
        return reverse("strategy:target", args=[self.pk])

    @property
    def scope(self):
        return self.school or self.cluster or self.area or self.la

    @property
    def scope_level(self) -> str:
        if self.school_id:
            return "school"
        if self.cluster_id:
            return "cluster"
        if self.area_id:
            return "area"
        return "la"

    @property
    def comparison(self) -> PupilGroup | None:
        return self.comparison_group or self.focus_group.comparison

    @property
    def is_gap_target(self) -> bool:
        return self.type in self.GAP_TYPES

    def describe(self) -> str:
        """The target in words."""
        group, measure = self.focus_group.name, self.measure.short_name or self.measure.name
        unit = self.measure.unit_label
        n = f"{float(self.target_value):g}" if self.target_value is not None else "?"
        year = year_label(self.target_year)
        comparison = self.comparison.name if self.comparison else "the comparison group"
        return {
            self.Type.REACH: f"{group}: {measure} reaches {n} by {year}",
            self.Type.CHANGE: f"{group}: {measure} improves by {n} {unit} by {year}",
            self.Type.CLOSE_GAP: f"{measure}: gap between {group} pupils and {comparison} closes to {n} {unit} or less by {year}",
            self.Type.GAP_NATIONAL: f"{measure}: gap between {group} pupils and {comparison} no wider than the national gap by {year}",
            self.Type.IN_LINE_NATIONAL: f"{group}: {measure} in line with the same group nationally by {year}",
            self.Type.FASTER: f"{measure}: {group} pupils improve {n} {unit} a year faster than {comparison} to {year}",
        }[self.type]

    def clean(self):
        errors = {}
        if self.baseline_year and self.target_year and self.target_year <= self.baseline_year:
            errors["target_year"] = "The target year must come after the baseline year."
        needs_n = {self.Type.REACH, self.Type.CHANGE, self.Type.CLOSE_GAP, self.Type.FASTER}
        if self.type in needs_n and self.target_value is None:
            errors["target_value"] = self.TYPE_HELP[self.type]
        if self.type in self.GAP_TYPES and self.focus_group_id and self.comparison is None:
            errors["comparison_group"] = "A gap target needs a comparison group."
        for field in ("area", "cluster", "school"):
            obj = getattr(self, field) if getattr(self, f"{field}_id") else None
            if obj is not None and self.la_id and obj.la_id != self.la_id:
                errors[field] = f"That {field} is in another local authority."
        if sum(bool(getattr(self, f"{f}_id")) for f in ("area", "cluster", "school")) > 1:
            errors["school"] = "A target has one scope: a school, a cluster, an area or the whole LA."
        if errors:
            raise ValidationError(errors)

    def status(self, *, show_small_cohorts: bool):
        """Computed status (met / on track / off track / no data yet) with the figures used, in words.
        ``show_small_cohorts``: ``schools.selectors.sees_small_cohorts(user)`` for the reader."""
        from .targets import evaluate

        return evaluate([self], show_small_cohorts=show_small_cohorts)[self.pk]


class Milestone(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="milestones")
    description = models.CharField(max_length=255)
    due_date = models.DateField()
    achieved_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self):
        return self.description

    @property
    def state(self) -> str:
        if self.achieved_on:
            return "Achieved"
        return "Overdue" if self.due_date < date.today() else "Due"


# --------------------------------------------------------------------------- visits
SEVEN_FEATURES = [
    # field name, wording of seed 004 §2.4
    ("timely", "Timeliness"),
    ("accurate", "Accurate and supported by evidence"),
    ("issues_timescale", "Identifies the issues for action and a timescale"),
    ("challenge", "Provides evidence of the challenge provided"),
    ("agenda_for_action", "Provides a clear agenda for action"),
    ("clear_format", "Has a clear agenda and format"),
    ("feeds_risk_register", "Feeds into the LA management information system and risk register"),
]


class VisitReport(models.Model):
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
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    head_comment = models.TextField("headteacher's comment", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-visit_date", "-pk"]

    def __str__(self):
        return f"{self.get_visit_type_display()}, {self.school.name}, {self.visit_date:%d %b %Y}"

    def get_absolute_url(self):
        return reverse("strategy:visit", args=[self.pk])

    def clean(self):
        if self.next_visit_date and self.visit_date and self.next_visit_date <= self.visit_date:
            raise ValidationError({"next_visit_date": "The next visit must be after this one."})


class VisitJudgement(models.Model):
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

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.focus_area}: {self.get_rag_display() or 'not yet judged'}"


class VisitQualityAssurance(models.Model):
    """An LA officer's check of a report against seed 004 §2.4's seven features of a good SIP report."""

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

    history = HistoricalRecords()

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


# --------------------------------------------------------------------------- celebrate
class SuccessStory(models.Model):
    """Celebrate gap busting (seed 000 §12): a school, the gap it closed, what it did."""

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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-to_year", "school__name"]
        verbose_name_plural = "success stories"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("strategy:story", args=[self.pk])

    def clean(self):
        if self.from_year and self.to_year and self.to_year <= self.from_year:
            raise ValidationError({"to_year": "The story's end year must come after its start year."})

    @property
    def gap_change(self):
        if self.gap_before is None or self.gap_after is None:
            return None
        return self.gap_after - self.gap_before


# --------------------------------------------------------------------------- school-to-school support
class SupportEngagement(models.Model):
    """School-to-school support (seed 001): a supporting school and leader working with a partner school."""

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
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "pk"]

    def __str__(self):
        return f"{self.supporting_school.name} supporting {self.partner_school.name}"

    def get_absolute_url(self):
        return reverse("strategy:engagement", args=[self.pk])

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
