"""Synthetic datasets for the benchmark, built with the demo generator, and the import files.

Each size lives in a database of its own (``bench/<size>.sqlite3`` or ``<base>_<size>`` on PostgreSQL) and is
built once: a run finds the generator's batch for the same parameters and reuses the data. ``national`` (~150
LAs, ~20,000 schools) is built by ``bench.national``; ``la`` and ``single_la`` (the worst case for one
deployment: 22,000 schools in one LA) by ``schools.demo.generate``.
"""

from __future__ import annotations

import csv
import io
from contextlib import contextmanager
from pathlib import Path

import numpy as np

SEED = 9
SIZES = {
    # 500 schools, 8 results years, every measure and group.
    "la": dict(schools=500, years=8, seed=SEED),
    # 22,000 schools in one LA, 5 results years, the headline measures, all / disadvantaged / other pupils.
    "single_la": dict(schools=22_000, years=5, seed=SEED, headline_only=True, measure_codes="headline"),
}
SIZE_NAMES = ("la", "national", "single_la")
# The import files: 100,000 rows of the long template, and a national KS2 file of 16,500 schools.
IMPORTS = {"long_rows": 100_000, "ks2_schools": 16_500}
# A DfE KS2 performance-tables file kept in the repository; ``python -m bench.run --ks2-file PATH`` uses another.
KS2_SOURCE = Path(__file__).resolve().parent.parent / "tests" / "data" / "dfe" / "ks2_2018-19_936_surrey.csv"


def scale(factor: float) -> None:
    """Shrink every dataset by ``factor`` (``--scale``, for trying the benchmark itself out quickly): the
    results are not comparable with the targets."""
    from bench import national

    for args in SIZES.values():
        args["schools"] = max(12, round(args["schools"] * factor))
    national.NATIONAL.update(
        las=max(3, round(national.NATIONAL["las"] * factor)),
        schools=max(60, round(national.NATIONAL["schools"] * factor)),
        demo_schools=max(12, round(national.NATIONAL["demo_schools"] * factor)),
    )
    IMPORTS.update(long_rows=max(1000, round(IMPORTS["long_rows"] * factor)))
    IMPORTS.update(ks2_schools=max(150, round(IMPORTS["ks2_schools"] * factor)))


def generator_arguments(size: str) -> dict:
    from schools.models import Measure

    args = dict(SIZES[size])
    if args.get("measure_codes") == "headline":
        args["measure_codes"] = list(Measure.objects.filter(headline=True).values_list("code", flat=True))
    return args


def dataset_ready(size: str) -> bool:
    """The generator's batch for these parameters exists (it is written in the same transaction as the data)."""
    from schools.models import ImportBatch, Result

    args = SIZES[size]
    marker = f"schools={args['schools']} years={args['years']} seed={args['seed']}"
    return (
        ImportBatch.objects.filter(format=ImportBatch.Format.DEMO, file_name__contains=marker).exists()
        and Result.objects.exists()
    )


@contextmanager
def fast_writes():
    """Only while a dataset is built (its rows are made consistent by the generator, and a build that fails
    leaves a database to drop, not data to keep). SQLite: no rollback journal, no fsyncs; the settings' WAL
    journal and NORMAL sync come back afterwards. PostgreSQL (rows written with COPY by
    ``schools.imports.bulk.insert_values``): no foreign-key trigger per row at commit
    (``session_replication_role = replica``, when the bench's role may set it: a superuser)."""
    from django.db import DatabaseError, connection

    if connection.vendor == "postgresql":
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
            replica = True
        except DatabaseError:  # not a superuser: the build checks its foreign keys as it goes
            replica = False
        try:
            yield
        finally:
            if replica:
                with connection.cursor() as cursor:
                    cursor.execute("SET session_replication_role = DEFAULT")
        return
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=OFF")
        cursor.execute("PRAGMA synchronous=OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")


def build(size: str, log=print) -> dict:
    """Build the dataset unless it is there already, then refresh the database's statistics (``tidy``) and write
    its dirty pages out (``checkpoint``), as the imports' timings start: a million-row build (and the vacuum)
    left PostgreSQL's checkpointer flushing them while the first pages were timed, pages and floors alike
    (iowait ~50% during the national pages of the 14:36 run of 2 December); returns what was done and how long
    it took."""
    done = _build(size, log)
    tidy()
    checkpoint()
    return done


