"""Organisations, reference data (years, measures, pupil groups), results and imports.

Results keep counts (cohort, achievers, total points), not only percentages, so
every figure above school level can be pooled. A published figure that is not a
number keeps its marker (``SUPP``, ``NE``, ``x``…) in ``value_code``: missing is
never zero.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords


# --------------------------------------------------------------------------- reference data
class AcademicYear(models.Model):
    """An academic year, keyed by its results year (2024 for 2023/24)."""

    results_year = models.PositiveSmallIntegerField(primary_key=True)
    label = models.CharField(max_length=7, unique=True, help_text='e.g. "2023/24"')
    results_published = models.BooleanField(
        default=True, help_text="False for 2020 and 2021, when no KS2/KS4 results were published."
    )

    class Meta:
        ordering = ["results_year"]

    def __str__(self):
        return self.label

    @staticmethod
    def label_for(results_year: int) -> str:
        return f"{results_year - 1}/{str(results_year)[-2:]}"


class KeyStage(models.Model):
    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=80)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return self.name


class Measure(models.Model):
    class Unit(models.TextChoices):
        PERCENT = "percent", "Percentage of pupils"
        AVERAGE = "average", "Average score"
        RATE = "rate", "Rate"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=160)
    short_name = models.CharField(max_length=60, blank=True)
    key_stage = models.ForeignKey(KeyStage, on_delete=models.PROTECT, related_name="measures")
    unit = models.CharField(max_length=10, choices=Unit.choices)
    higher_is_better = models.BooleanField(default=True)
    first_year = models.PositiveSmallIntegerField(null=True, blank=True)
    last_year = models.PositiveSmallIntegerField(null=True, blank=True)
    series_breaks = models.JSONField(
        default=list,
        blank=True,
        help_text="Results years from which a new comparable series starts, each with the reason, e.g. "
        '[{"year": 2022, "note": "EYFS profile reformed in 2021/22"}]. Trends, targets and chart lines '
        "never join years on either side of a break.",
    )
    headline = models.BooleanField(default=False, help_text="Shown on overview pages.")
    value_added = models.BooleanField(default=False, help_text="A progress score centred on 0 (may be negative).")
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self):
        return self.name

    @property
    def is_percent(self) -> bool:
        return self.unit == self.Unit.PERCENT

    @property
    def unit_label(self) -> str:
        return "percentage points" if self.is_percent else "points"

    def valid_in(self, results_year: int) -> bool:
        return (self.first_year is None or results_year >= self.first_year) and (
            self.last_year is None or results_year <= self.last_year
        )

    def clean(self):
        for item in self.series_breaks or []:
            if not isinstance(item, dict) or not isinstance(item.get("year"), int):
                raise ValidationError({"series_breaks": 'Each break is {"year": 2022, "note": "why"}.'})


class PupilGroup(models.Model):
    class Category(models.TextChoices):
        ALL = "all", "All pupils"
        DISADVANTAGE = "disadvantage", "Disadvantage"
        SEN = "sen", "Special educational needs"
        CARE = "care", "Children in care and in need"
        LANGUAGE = "language", "Language"
        GENDER = "gender", "Gender"
        ETHNICITY = "ethnicity", "Ethnicity"
        PRIOR = "prior", "Prior attainment"
        MOBILITY = "mobility", "Mobility"
        LOCAL = "local", "Local group"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=20, choices=Category.choices)
    comparison = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The group this group's gap is measured against.",
    )
    is_focus = models.BooleanField(default=True, help_text="A vulnerable group whose gap we watch.")
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


# --------------------------------------------------------------------------- organisations
class LocalAuthority(models.Model):
    code = models.CharField(max_length=3, unique=True, help_text="DfE LA code, e.g. 935.")
    name = models.CharField(max_length=120)
    region_code = models.CharField(max_length=9, blank=True, help_text="ONS region code, e.g. E12000006.")
    region_name = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self):
        return f"{self.name} ({self.code})"


class LocalThreshold(models.Model):
    """A threshold an LA sets for itself (floor standards were abolished in 2019): a school whose figure
    for the group is below it in that year is given the reason for challenge, with this name and date."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="thresholds")
    name = models.CharField(max_length=120, help_text='e.g. "Demoshire KS2 ambition 2025".')
    adopted_on = models.DateField(help_text="When the LA agreed it.")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="+")
    pupil_group = models.ForeignKey(
        PupilGroup, on_delete=models.PROTECT, related_name="+", help_text="Usually all pupils."
    )
    results_year = models.PositiveSmallIntegerField(help_text="The results year it applies to (2025 for 2024/25).")
    value = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        help_text="Below this (above it for lower-is-better measures) the school is given the reason.",
    )
    active = models.BooleanField(default=True, help_text="Untick to stop using it without deleting it.")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["la", "measure", "-results_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["la", "measure", "pupil_group", "results_year"], name="localthreshold_unique"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.measure.code}, {self.results_year}): {self.value}"

    def definition(self) -> str:
        """The threshold in words, as a reason's definition shows it."""
        word = "below" if self.measure.higher_is_better else "above"
        value = f"{float(self.value):g}{'%' if self.measure.is_percent else ''}"
        return (
            f"{self.name} (set by {self.la.name}, adopted {self.adopted_on.day} {self.adopted_on:%B %Y}): "
            f"{self.measure.short_name or self.measure.name} for {self.pupil_group.name.lower()} {word} {value} "
            f"in {AcademicYear.label_for(self.results_year)}"
        )


class Area(models.Model):
    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="areas")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["la", "name"], name="area_unique_name")]

    def __str__(self):
        return self.name


