"""Turning the numbers into work: gap action plans (Know / Narrow / Mind / Celebrate: Suffolk, Narrowing the
Gap, sections 8–12 and Appendix 1), RAG-rated progress updates (Cheshire East's five points), targets whose
status is computed from the imported results (Cambridgeshire's success criteria and milestones), SIP visit
reports with a gap snapshot and quality assurance against the seven features of DCSF quality standard 2.4,
success stories and school-to-school support engagements (National College (2011)). Sources: docs/sources.md.

Every model that holds a judgement or plan content keeps its history (simple-history)."""

from .celebrate import SuccessStory
from .plans import Action, ActionUpdate, Plan
from .support import SupportEngagement
from .targets import Milestone, Target
from .visits import SEVEN_FEATURES, VisitJudgement, VisitQualityAssurance, VisitReport
from .vocabulary import RAG_ORDER, Rag, Strand, year_label

__all__ = [
    "RAG_ORDER",
    "SEVEN_FEATURES",
    "Action",
    "ActionUpdate",
    "Milestone",
    "Plan",
    "Rag",
    "Strand",
    "SuccessStory",
    "SupportEngagement",
    "Target",
    "VisitJudgement",
    "VisitQualityAssurance",
    "VisitReport",
    "year_label",
]
