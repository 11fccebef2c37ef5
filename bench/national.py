"""The national benchmark dataset: ~150 LAs and ~20,000 schools, as a regional or national deployment holds.

The demo LA (``schools.demo.generate``: Demoshire, its users, England's figures) is one of them, at LA size, so
its pages can be set beside the LA-size run; the others are written in bulk: areas, clusters (a secondary and
its feeder primaries), schools, every headline measure × all / disadvantaged / other pupils × 5 results years
(simulated pupil by pupil with the demo's model), each LA's published figure (its pooled figure with the pupils
of suppressed school rows added, as the DfE's LA rows count every pupil), its region's and its ten statistical
neighbours, and a national officer who sees every LA. The pooled-figure table is rebuilt once at the end.
"""

from __future__ import annotations

import hashlib
import time

import numpy as np

NATIONAL = dict(las=150, schools=20_000, demo_schools=500, years=5, seed=9)
REGIONS = [
    ("E12000001", "North East"),
    ("E12000002", "North West"),
    ("E12000003", "Yorkshire and The Humber"),
    ("E12000004", "East Midlands"),
    ("E12000005", "West Midlands"),
    ("E12000006", "East of England"),
    ("E12000007", "London"),
    ("E12000008", "South East"),
    ("E12000009", "South West"),
]
CHUNK_SCHOOLS = 2000  # schools simulated and written at a time (bounded memory)


def marker(params: dict) -> str:
    return "bench national " + " ".join(f"{k}={v}" for k, v in sorted(params.items()))


def ready(params: dict | None = None) -> bool:
    params = NATIONAL if params is None else params
    from schools.models import ImportBatch

    return ImportBatch.objects.filter(file_name=marker(params), status=ImportBatch.Status.COMMITTED).exists()


def _la_sizes(rng, las: int, schools: int) -> list[int]:
    """School counts per LA: log-normal (a few large county LAs, many small unitaries), at least 20 each."""
    raw = rng.lognormal(0.0, 0.6, las)
    sizes = np.maximum(20, np.round(raw / raw.sum() * schools)).astype(int)
    sizes[-1] += schools - sizes.sum()
    return [int(s) for s in sizes]


def build(params: dict | None = None, log=print) -> dict:
    from django.db import transaction

    from schools import aggregates, demo
    from schools.models import ImportBatch, JudgementSet, Measure

    params = NATIONAL if params is None else params
    if ready(params):
        return {"built": False, "seconds": 0.0}
    started = time.perf_counter()
    headline = list(Measure.objects.filter(headline=True).values_list("code", flat=True))
    log(f"  building the national dataset ({params}) …")
    demo.generate(
        schools=params["demo_schools"],
        years=params["years"],
        seed=params["seed"],
        headline_only=True,
        measure_codes=headline,
    )
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            format=ImportBatch.Format.DEMO,
            file_name=marker(params),
            sha256=hashlib.sha256(marker(params).encode()).hexdigest(),
            status=ImportBatch.Status.PREVIEWED,
        )
        stats = _other_las(params, batch, headline, log)
        _published_and_neighbours(batch)  # pools every organisation (``aggregates.rebuild``) first
        aggregates.repool_published()  # the LAs' published rows, from the benchmarks just written
        JudgementSet.forget()
        batch.status = ImportBatch.Status.COMMITTED
        batch.rows_read = stats["results"]
        batch.save(update_fields=["status", "rows_read"])
    seconds = time.perf_counter() - started
    log(f"  built in {seconds:.0f} s: {stats}")
    return {"built": True, "seconds": round(seconds, 1), **stats}


