"""The strategy demo's visit reports: the adviser's and the officer's, two of them quality-assured."""

from __future__ import annotations

from datetime import date, timedelta

from .. import services
from ..models import SEVEN_FEATURES, Rag, Strand, VisitReport
from .setting import Setting

FEATURE_NAMES = [name for name, _ in SEVEN_FEATURES]


def write_visits(setting: Setting) -> list:
    """Visit reports by the adviser and the officer, two of them quality-assured."""
    last, officer, adviser, primaries, head_school, adviser_schools = (
        setting.last,
        setting.officer,
        setting.adviser,
        setting.primaries,
        setting.head_school,
        setting.adviser_schools,
    )
    visits = []
    if adviser is not None:
        plans = [
            (
                adviser,
                adviser_schools[0] if adviser_schools else primaries[0],
                date(last + 1, 10, 7),
                VisitReport.VisitType.TERMLY,
            ),
            (
                adviser,
                adviser_schools[1] if len(adviser_schools) > 1 else primaries[-1],
                date(last + 1, 10, 21),
                VisitReport.VisitType.PUPIL_PREMIUM,
            ),
        ]
        if officer is not None:
            plans.append((officer, head_school, date(last + 1, 11, 12), VisitReport.VisitType.KIT))
        for visitor, school, when, visit_type in plans:
            visits.append(make_visit(visitor, school, when, visit_type))
    if officer is not None and visits:
        services.quality_assure_visit(
            report=visits[0],
            reviewer=officer,
            on=date(last + 1, 10, 20),
            features=dict.fromkeys(FEATURE_NAMES, True),
            comment="A model report: clear agenda for action with timescales.",
        )
        if len(visits) > 1:
            services.quality_assure_visit(
                report=visits[1],
                reviewer=officer,
                on=date(last + 1, 11, 2),
                features={name: name not in ("challenge", "feeds_risk_register") for name in FEATURE_NAMES},
                comment="Record the challenge given and send the risk rating to the register.",
            )
    # The head's report is left unacknowledged, for the head to acknowledge in the demo.
    return visits


def make_visit(visitor, school, when, visit_type):
    existing = VisitReport.objects.filter(school=school, adviser=visitor, visit_date=when).first()
    if existing:
        return existing
    return services.record_visit(
        adviser=visitor,
        school=school,
        visit_date=when,
        visit_type=visit_type,
        purpose="Review the progress of disadvantaged pupils and pupils with SEN against the school's gap plan.",
        strengths="Leaders know which pupils are behind and why; tracking is half-termly.",
        areas_for_development="Interventions are not yet evaluated for impact; governors need sharper gap reports.",
        next_visit_date=when + timedelta(days=84),
        judgements=[
            ("Knowing the gaps", Rag.GREEN, "Gaps analysed by group and year."),
            ("Impact of interventions", Rag.AMBER, "Too early to see impact in attainment."),
            ("Use of the pupil premium", Rag.AMBER_GREEN, "Spending linked to needs; report to parents due."),
        ],
        agreed_actions=[
            services.AgreedAction(text, strand, lead, when + timedelta(days=days), outcome)
            for text, strand, lead, days, outcome in (
                (
                    "Evaluate the impact of each intervention at the end of the half term",
                    Strand.MIND,
                    "Deputy headteacher",
                    42,
                    "Ineffective interventions are changed quickly",
                ),
                (
                    "Report the disadvantaged gap to governors each term",
                    Strand.KNOW,
                    "Headteacher",
                    70,
                    "Governors challenge the school on the gap",
                ),
            )
        ],
    )
