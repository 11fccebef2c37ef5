"""Ofsted judgements by area; overall grades only before 2 September 2024.

Rows that break the rules of their date lose the grade they cannot have, which is kept in ``notes``, before
the check constraints are added."""

import datetime

import django.db.models.deletion
from django.db import migrations, models

OVERALL_GRADES_END = datetime.date(2024, 9, 2)
REPORT_CARDS_START = datetime.date(2025, 11, 10)
GRADED_SCALE = ("outstanding", "good", "requires_improvement", "inadequate")


def keep_rules_of_the_date(apps, schema_editor):
    Inspection = apps.get_model("schools", "OfstedInspection")
    for inspection in Inspection.objects.all():
        when, notes = inspection.inspection_date, []
        framework = "report_card" if when >= REPORT_CARDS_START else "graded"
        if inspection.framework != framework:
            notes.append(
                f"Recorded as framework {inspection.framework!r}; the framework in force on that date "
                f"was {framework!r}."
            )
        grade = inspection.grade
        if grade and (framework == "report_card" or when >= OVERALL_GRADES_END or grade not in GRADED_SCALE):
            notes.append(
                f"Recorded with the overall grade {grade!r}, which Ofsted did not give on that date; "
                f"record the grades per area instead."
            )
            grade = ""
        if notes:
            inspection.framework, inspection.grade = framework, grade
            inspection.notes = "\n".join(filter(None, [inspection.notes, *notes]))
            inspection.save(update_fields=["framework", "grade", "notes"])


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0009_data_version"),
    ]

    operations = [
        migrations.CreateModel(
            name="OfstedJudgement",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "area",
                    models.CharField(
                        choices=[
                            ("quality_of_education", "Quality of education"),
                            ("behaviour_and_attitudes", "Behaviour and attitudes"),
                            ("personal_development", "Personal development"),
                            ("leadership_and_management", "Leadership and management"),
                            ("early_years_provision", "Early years provision"),
                            ("sixth_form_provision", "Sixth-form provision"),
                            ("inclusion", "Inclusion"),
                            ("curriculum_and_teaching", "Curriculum and teaching"),
                            ("achievement", "Achievement"),
                            ("attendance_and_behaviour", "Attendance and behaviour"),
                            ("personal_development_and_wellbeing", "Personal development and well-being"),
                            ("early_years", "Early years"),
                            ("sixth_form", "Sixth form"),
                            ("leadership_and_governance", "Leadership and governance"),
                            ("safeguarding", "Safeguarding"),
                        ],
                        max_length=40,
                    ),
                ),
                (
                    "grade",
                    models.CharField(
                        choices=[
                            ("outstanding", "Outstanding"),
                            ("good", "Good"),
                            ("requires_improvement", "Requires improvement"),
                            ("inadequate", "Inadequate"),
                            ("exceptional", "Exceptional"),
                            ("strong", "Strong standard"),
                            ("expected", "Expected standard"),
                            ("needs_attention", "Needs attention"),
                            ("urgent_improvement", "Urgent improvement"),
                            ("met", "Met"),
                            ("not_met", "Not met"),
                        ],
                        max_length=30,
                    ),
                ),
            ],
            options={
                "ordering": ["inspection", "id"],
            },
        ),
        migrations.AddField(
            model_name="ofstedinspection",
            name="notes",
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name="ofstedinspection",
            name="framework",
            field=models.CharField(
                choices=[
                    ("graded", "Graded inspection (1–4 scale, until November 2025)"),
                    ("report_card", "Report card (from November 2025)"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="ofstedinspection",
            name="grade",
            field=models.CharField(
                blank=True,
                choices=[
                    ("outstanding", "Outstanding"),
                    ("good", "Good"),
                    ("requires_improvement", "Requires improvement"),
                    ("inadequate", "Inadequate"),
                    ("exceptional", "Exceptional"),
                    ("strong", "Strong standard"),
                    ("expected", "Expected standard"),
                    ("needs_attention", "Needs attention"),
                    ("urgent_improvement", "Urgent improvement"),
                    ("met", "Met"),
                    ("not_met", "Not met"),
                ],
                default="",
                help_text="Graded inspections before 2 September 2024 only; report cards have no overall grade.",
                max_length=30,
                verbose_name="overall effectiveness",
            ),
        ),
        migrations.RunPython(keep_rules_of_the_date, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="ofstedinspection",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("grade", ""),
                    models.Q(
                        ("framework", "graded"),
                        ("grade__in", ["outstanding", "good", "requires_improvement", "inadequate"]),
                        ("inspection_date__lt", datetime.date(2024, 9, 2)),
                    ),
                    _connector="OR",
                ),
                name="inspection_overall_grade_until_sept_2024",
                violation_error_message="An overall effectiveness grade (1–4) belongs only to a graded inspection before 2 September 2024.",
            ),
        ),
        migrations.AddConstraint(
            model_name="ofstedinspection",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("framework", "graded"), ("inspection_date__lt", datetime.date(2025, 11, 10))),
                    models.Q(("framework", "report_card"), ("inspection_date__gte", datetime.date(2025, 11, 10))),
                    _connector="OR",
                ),
                name="inspection_framework_in_force",
                violation_error_message="Graded inspections ended on 7 November 2025; report cards began on 10 November 2025.",
            ),
        ),
        migrations.AddField(
            model_name="ofstedjudgement",
            name="inspection",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="judgements", to="schools.ofstedinspection"
            ),
        ),
        migrations.AddConstraint(
            model_name="ofstedjudgement",
            constraint=models.UniqueConstraint(fields=("inspection", "area"), name="judgement_unique_area"),
        ),
    ]
