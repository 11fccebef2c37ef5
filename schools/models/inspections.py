"""Ofsted inspections and their judgements per evaluation area."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models

from .organisations import School

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