class Cluster(models.Model):
    """A cluster, pyramid, partnership or locality of schools."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="clusters")
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="clusters")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["la", "name"], name="cluster_unique_name")]

    def __str__(self):
        return self.name


class School(models.Model):
    class Phase(models.TextChoices):
        NURSERY = "nursery", "Nursery"
        PRIMARY = "primary", "Primary"
        MIDDLE = "middle", "Middle"
        SECONDARY = "secondary", "Secondary"
        ALL_THROUGH = "all_through", "All-through"
        SPECIAL = "special", "Special"
        PRU = "pru", "Pupil referral unit"
        POST16 = "post16", "16 plus"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    urn = models.PositiveIntegerField(unique=True, verbose_name="URN")
    la = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="schools")
    laestab = models.CharField(max_length=7, blank=True, verbose_name="LAESTAB")
    name = models.CharField(max_length=200)
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.PRIMARY)
    school_type = models.CharField(max_length=120, blank=True, verbose_name="type")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="schools")
    cluster = models.ForeignKey(Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="schools")
    number_on_roll = models.PositiveIntegerField(null=True, blank=True)
    fsm_percent = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True, verbose_name="FSM %")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["la", "status"]),
            models.Index(fields=["cluster"]),
            models.Index(fields=["area"]),
        ]

    def __str__(self):
        return f"{self.name} ({self.urn})"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("schools:school", args=[self.urn])

    @property
    def latest_inspection(self):
        inspections = getattr(self, "_prefetched_objects_cache", {}).get("inspections")
        if inspections is not None:
            return inspections[0] if inspections else None
        return self.inspections.first()


# Ofsted's school inspection frameworks, by date. Overall effectiveness grades were not given for inspections
# from 2 September 2024 (Ofsted, "School inspection handbook", September 2024); the renewed framework's report
# cards, graded per evaluation area on a 5-point scale, started on 10 November 2025 (Ofsted, "School inspection
# toolkit", November 2025).
OVERALL_GRADES_END = date(2024, 9, 2)
REPORT_CARDS_START = date(2025, 11, 10)


class OfstedInspection(models.Model):
    """One inspection. Graded inspections (education inspection framework, until 7 November 2025) carry an
    overall effectiveness grade only before 2 September 2024; report cards (from 10 November 2025) have no
    overall grade at all, only grades per evaluation area (:class:`OfstedJudgement`)."""

    class Framework(models.TextChoices):
        GRADED = "graded", "Graded inspection (1–4 scale, until November 2025)"
        REPORT_CARD = "report_card", "Report card (from November 2025)"

    class Grade(models.TextChoices):
        OUTSTANDING = "outstanding", "Outstanding"
        GOOD = "good", "Good"
        REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
        INADEQUATE = "inadequate", "Inadequate"
        EXCEPTIONAL = "exceptional", "Exceptional"
        STRONG = "strong", "Strong standard"
        EXPECTED = "expected", "Expected standard"
        NEEDS_ATTENTION = "needs_attention", "Needs attention"
        URGENT_IMPROVEMENT = "urgent_improvement", "Urgent improvement"
        MET = "met", "Met"
        NOT_MET = "not_met", "Not met"

    GRADED_SCALE = (Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE)
    REPORT_CARD_SCALE = (
        Grade.EXCEPTIONAL,
        Grade.STRONG,
        Grade.EXPECTED,
        Grade.NEEDS_ATTENTION,
        Grade.URGENT_IMPROVEMENT,
    )
    SAFEGUARDING_SCALE = (Grade.MET, Grade.NOT_MET)

    class Concern(models.TextChoices):
        NONE = "", "None"
        SPECIAL_MEASURES = "special_measures", "Special measures"
        SERIOUS_WEAKNESSES = "serious_weaknesses", "Serious weaknesses"
        NOTICE_TO_IMPROVE = "notice_to_improve", "Notice to improve"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="inspections")
    inspection_date = models.DateField()
    framework = models.CharField(max_length=20, choices=Framework.choices)
    grade = models.CharField(
        max_length=30,
        choices=Grade.choices,
        blank=True,
        default="",
        verbose_name="overall effectiveness",
        help_text="Graded inspections before 2 September 2024 only; report cards have no overall grade.",
    )
    category_of_concern = models.CharField(max_length=30, choices=Concern.choices, blank=True, default="")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-inspection_date"]
        constraints = [
            models.UniqueConstraint(fields=["school", "inspection_date"], name="inspection_unique_date"),
            models.CheckConstraint(
                condition=models.Q(grade="")
                | models.Q(
                    framework="graded",
                    inspection_date__lt=OVERALL_GRADES_END,
                    grade__in=["outstanding", "good", "requires_improvement", "inadequate"],
                ),
                name="inspection_overall_grade_until_sept_2024",
                violation_error_message="An overall effectiveness grade (1–4) belongs only to a graded inspection "
                "before 2 September 2024.",
            ),
            models.CheckConstraint(
                condition=models.Q(framework="graded", inspection_date__lt=REPORT_CARDS_START)
                | models.Q(framework="report_card", inspection_date__gte=REPORT_CARDS_START),
                name="inspection_framework_in_force",
                violation_error_message="Graded inspections ended on 7 November 2025; report cards began on "
                "10 November 2025.",
            ),
        ]

    def __str__(self):
        return f"{self.school.name}: {self.summary} ({self.inspection_date:%d %b %Y})"

    @property
    def summary(self) -> str:
        if self.grade:
            return self.get_grade_display()
        return "Report card" if self.framework == self.Framework.REPORT_CARD else "Graded, no overall grade"

    @property
    def grade_number(self) -> int | None:
        """1–4 on the graded scale; None without an overall grade (report cards are not comparable)."""
        if self.grade in self.GRADED_SCALE:
            return self.GRADED_SCALE.index(self.grade) + 1
        return None

    @classmethod
    def framework_on(cls, when: date) -> str:
        """The framework in force on a date."""
        return cls.Framework.REPORT_CARD if when >= REPORT_CARDS_START else cls.Framework.GRADED

    def clean(self):
        """Each date under its own rules (the check constraints say the same for bulk writes)."""
        errors = {}
        when, framework = self.inspection_date, self.framework
        if when and when > date.today():
            errors["inspection_date"] = "An inspection cannot be dated in the future."
        if when and framework:
            if framework == self.Framework.REPORT_CARD and when < REPORT_CARDS_START:
                errors["framework"] = (
                    f"Report cards began on {REPORT_CARDS_START:%-d %B %Y}; an inspection on "
                    f"{when:%-d %B %Y} was graded."
                )
            elif framework == self.Framework.GRADED and when >= REPORT_CARDS_START:
                errors["framework"] = (
                    f"Graded inspections ended in November 2025; an inspection on {when:%-d %B %Y} has a report card."
                )
        if self.grade:
            if framework == self.Framework.REPORT_CARD:
                errors["grade"] = "A report card has no overall grade: record a grade for each evaluation area."
            elif self.grade not in self.GRADED_SCALE:
                errors["grade"] = f"{self.get_grade_display()} is not a grade of the graded (1–4) scale."
            elif when and when >= OVERALL_GRADES_END:
                errors["grade"] = (
                    f"Ofsted gave no overall effectiveness grade for inspections from "
                    f"{OVERALL_GRADES_END:%-d %B %Y}: record the key judgements instead."
                )
        if errors:
            raise ValidationError(errors)


class OfstedJudgement(models.Model):
    """One graded area of an inspection: a key judgement (graded inspections, 1–4) or a report card's
    evaluation area (5-point scale; safeguarding is met or not met)."""

    class Area(models.TextChoices):
        # Education inspection framework (2019–2025) key judgements.
        QUALITY_OF_EDUCATION = "quality_of_education", "Quality of education"
        BEHAVIOUR_AND_ATTITUDES = "behaviour_and_attitudes", "Behaviour and attitudes"
        PERSONAL_DEVELOPMENT = "personal_development", "Personal development"
        LEADERSHIP_AND_MANAGEMENT = "leadership_and_management", "Leadership and management"
        EARLY_YEARS_PROVISION = "early_years_provision", "Early years provision"
        SIXTH_FORM_PROVISION = "sixth_form_provision", "Sixth-form provision"
        # Report card evaluation areas (from November 2025).
        INCLUSION = "inclusion", "Inclusion"
        CURRICULUM_AND_TEACHING = "curriculum_and_teaching", "Curriculum and teaching"
        ACHIEVEMENT = "achievement", "Achievement"
        ATTENDANCE_AND_BEHAVIOUR = "attendance_and_behaviour", "Attendance and behaviour"
        PERSONAL_DEVELOPMENT_AND_WELLBEING = "personal_development_and_wellbeing", "Personal development and well-being"
        EARLY_YEARS = "early_years", "Early years"
        SIXTH_FORM = "sixth_form", "Sixth form"
        LEADERSHIP_AND_GOVERNANCE = "leadership_and_governance", "Leadership and governance"
        SAFEGUARDING = "safeguarding", "Safeguarding"

    GRADED_AREAS = (
        Area.QUALITY_OF_EDUCATION,
        Area.BEHAVIOUR_AND_ATTITUDES,
        Area.PERSONAL_DEVELOPMENT,
        Area.LEADERSHIP_AND_MANAGEMENT,
        Area.EARLY_YEARS_PROVISION,
        Area.SIXTH_FORM_PROVISION,
    )
    REPORT_CARD_AREAS = (
        Area.INCLUSION,
        Area.CURRICULUM_AND_TEACHING,
        Area.ACHIEVEMENT,
        Area.ATTENDANCE_AND_BEHAVIOUR,
        Area.PERSONAL_DEVELOPMENT_AND_WELLBEING,
        Area.EARLY_YEARS,
        Area.SIXTH_FORM,
        Area.LEADERSHIP_AND_GOVERNANCE,
        Area.SAFEGUARDING,
    )

    inspection = models.ForeignKey(OfstedInspection, on_delete=models.CASCADE, related_name="judgements")
    area = models.CharField(max_length=40, choices=Area.choices)
    grade = models.CharField(max_length=30, choices=OfstedInspection.Grade.choices)

    class Meta:
        ordering = ["inspection", "id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "area"], name="judgement_unique_area")]

    def __str__(self):
        return f"{self.get_area_display()}: {self.get_grade_display()}"

    @property
    def order(self) -> int:
        areas = self.GRADED_AREAS + self.REPORT_CARD_AREAS
        return areas.index(self.area) if self.area in areas else len(areas)

    def allowed_grades(self) -> tuple:
        if self.area == self.Area.SAFEGUARDING:
            return OfstedInspection.SAFEGUARDING_SCALE
        if self.area in self.REPORT_CARD_AREAS:
            return OfstedInspection.REPORT_CARD_SCALE
        return OfstedInspection.GRADED_SCALE

    def clean(self):
        errors = {}
        inspection = self.inspection if self.inspection_id else None
        if inspection is not None and self.area:
            areas = (
                self.REPORT_CARD_AREAS
                if inspection.framework == OfstedInspection.Framework.REPORT_CARD
                else self.GRADED_AREAS
            )
            if self.area not in areas:
                errors["area"] = f"{self.get_area_display()} is not graded in a {inspection.get_framework_display()}."
        if self.area and self.grade and self.grade not in self.allowed_grades():
            names = ", ".join(OfstedInspection.Grade(g).label.lower() for g in self.allowed_grades())
            errors["grade"] = f"{self.get_area_display()} is graded {names}."
        if errors:
            raise ValidationError(errors)


# --------------------------------------------------------------------------- imports and results
class ImportBatch(models.Model):
    """One import: who, when, which file, what it did. Every result points to the batch that last wrote it."""

    class Format(models.TextChoices):
        REGISTER = "register", "School register (GIAS)"
        LONG = "long", "Attainment, long template"
        DFE_KS2 = "dfe-ks2", "DfE KS2 performance tables"
        DFE_KS4 = "dfe-ks4", "DfE KS4 performance tables"
        BENCHMARKS = "benchmarks", "Benchmarks, long template"
        LAIT = "lait", "LA-level gap measures (LAIT)"
        NEIGHBOURS = "neighbours", "Statistical neighbours"
        CENSUS = "census", "School context: census (performance tables)"
        ABSENCE = "absence", "School context: absence (performance tables)"
        SCHOOL_INFORMATION = "school-information", "School context: school information (performance tables)"
        DEMO = "demo", "Generated demo data"

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        COMMITTED = "committed", "Imported"
        FAILED = "failed", "Failed"
        ROLLED_BACK = "rolled_back", "Rolled back"

    created_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_batches"
    )
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    format = models.CharField(max_length=20, choices=Format.choices)
    results_year = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEWED)
    rows_read = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True, help_text="Why a batch ended as it did (e.g. cancelled after preview).")
    # Added by the import pipeline (issue 3): preview → confirm → (rollback).
    stored_file = models.CharField(
        max_length=255, blank=True, help_text="The upload kept under MEDIA_ROOT (a generated name) until confirmed."
    )
    problems = models.JSONField(default=list, blank=True, help_text="Errors and warnings: row, column, value, reason.")
    summary = models.JSONField(default=dict, blank=True, help_text="What the preview found: counts, new schools…")
    committed_at = models.DateTimeField(null=True, blank=True)
    rolled_back_at = models.DateTimeField(null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "import batches"

    def __str__(self):
        return f"{self.get_format_display()}: {self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_committed(self) -> bool:
        return self.status == self.Status.COMMITTED


class ImportChange(models.Model):
    """A row an import created or overwrote, with the values it replaced, so the batch can be rolled back.

    Results and benchmarks a batch *created* are found by their ``batch`` and need no row here; only the
    facts it *updated* (and the organisations it created or changed) are recorded.
    """

    class Kind(models.TextChoices):
        RESULT = "result", "Result"
        BENCHMARK = "benchmark", "Benchmark"
        SCHOOL = "school", "School"
        LA = "la", "Local authority"
        AREA = "area", "Area"
        CLUSTER = "cluster", "Cluster"
        NEIGHBOUR = "neighbour", "Statistical neighbour"
        INSPECTION = "inspection", "Ofsted inspection"
        CONTEXT = "context", "School context"

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=8, choices=Action.choices)
    previous = models.JSONField(null=True, blank=True, help_text="Field values before this batch wrote them.")
    previous_batch = models.ForeignKey(
        ImportBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="superseding_changes",
        help_text="The batch that had last written the row.",
    )

    class Meta:
        indexes = [models.Index(fields=["kind", "object_id"], name="importchange_kind_object")]

    def __str__(self):
        return f"{self.batch_id}: {self.action} {self.kind} {self.object_id}"


class DataStatus(models.TextChoices):
    PROVISIONAL = "provisional", "Provisional"
    REVISED = "revised", "Revised"
    FINAL = "final", "Final"


class FigureFields(models.Model):
    """The counts and published value shared by a school result and a benchmark."""

    results_year = models.PositiveSmallIntegerField(db_index=True)
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT)
    pupil_group = models.ForeignKey(PupilGroup, on_delete=models.PROTECT)
    cohort = models.PositiveIntegerField(null=True, blank=True, help_text="Pupils in the group.")
    achievers = models.PositiveIntegerField(
        null=True, blank=True, help_text="Pupils reaching the measure (percent measures)."
    )
    points = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="Total points (average-score measures)."
    )
    value = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True, help_text="The published value.")
    value_code = models.CharField(
        max_length=10, blank=True, default="", help_text="Why there is no value: SUPP, NE, x, c, z, low…"
    )
    status = models.CharField(max_length=12, choices=DataStatus.choices, default=DataStatus.FINAL)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True

    @property
    def computed_value(self) -> Decimal | None:
        """The value from the counts when we have them, else the published value."""
        if self.cohort:
            if self.achievers is not None:
                return Decimal(self.achievers) * 100 / Decimal(self.cohort)
            if self.points is not None:
                return Decimal(self.points) / Decimal(self.cohort)
        return self.value


class Result(FigureFields):
    """One school's figure for a results year × measure × pupil group."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="results")
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="results")

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "results_year", "measure", "pupil_group"], name="result_unique_fact"
            )
        ]
        indexes = [
            models.Index(fields=["results_year", "measure", "pupil_group"], name="result_year_measure_group"),
            # Covering index for the pooled GROUP BYs (selectors._aggregate): a page asks for a few measures ×
            # groups over many schools, so the scan starts at measure × group and never reads the table.
            models.Index(
                fields=[
                    "measure",
                    "pupil_group",
                    "results_year",
                    "school",
                    "cohort",
                    "achievers",
                    "points",
                    "value",
                    "value_code",
                    "status",
                ],
                name="result_figures_cover",
            ),
        ]

    def __str__(self):
        return f"{self.school_id} {self.results_year} {self.measure_id} {self.pupil_group_id}"


