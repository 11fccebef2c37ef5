"""The demo LA's region and statistical neighbours, so its overview can set the LA beside England, its region
and its neighbours as an LA's own would (DfE LA tables; children's services statistical neighbours). Each is
England's published figure for the headline measures and groups moved by a small, seeded amount: believable,
not real. Run again, the same figures (the rows are upserted)."""

from __future__ import annotations

import numpy as np

from ..models import Benchmark, DataStatus, StatisticalNeighbour

GROUPS = ("all", "disadvantaged", "not_disadvantaged")
NEIGHBOURS = 10
# A spread in the measure's own unit: percentage points, Attainment 8 points, Progress 8 points.
SPREAD = {"percent": 2.0, "average": 1.5, "progress": 0.08}


def _spread(measure) -> float:
    if measure.value_added:
        return SPREAD["progress"]
    return SPREAD["percent"] if measure.is_percent else SPREAD["average"]


def region_and_neighbours(la, result_years, batch, rng: np.random.Generator) -> int:
    """Region and neighbour benchmarks for the headline measures; returns the number of rows written."""
    codes = [f"D{n:02d}" for n in range(1, NEIGHBOURS + 1)]
    for rank, code in enumerate(codes, start=1):
        StatisticalNeighbour.objects.update_or_create(
            la_code=la.code, rank=rank, defaults={"neighbour_code": code, "closeness": "Demo", "batch": batch}
        )
    england = Benchmark.objects.filter(
        geography_code=Benchmark.NATIONAL_CODE,
        results_year__in=result_years,
        measure__headline=True,
        pupil_group__code__in=GROUPS,
        value__isnull=False,
    ).select_related("measure", "pupil_group")
    geographies = [(la.region_code, la.region_name or la.region_code, Benchmark.Kind.REGION)] + [
        (code, f"Demo neighbour {n}", Benchmark.Kind.LA) for n, code in enumerate(codes, start=1)
    ]
    offsets = {geo: rng.normal(0, 1) for geo, _n, _k in geographies}  # each place a little better or worse
    rows = []
    for figure in england.order_by("results_year", "measure__code", "pupil_group__code"):
        spread = _spread(figure.measure)
        lower_is_better = not figure.measure.higher_is_better
        for code, name, kind in geographies:
            shift = (offsets[code] + rng.normal(0, 0.3)) * spread
            if figure.pupil_group.code == "disadvantaged":
                shift -= 0.3 * spread  # the disadvantaged gap a little wider than England's, as in many LAs
            value = float(figure.value) + (-shift if lower_is_better else shift)
            if figure.measure.is_percent:
                value = min(100.0, max(0.0, value))
            rows.append(
                Benchmark(
                    geography_code=code,
                    geography_name=name,
                    kind=kind,
                    results_year=figure.results_year,
                    measure=figure.measure,
                    pupil_group=figure.pupil_group,
                    value=round(value, 2),
                    status=DataStatus.FINAL,
                    batch=batch,
                )
            )
    Benchmark.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["geography_code", "results_year", "measure", "pupil_group"],
        update_fields=["value", "status", "batch", "geography_name", "kind"],
    )
    return len(rows)
