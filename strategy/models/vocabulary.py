"""The words plans and updates share: the four strands, the five-point RAG, a year's label."""

from __future__ import annotations

from django.db import models

from schools.models import AcademicYear


class Strand(models.TextChoices):
    """The four strands of Suffolk, Narrowing the Gap, section 8."""

    KNOW = "know", "Know the gaps"
    NARROW = "narrow", "Narrow the gaps"
    MIND = "mind", "Mind the gaps"
    CELEBRATE = "celebrate", "Celebrate gap busting"


class Rag(models.TextChoices):
    """Cheshire East's five-point rating (Raising Achievement Strategic Plan). Values double as CSS classes
    (``rag-<value>``)."""

    RED = "red", "Red"
    AMBER_RED = "amber-red", "Amber/Red"
    AMBER = "amber", "Amber"
    AMBER_GREEN = "amber-green", "Amber/Green"
    GREEN = "green", "Green"


RAG_ORDER = [Rag.RED, Rag.AMBER_RED, Rag.AMBER, Rag.AMBER_GREEN, Rag.GREEN]


def year_label(results_year: int | None) -> str:
    return AcademicYear.label_for(results_year) if results_year else "–"
