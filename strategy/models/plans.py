"""Gap action plans, their actions and the RAG-rated progress updates on each action."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models

from gapmonitor.models import HasPage, Recorded, optional_link, optional_user
from schools.house_style import uk_date
from schools.models import Area, Cluster, LocalAuthority, Measure, PupilGroup, School

from .scope import ScopedToPlace
from .vocabulary import RAG_ORDER, Rag, Strand, year_label


class Plan(HasPage, ScopedToPlace, Recorded):
    """A gap action plan owned at one level (Suffolk, Narrowing the Gap, Appendix 1 has one table per owner)."""

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
    area = optional_link(Area, on_delete=models.CASCADE, related_name="plans")
    cluster = optional_link(Cluster, on_delete=models.CASCADE, related_name="plans")
    school = optional_link(School, on_delete=models.CASCADE, related_name="plans")
    title = models.CharField(max_length=200)
    start_year = models.PositiveSmallIntegerField(help_text="First results year of the plan, e.g. 2025 for 2024/25.")
    end_year = models.PositiveSmallIntegerField(help_text="Last results year of the plan.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    owner = optional_user(related_name="owned_plans")
    owner_name = models.CharField(
        max_length=120, blank=True, help_text='The owning team or role, e.g. "ISIS leadership team".'
    )
    summary = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    page_url_name = "strategy:plan"

    class Meta:
        ordering = ["la", "level", "title"]
        constraints = [models.UniqueConstraint(fields=["la", "title"], name="plan_unique_title")]

    def __str__(self):
        return self.title

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
        errors.update(self.places_outside_la())
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


class Action(HasPage, Recorded):
    """One row of a Suffolk action-plan table (Narrowing the Gap, Appendix 1): key action, lead, timescale,
    outcome, monitoring, completed."""

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
    lead_user = optional_user(related_name="led_actions", verbose_name="lead (user)")
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
    source_visit = optional_link(
        "VisitReport", related_name="agreed_actions", help_text="The visit at which this action was agreed."
    )

    page_url_name = "strategy:action"

    class Meta:
        ordering = ["plan", "strand", "due_date", "pk"]

    def __str__(self):
        return self.key_action[:80]

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
            return uk_date(self.due_date) + (f" ({self.timescale})" if self.timescale else "")
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


class ActionUpdate(Recorded):
    """A dated progress update with a five-point RAG. Never edited in place: a new update supersedes."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField()
    rag = models.CharField("RAG rating", max_length=12, choices=Rag.choices)
    note = models.TextField()
    recorded_by = optional_user()

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.get_rag_display()} on {uk_date(self.date)}"