def _other_las(params: dict, batch, headline: list[str], log) -> dict:
    """Every LA but the demo's: organisations in bulk, then results a chunk of schools at a time."""
    from schools.demo import published_years
    from schools.demo.figures import write_results
    from schools.demo.names import AREA_NAMES, HEADLINE_GROUP_CODES, town_name
    from schools.demo.simulation import MODEL
    from schools.models import Area, Cluster, LocalAuthority, Measure, PupilGroup, School

    rng = np.random.default_rng([params["seed"], 150])
    others = params["las"] - 1
    sizes = _la_sizes(rng, others, params["schools"] - params["demo_schools"])
    las = []
    for index in range(len(sizes)):
        code = str(801 + index)
        region = REGIONS[index % len(REGIONS)]
        las.append(LocalAuthority(code=code, name=f"Benchshire {code}", region_code=region[0], region_name=region[1]))
    LocalAuthority.objects.bulk_create(las, batch_size=1000)
    las = list(LocalAuthority.objects.filter(code__in=[la.code for la in las]).order_by("code"))
    areas = []
    for la, size in zip(las, sizes, strict=True):
        areas += [Area(la=la, name=name) for name in AREA_NAMES[: max(3, min(len(AREA_NAMES), size // 40 + 3))]]
    Area.objects.bulk_create(areas, batch_size=2000)
    areas_of: dict[int, list] = {}
    for area in Area.objects.filter(la__in=las).order_by("pk"):
        areas_of.setdefault(area.la_id, []).append(area)
    clusters = []
    for la, size in zip(las, sizes, strict=True):
        for index in range(max(1, round(size * 0.14))):
            clusters.append(Cluster(la=la, name=f"{town_name(index)} pyramid", area=areas_of[la.pk][index % 3]))
    Cluster.objects.bulk_create(clusters, batch_size=2000)
    clusters_of: dict[int, list] = {}
    for cluster in Cluster.objects.filter(la__in=las).order_by("pk"):
        clusters_of.setdefault(cluster.la_id, []).append(cluster)
    schools, rows = [], []
    urn = 100_000
    for la, size in zip(las, sizes, strict=True):
        pyramids = clusters_of[la.pk]
        for index in range(size):
            phase = "secondary" if index < len(pyramids) else ("special" if index % 25 == 0 else "primary")
            cluster = pyramids[index % len(pyramids)]
            roll = int(rng.integers(650, 1500)) if phase == "secondary" else int(rng.integers(60, 480))
            fsm = float(np.clip(rng.gamma(4.0, 4.5), 2.0, 65.0))
            urn += 1
            schools.append(
                School(
                    urn=urn,
                    la=la,
                    laestab=f"{la.code}{index + 2000:04d}",
                    name=f"{cluster.name.removesuffix(' pyramid')} {phase.title()} School {index + 1}",
                    phase=phase,
                    status=School.Status.OPEN,
                    area_id=cluster.area_id,
                    cluster=cluster,
                    number_on_roll=roll,
                    fsm_percent=round(fsm, 1),
                )
            )
            rows.append((urn, phase, roll, fsm))
    School.objects.bulk_create(schools, batch_size=2000)
    by_urn = {s.urn: s for s in School.objects.filter(la__in=las)}
    schools = [by_urn[row[0]] for row in rows]
    measures = {m.code: m for m in Measure.objects.all()}
    groups = {g.code: g for g in PupilGroup.objects.filter(code__in=HEADLINE_GROUP_CODES)}
    model = {code: spec for code, spec in MODEL.items() if code in set(headline)}
    years = published_years(params["years"])
    results = 0
    for start in range(0, len(schools), CHUNK_SCHOOLS):
        chunk = slice(start, start + CHUNK_SCHOOLS)
        results += write_results(
            schools[chunk],
            rows[chunk],
            years,
            measures,
            groups,
            HEADLINE_GROUP_CODES,
            batch,
            np.random.default_rng([params["seed"], start]),
            model,
        )
        log(f"    {min(start + CHUNK_SCHOOLS, len(schools)):,} of {len(schools):,} schools, {results:,} results")
    return {"las": len(las) + 1, "schools": len(schools) + params["demo_schools"], "results": results}


def _published_and_neighbours(batch) -> None:
    """Each LA's published figure from its pooled one (every pupil counted, as in the DfE's LA rows: the
    pupils of suppressed school rows added to the cohort), its region's, and its ten statistical neighbours
    (the LAs nearest to it by disadvantaged share, as the DfE's model groups LAs of like context)."""
    from django.db.models import Avg

    from schools import aggregates
    from schools.figures import la_figures
    from schools.models import Benchmark, DataStatus, LocalAuthority, Measure, PupilGroup, School, StatisticalNeighbour

    aggregates.rebuild()
    las = {la.pk: la for la in LocalAuthority.objects.all()}
    rows = []
    region_sums: dict[tuple, list] = {}
    found = la_figures(list(las), measures=None, groups=None, years=None)  # the pooled LA figures just rebuilt
    extra = {key: int(figure.cohort * 0.02) for key, figure in found.items() if figure.cohort}
    for key in [k for k in extra if k[3] == "all"]:  # every pupil is disadvantaged or not: the parts add up
        extra[key] = sum(extra.get((*key[:3], part), 0) for part in ("disadvantaged", "not_disadvantaged"))
    for (la_id, year, code, group), figure in found.items():
        la = las[la_id]
        if figure.value is None or not figure.cohort or la.code.endswith("3"):
            continue  # one LA in ten has no published figure here: its page pools its schools' rows
        cohort = figure.cohort + extra[(la_id, year, code, group)]
        value = round(figure.value, 0 if figure.value > 10 else 2)
        rows.append((la.code, la.name, Benchmark.Kind.LA, year, code, group, cohort, value))
        sums = region_sums.setdefault((la.region_code, la.region_name, year, code, group), [0, 0.0])
        sums[0] += cohort
        sums[1] += value * cohort
    for (region, name, year, code, group), (cohort, total) in region_sums.items():
        rows.append((region, name, Benchmark.Kind.REGION, year, code, group, cohort, round(total / cohort, 1)))
    measure_ids = dict(Measure.objects.values_list("code", "pk"))
    group_ids = dict(PupilGroup.objects.values_list("code", "pk"))
    Benchmark.objects.bulk_create(
        [
            Benchmark(
                geography_code=geo,
                geography_name=name,
                kind=kind,
                results_year=year,
                measure_id=measure_ids[code],
                pupil_group_id=group_ids[group],
                cohort=cohort,
                value=value,
                status=DataStatus.FINAL,
                batch=batch,
            )
            for geo, name, kind, year, code, group, cohort, value in rows
        ],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["geography_code", "results_year", "measure", "pupil_group"],
        update_fields=["cohort", "value", "status", "batch", "geography_name", "kind"],
    )
    share = dict(
        School.objects.values("la__code").annotate(fsm=Avg("fsm_percent")).values_list("la__code", "fsm").order_by()
    )
    codes = sorted(share, key=lambda c: float(share[c] or 0))
    neighbours = []
    for position, code in enumerate(codes):
        near = sorted((c for c in codes if c != code), key=lambda c: abs(codes.index(c) - position))[:10]
        neighbours += [
            StatisticalNeighbour(la_code=code, neighbour_code=other, rank=rank, closeness="Bench", batch=batch)
            for rank, other in enumerate(near, start=1)
        ]
    StatisticalNeighbour.objects.all().delete()
    StatisticalNeighbour.objects.bulk_create(neighbours, batch_size=2000)
