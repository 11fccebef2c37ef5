"""Writing the demo's school results and national benchmarks, each with the data status its date gives."""

from __future__ import annotations

from datetime import date

import numpy as np
from django.db import connection

from ..imports.bulk import insert_values
from ..models import Benchmark, DataStatus, Result
from .simulation import (
    MODEL,
    NATIONAL_PUPILS,
    PRIMARY_MEASURES,
    SECONDARY_MEASURES,
    Simulator,
    england_figures,
    fitted_model,
    published_figure,
)


def results_status(measure_code: str, results_year: int, today: date) -> str:
    """Where a results year's figures stand on ``today`` in the DfE's publication cycle. KS2: provisional from
    the summer, revised with the performance tables in December; KS4: provisional in October, revised in
    February. Both are final from the next September, when the next cohort's results replace them as the
    latest. Other measures (EYFS, phonics, absence, suspensions) have one release, so are final once shown."""
    if measure_code.startswith("ks2_"):
        revised = date(results_year, 12, 1)
    elif measure_code.startswith("ks4_"):
        revised = date(results_year + 1, 2, 1)
    else:
        return DataStatus.FINAL
    if today >= date(results_year + 1, 9, 1):
        return DataStatus.FINAL
    return DataStatus.REVISED if today >= revised else DataStatus.PROVISIONAL


def write_results(
    schools,
    school_rows,
    result_years,
    measures,
    groups,
    group_codes,
    batch,
    rng,
    model_specs=MODEL,
    today: date | None = None,
) -> int:
    n = len(schools)
    phases = np.array([row[1] for row in school_rows])
    roll = np.array([row[2] for row in school_rows])
    fsm = np.array([row[3] for row in school_rows]) / 100
    dis_share = np.clip(fsm * 1.45, 0.02, 0.85)
    eal_share = np.clip(rng.beta(1.2, 8.0, n), 0.0, 0.9)
    school_effect = rng.normal(0, 0.35, n) - 1.2 * (phases == "special")
    # Gap direction: about a third narrow, a quarter widen, the rest hold steady (per year, relative).
    trend = rng.choice([-0.07, 0.0, 0.06], size=n, p=[0.38, 0.37, 0.25]) + rng.normal(0, 0.01, n)
    sim = Simulator(rng, group_codes)
    rows: list[tuple] = []  # RESULT_FIELDS order: plain tuples, as building a million Result objects is slow
    today = today or date.today()
    first = result_years[0]
    for year in result_years:
        gap_shift = trend * (year - first)
        improvement = 0.02 * (year - first)
        for code, model in model_specs.items():
            measure = measures[code]
            if not measure.valid_in(year):
                continue
            phase_ok = np.isin(phases, ["primary", "special"]) if code in PRIMARY_MEASURES else np.zeros(n, bool)
            if code in SECONDARY_MEASURES:
                phase_ok |= phases == "secondary"
            if code in ("persistent_absence", "suspension_rate"):
                phase_ok = np.ones(n, bool)
            if model["cohort"] == "roll":
                base_size = roll
            else:
                base_size = np.where(
                    phases == "secondary", roll / 5, np.where(phases == "special", roll / 10, roll / 7)
                )
            sizes = np.where(phase_ok, np.maximum(0, rng.poisson(np.maximum(base_size, 1))), 0).astype(np.int64)
            pupils = sim.pupils(sizes, dis_share, eal_share)
            outcome = sim.outcomes(model, pupils, school_effect + improvement, gap_shift)
            masks = sim.masks(pupils)
            masks["_school"] = pupils["school"]
            status = results_status(code, year, today)
            counts = sim.count(masks, outcome, n)
            for index in np.nonzero(phase_ok & (sizes > 0))[0]:
                school_id = schools[index].pk
                for group_code in group_codes:
                    cohort, total = counts[group_code]
                    f = published_figure(model["kind"], int(cohort[index]), float(total[index]))
                    rows.append(
                        (
                            school_id,
                            year,
                            measure.pk,
                            groups[group_code].pk,
                            batch.pk,
                            status,
                            f["cohort"],
                            f["achievers"],
                            f["points"],
                            f["value"],
                            f["value_code"],
                        )
                    )
    _write_results(rows, [school.pk for school in schools])
    return len(rows)


