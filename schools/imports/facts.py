"""Facts (one figure for a school or geography × year × measure × group): the frame every parser ends in.

Every format parser ends in the same frame of facts (``FACT_COLUMNS``); :mod:`.validating` checks it (all
rows, all errors), :mod:`.comparing` works out what would be created, updated or left alone by comparing with
the database in a few bulk queries, and :mod:`.fact_writes` writes it with bulk inserts and one bulk update.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..models import Measure, PupilGroup, School

RESULT, BENCHMARK = "result", "benchmark"
NUMBER_FIELDS = ("cohort", "achievers", "points", "value")
# Where a benchmark is (a school's fact has its URN instead), and which figure a fact is.
GEOGRAPHY_FIELDS = ("geography_code", "geography_name", "kind")
KEY_COLUMNS = ("results_year", "measure", "pupil_group")
FACT_COLUMNS = ["target", "urn", *GEOGRAPHY_FIELDS, *KEY_COLUMNS, *NUMBER_FIELDS, "value_code", "status", "row"]


def empty_facts() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in FACT_COLUMNS})


@dataclass
class Reference:
    """Measures and pupil groups by code, loaded once per import."""

    measures: dict[str, Measure]
    groups: dict[str, PupilGroup]

    @classmethod
    def load(cls) -> Reference:
        return cls(
            measures={m.code: m for m in Measure.objects.all()}, groups={g.code: g for g in PupilGroup.objects.all()}
        )


def school_id_map(urns) -> dict[int, int]:
    # Each distinct URN once: a national file's facts name 16,500 schools two million times.
    urns = sorted({int(u) for u in set(urns) if u is not None and not pd.isna(u)})
    out = {}
    for start in range(0, len(urns), 5000):
        out.update(School.objects.filter(urn__in=urns[start : start + 5000]).values_list("urn", "id"))
    return out