class Benchmark(FigureFields):
    """A figure for a geography: England, a region, an LA, or an LA's statistical neighbours."""

    class Kind(models.TextChoices):
        NATIONAL = "national", "England"
        REGION = "region", "Region"
        LA = "la", "Local authority"
        NEIGHBOURS = "neighbours", "Statistical neighbours (average)"

    NATIONAL_CODE = "E92000001"

    geography_code = models.CharField(max_length=20, help_text="E92000001 (England), a region code, or an LA code.")
    geography_name = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="benchmarks")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["geography_code", "results_year", "measure", "pupil_group"], name="benchmark_unique_fact"
            )
        ]
        indexes = [models.Index(fields=["kind", "results_year"], name="benchmark_kind_year")]

    def __str__(self):
        return f"{self.geography_code} {self.results_year} {self.measure_id} {self.pupil_group_id}"


class SchoolContext(models.Model):
    """A school's context in one academic year, from a companion file of the DfE's performance tables: the
    spring census (pupils on roll, FSM, SEN, EAL), absence (whole school) or the school information file.

    One row per school × year × source, so each file's import (and rollback) touches only its own figures.
    A figure the file gives as a marker (``NA``, ``SUPP``…) is null here with its marker in ``markers``.
    """

    class Source(models.TextChoices):
        CENSUS = "census", "School census"
        ABSENCE = "absence", "Absence"
        INFORMATION = "information", "School information"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="contexts")
    results_year = models.PositiveSmallIntegerField(help_text="The academic year's results year (2023 for 2022/23).")
    source = models.CharField(max_length=12, choices=Source.choices)
    # Census (NOR, NUMFSM, PNUMFSMEVER, PSENELK, PSENELSE, PNUMEAL).
    number_on_roll = models.PositiveIntegerField(null=True, blank=True)
    fsm_pupils = models.PositiveIntegerField(null=True, blank=True, help_text="Pupils eligible for FSM (NUMFSM).")
    fsm6_percent = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="% eligible for FSM at any time in the past 6 years (PNUMFSMEVER).",
    )
    sen_support_percent = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    ehcp_percent = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    eal_percent = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    # Absence, whole school, full academic year (PERCTOT, PPERSABS10).
    overall_absence_percent = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    persistent_absence_percent = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    # School information.
    school_type = models.CharField(max_length=120, blank=True)
    age_range = models.CharField(max_length=20, blank=True)
    gender = models.CharField(max_length=40, blank=True)
    religious_character = models.CharField(max_length=120, blank=True)
    admissions_policy = models.CharField(max_length=80, blank=True)
    markers = models.JSONField(default=dict, blank=True, help_text="Field → marker for figures not published.")
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="contexts")

    class Meta:
        ordering = ["-results_year", "source"]
        constraints = [
            models.UniqueConstraint(fields=["school", "results_year", "source"], name="school_context_unique")
        ]

    def __str__(self):
        return f"{self.school_id} {self.results_year} {self.source}"

    @property
    def year_label(self) -> str:
        return AcademicYear.label_for(self.results_year)


