"""The framework's words: phases, the four grades (1 = best), the dashboard's key."""

from __future__ import annotations

from django.db import models


class Phase(models.TextChoices):
    EARLY_YEARS = "EY", "Early Years"
    PRIMARY = "PRI", "Primary"
    SECONDARY = "SEC", "Secondary"


PHASE_ORDER = [Phase.EARLY_YEARS, Phase.PRIMARY, Phase.SECONDARY]


class Grade(models.TextChoices):
    """The four descriptor columns, best first. 'RAG' in the document means these four, not three colours."""

    OUTSTANDING = "OS", "Outstanding"
    GOOD = "G", "Good"
    SOME_IMPROVEMENT = "NI", "Requires some improvement"
    SIGNIFICANT_IMPROVEMENT = "SI", "Requires significant improvement"


GRADE_ORDER = [Grade.OUTSTANDING, Grade.GOOD, Grade.SOME_IMPROVEMENT, Grade.SIGNIFICANT_IMPROVEMENT]
# 1 = best, as in the document's Appendix 5 grade scores. Never treat a higher number as better.
GRADE_RANK = {grade.value: index + 1 for index, grade in enumerate(GRADE_ORDER)}
# The dashboard's own words: the key and the "overall" rows use these.
DASHBOARD_KEY = {
    "OS": "Outstanding",
    "G": "Good",
    "NI": "Needs improvement",
    "SI": "Significant improvement needed",
}
OVERALL_WORDS = {
    "OS": "Outstanding",
    "G": "Good",
    "NI": "Needs some improvement",
    "SI": "Significant improvement needed",
}
NOT_APPLICABLE = "N/A"


def grade_label(code: str) -> str:
    return dict(Grade.choices).get(code, "Not yet rated")


def grade_worse(code: str) -> str | None:
    rank = GRADE_RANK[code]
    return GRADE_ORDER[rank].value if rank < len(GRADE_ORDER) else None