def tidy() -> None:
    """What production's autovacuum does, here where it is off (and SQLite has none): PostgreSQL ``VACUUM
    ANALYZE`` (the planner's statistics; and the dead rows the cold requests' writes leave, which pile up run
    after run); SQLite ``ANALYZE`` on a sample (``analysis_limit``). Without statistics the planner guesses,
    and a page's timing measures the guess, not the code."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("ANALYZE")


def checkpoint() -> None:
    """Write the database's dirty pages out now (PostgreSQL ``CHECKPOINT``; SQLite's write-ahead log folded into
    the database, ``wal_checkpoint``), so the next timed step does not pay for the writes before it."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CHECKPOINT")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _build(size: str, log) -> dict:
    if size == "national":
        from bench import national

        if national.ready():
            return {"built": False, "seconds": 0.0}
        with fast_writes():
            return national.build(log=log)
    if dataset_ready(size):
        return {"built": False, "seconds": 0.0}
    with fast_writes():
        return _generate(size, log)


def _generate(size: str, log) -> dict:
    import time

    from schools import demo

    args = generator_arguments(size)
    log(f"  building {size} dataset with schools.demo.generate({', '.join(f'{k}={v!r}' for k, v in args.items())}) …")
    started = time.perf_counter()
    context = demo.generate(**args)
    seconds = time.perf_counter() - started
    log(f"  built in {seconds:.0f} s: {context.stats}")
    return {"built": True, "seconds": seconds, **context.stats}


# --------------------------------------------------------------------------- import files
LONG_MEASURES = ["ks2_rwm_exp", "ks2_rwm_high", "ks2_read_avg", "ks2_mat_avg", "persistent_absence"]
LONG_GROUPS = ["all", "disadvantaged", "not_disadvantaged", "boys", "girls"]
LONG_YEARS = [2016, 2017, 2018, 2019, 2022, 2023, 2024, 2025]


def long_file(urns: list[int], rows: int | None = None, seed: int = SEED) -> bytes:
    """The long template (one figure per row) for ``urns``: schools × 8 years × 5 measures × 5 groups;
    ``rows`` (default ``IMPORTS["long_rows"]``) of them."""
    rows = rows or IMPORTS["long_rows"]
    rng = np.random.default_rng(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["urn", "results_year", "measure", "pupil_group", "cohort", "achievers", "points", "value", "status"]
    )
    written = 0
    for urn in urns:
        for year in LONG_YEARS:
            for measure in LONG_MEASURES:
                for group in LONG_GROUPS:
                    if written >= rows:
                        return out.getvalue().encode()
                    cohort = int(rng.integers(6, 60))
                    if measure.endswith("_avg"):
                        # Within the measure's range (80–120), as a real school's average is.
                        points = round(float(cohort * min(119.0, max(81.0, rng.normal(104, 4)))), 1)
                        writer.writerow(
                            [urn, year, measure, group, cohort, "", points, round(points / cohort, 1), "final"]
                        )
                    else:
                        achievers = int(rng.integers(0, cohort + 1))
                        writer.writerow(
                            [urn, year, measure, group, cohort, achievers, "", round(100 * achievers / cohort), "final"]
                        )
                    written += 1
    if written < rows:
        raise ValueError(f"Only {written} rows for {len(urns)} schools; need more schools.")
    return out.getvalue().encode()


def ks2_file(schools: int | None = None, seed: int = SEED, source: Path = KS2_SOURCE) -> tuple[bytes, str]:
    """A national-size KS2 performance-tables CSV in the DfE layout: the real header and real school rows of
    ``source`` (default Surrey 2018-19) repeated with new URNs and LA codes, plus the file's LA and England rows;
    ``schools`` (default ``IMPORTS["ks2_schools"]``) of them."""
    schools = schools or IMPORTS["ks2_schools"]
    with Path(source).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    col = {name: i for i, name in enumerate(header)}
    school_rows = [r for r in rows if r and r[col["RECTYPE"]] in ("1", "2") and r[col["URN"]].strip()]
    other_rows = [r for r in rows if r and r[col["RECTYPE"]] not in ("1", "2")]
    rng = np.random.default_rng(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for index in range(schools):
        row = list(school_rows[int(rng.integers(len(school_rows)))])
        la = 800 + index % 150
        row[col["URN"]] = str(500_000 + index)
        row[col["LEA"]] = str(la)
        row[col["ESTAB"]] = str(2000 + index // 150)
        row[col["SCHNAME"]] = f"Bench Primary School {index + 1}"
        writer.writerow(row)
    for row in other_rows:
        writer.writerow(row)
    return out.getvalue().encode("utf-8"), "ks2_2018-19_national_bench.csv"