RESULT_FIELDS = (
    "school_id",
    "results_year",
    "measure_id",
    "pupil_group_id",
    "batch_id",
    "status",
    "cohort",
    "achievers",
    "points",
    "value",
    "value_code",
)


def _write_results(rows: list[tuple], school_ids: list[int]) -> None:
    """Schools with no results yet (a new demo LA, the benchmark's datasets): one bulk insert (PostgreSQL's
    COPY), each decimal made as ``bulk_create`` makes it (the field's ``get_db_prep_save``), once per distinct
    number. Schools holding results already (the demo generated again): ``bulk_create``'s upsert, as before."""
    if Result.objects.filter(school_id__in=school_ids).exists():
        fields = RESULT_FIELDS
        objects = [Result(**dict(zip(fields, row, strict=True))) for row in rows]
        _upsert(Result, objects, ["school", "results_year", "measure", "pupil_group"])
        return
    prepared: dict[tuple[str, object], object] = {}

    def decimal(name: str, number):
        key = (name, number)
        if key not in prepared:
            prepared[key] = Result._meta.get_field(name).get_db_prep_save(number, connection)
        return prepared[key]

    points, value = RESULT_FIELDS.index("points"), RESULT_FIELDS.index("value")
    out = [
        (*row[:points], decimal("points", row[points]), decimal("value", row[value]), *row[value + 1 :]) for row in rows
    ]
    insert_values(Result, RESULT_FIELDS, out)


def write_national_benchmarks(result_years, measures, groups, group_codes, batch, rng, model_specs=MODEL) -> int:
    """England figures: the published value wherever England's figure is kept in the repository
    (``england_figures``), counted over a pool of simulated pupils fitted to those figures; the other groups
    and measures are the pool's own simulated figures."""
    published = england_figures()
    sim = Simulator(rng, group_codes)
    n_schools = 300
    sizes = np.full(n_schools, NATIONAL_PUPILS // n_schools)
    dis_share = np.clip(rng.gamma(4.0, 4.5, n_schools) * 1.45 / 100, 0.02, 0.85)
    eal_share = np.clip(rng.beta(1.2, 5.0, n_schools), 0, 0.9)
    school_effect = rng.normal(0, 0.35, n_schools)
    rows = []
    first = result_years[0]
    for year in result_years:
        for code, model in model_specs.items():
            measure = measures[code]
            if not measure.valid_in(year):
                continue
            pupils = sim.pupils(sizes, dis_share, eal_share)
            masks = sim.masks(pupils)
            targets = {g: v for (y, m, g), v in published.items() if y == year and m == code and g in masks}
            effect = school_effect + 0.015 * (year - first)
            model = fitted_model(sim, model, pupils, masks, effect, targets) if targets else model
            outcome = sim.outcomes(model, pupils, effect, np.zeros(n_schools))
            for group_code in group_codes:
                mask = masks[group_code]
                figure = published_figure(model["kind"], int(mask.sum()), float(outcome[mask].sum()))
                if group_code in targets and figure["cohort"]:
                    # England's published value, over the pool's pupils (so the national interval has a size).
                    figure.update(achievers=None, points=None, value=targets[group_code], value_code="")
                elif figure["value"] is not None and model["kind"] == "percent":
                    figure["value"] = round(100 * figure["achievers"] / figure["cohort"], 1)
                rows.append(
                    Benchmark(
                        geography_code=Benchmark.NATIONAL_CODE,
                        geography_name="England",
                        kind=Benchmark.Kind.NATIONAL,
                        results_year=year,
                        measure=measure,
                        pupil_group=groups[group_code],
                        batch=batch,
                        status=DataStatus.FINAL,
                        **figure,
                    )
                )
    _upsert(Benchmark, rows, ["geography_code", "results_year", "measure", "pupil_group"])
    return len(rows)


def _upsert(model, rows, unique_fields):
    model.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=unique_fields,
        update_fields=["cohort", "achievers", "points", "value", "value_code", "status", "batch"],
    )
