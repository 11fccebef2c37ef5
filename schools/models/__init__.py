"""Organisations, reference data (years, measures, pupil groups), results and imports.

Results keep counts (cohort, achievers, total points), not only percentages, so
every figure above school level can be pooled. A published figure that is not a
number keeps its marker (``SUPP``, ``NE``, ``x``…) in ``value_code``: missing is
never zero.

One module per idea; every model is importable from ``schools.models``.
"""

from .batches import ImportBatch, ImportChange
from .inspections import OVERALL_GRADES_END, REPORT_CARDS_START, OfstedInspection, OfstedJudgement
from .judgements import JudgementSet, SchoolJudgement
from .organisations import Area, Cluster, LocalAuthority, LocalThreshold, School
from .people import Profile
from .pooled import PooledFigure
from .reference import AcademicYear, KeyStage, Measure, PupilGroup
from .results import Benchmark, DataStatus, FigureFields, Result, SchoolContext, StatisticalNeighbour

__all__ = [
    "OVERALL_GRADES_END",
    "REPORT_CARDS_START",
    "AcademicYear",
    "Area",
    "Benchmark",
    "Cluster",
    "DataStatus",
    "FigureFields",
    "ImportBatch",
    "ImportChange",
    "JudgementSet",
    "KeyStage",
    "LocalAuthority",
    "LocalThreshold",
    "Measure",
    "OfstedInspection",
    "OfstedJudgement",
    "PooledFigure",
    "Profile",
    "PupilGroup",
    "Result",
    "School",
    "SchoolJudgement",
    "SchoolContext",
    "StatisticalNeighbour",
]