class StatisticalNeighbour(models.Model):
    """DfE children's services statistical neighbours: an LA's ten nearest LAs."""

    la_code = models.CharField(max_length=3, db_index=True)
    neighbour_code = models.CharField(max_length=3)
    rank = models.PositiveSmallIntegerField()
    closeness = models.CharField(max_length=40, blank=True)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["la_code", "rank"]
        constraints = [models.UniqueConstraint(fields=["la_code", "rank"], name="neighbour_unique_rank")]

    def __str__(self):
        return f"{self.la_code} → {self.neighbour_code} (#{self.rank})"


# --------------------------------------------------------------------------- people
class Profile(models.Model):
    """What a user is scoped to. Roles are Django groups (see ``schools.roles``)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    la = models.ForeignKey(LocalAuthority, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    school = models.ForeignKey(
        School,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A headteacher's school.",
    )
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cluster = models.ForeignKey(Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    schools = models.ManyToManyField(
        School, blank=True, related_name="advisers", help_text="An adviser's assigned schools."
    )
    job_title = models.CharField(max_length=120, blank=True)

    def __str__(self):
        return f"Profile of {self.user}"


# --------------------------------------------------------------------------- cache invalidation
class DataVersion(models.Model):
    """One row whose counter goes up after every committed write that changes a figure or where a school sits
    (its LA, area, cluster, status), in any process. Each process's figure cache (``schools.figure_cache``)
    reads it once a request and drops figures pooled under an older counter."""

    counter = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "data version"

    def __str__(self):
        return f"data version {self.counter}"
