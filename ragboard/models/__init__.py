"""Self-evaluation against the LA quality standards (DCSF quality standards (2009)) and the strategic plan
board (Cheshire East, Raising Achievement Strategic Plan).

The framework (key ratings, sets 1.1–2.5, quality standards, four-column descriptors with
critical criteria and rule parameters) is data, loaded from ``fixtures/quality_standards_*.json``
and versioned, so a newer framework loads without code changes. A round holds one judgement
per set × phase with the LA's grade and the reviewer's grade side by side; ``ragboard.rules``
checks a grade against the document's rules and says why.
"""

from .board import PLAN_RAG_LETTERS, PlanRag, PriorityArea, StrategicTarget, Workstream
from .evaluation import Judgement, OverallRating, Round
from .evidence import EVIDENCE_EXTENSIONS, EvidenceItem, evidence_upload_to
from .standards import Descriptor, Framework, KeyRating, QualityStandard, StandardSet
from .vocabulary import (
    DASHBOARD_KEY,
    GRADE_ORDER,
    GRADE_RANK,
    NOT_APPLICABLE,
    OVERALL_WORDS,
    PHASE_ORDER,
    Grade,
    Phase,
    grade_label,
    grade_worse,
)

__all__ = [
    "DASHBOARD_KEY",
    "EVIDENCE_EXTENSIONS",
    "GRADE_ORDER",
    "GRADE_RANK",
    "NOT_APPLICABLE",
    "OVERALL_WORDS",
    "PHASE_ORDER",
    "PLAN_RAG_LETTERS",
    "Descriptor",
    "EvidenceItem",
    "Framework",
    "Grade",
    "Judgement",
    "KeyRating",
    "OverallRating",
    "Phase",
    "PlanRag",
    "PriorityArea",
    "QualityStandard",
    "Round",
    "StandardSet",
    "StrategicTarget",
    "Workstream",
    "evidence_upload_to",
    "grade_label",
    "grade_worse",
]
