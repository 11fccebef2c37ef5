"""The benchmark's workers, each run in a child process of its own against its own database: page timings
and query counts (``worker_pages``), import throughput (``worker_import``)."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.targets import ROOT


def setup():
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _machine() -> dict:
    import django
    from django.db import connection

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    ram = ""
    try:
        kb = int(
            next(
                line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
            ).split()[1]
        )
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = "PostgreSQL " + cursor.fetchone()[0]
        else:
            cursor.execute("select sqlite_version()")
            version = "SQLite " + cursor.fetchone()[0]
    try:
        commit = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return {
        "commit": commit,
        "nproc": os.cpu_count(),
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": version,
        "platform": platform.platform(),
    }


def _timed(fn, repeat: int) -> tuple[list[float], object]:
    result = None
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def _summary(times: list[float]) -> dict:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"median_ms": round(statistics.median(ordered), 2), "p95_ms": round(p95, 2), "n": len(ordered)}


def worker_pages(size: str, repeat: int) -> dict:
    """Build (or reuse) the dataset; time each page through the test client; time the floors."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from bench import datasets, floors
    from gapmonitor.conf import conf
    from schools.figures import years_with_results
    from schools.models import Area, Cluster, LocalAuthority, Measure, Result, School

    build = datasets.build(size, log=lambda m: print(m, flush=True))
    setup_test_environment()
    # Django empties the query log when each request starts; keep it, so a request's queries can be counted.
    from django.core.signals import request_started
    from django.db import reset_queries

    request_started.disconnect(reset_queries)
    settings.DEBUG = False
    la = LocalAuthority.objects.get(code="999")
    user = get_user_model().objects.get(username="officer")
    client = Client()
    client.force_login(user)

    area = Area.objects.filter(la=la, schools__isnull=False).order_by("name").first()
    school = School.objects.filter(la=la, phase="primary", results__isnull=False).order_by("urn").first()
    years = tuple(years_with_results(la))
    measure = conf.default_measure
    headline = tuple(Measure.objects.filter(headline=True).values_list("code", flat=True))
    every = tuple(Measure.objects.values_list("code", flat=True))
    groups = ("disadvantaged", "not_disadvantaged", "all")
    from schools.models import PupilGroup

    all_groups = tuple(PupilGroup.objects.values_list("code", flat=True))
    G, N = floors.Grouping, floors.National
    la_scope = ("la_id", la.pk)
    pages = [
        (
            "LA overview",
            reverse("schools:la_overview"),
            [
                G(None, la_scope, headline, groups, years),
                N(headline, groups, years),
                G("area_id", la_scope, (measure,), groups, years),
                G("cluster_id", la_scope, (measure,), groups, years),
            ],
        ),
        (
            "Area page",
            reverse("schools:area", args=[area.pk]),
            [
                G(None, ("area_id", area.pk), headline, groups, years),
                G(None, la_scope, headline, groups, years),
                N(headline, groups, years),
                G("cluster_id", ("area_id", area.pk), (measure,), groups, years),
                G("id", ("area_id", area.pk), (measure,), groups, years),
            ],
        ),
        (
            "School page",
            reverse("schools:school", args=[school.urn]),
            [
                G(None, None, every, all_groups, years, school_id=school.pk),
                G(None, la_scope, every, all_groups, years),
                N(every, all_groups, years),
            ],
        ),
        (
            "Priority list",
            reverse("schools:priority"),
            [G("id", la_scope, (measure,), groups, years), N((measure,), groups, years)],
        ),
        (
            "Cluster RAG board",
            reverse("schools:cluster_rag"),
            [G("cluster_id", la_scope, headline, groups, years), N(headline, groups, years)],
        ),
        (
            "CSV export (priority list, all schools)",
            reverse("schools:priority_export", args=["priority", "csv"]),
            [G("id", la_scope, (measure,), groups, years), N((measure,), groups, years)],
        ),
    ]
    frame, national = floors.load_frame(), floors.load_national()
    results = []
    for name, url, parts in pages:
        cold_started = time.perf_counter()
        response = client.get(url)  # the first request: empty figure cache, templates not yet compiled
        cold_ms = (time.perf_counter() - cold_started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        client.get(url)  # warm up once more
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        query_count = len(queries)  # now: the capture reads the connection's query log when asked
        times, _ = _timed(lambda url=url: client.get(url), repeat)
        sql_times, sql_rows = _timed(lambda parts=parts: floors.run_sql(parts), repeat)
        pandas_times, pandas_rows = _timed(
            lambda parts=parts: floors.run_pandas(parts, frame, national), max(5, repeat // 4)
        )
        page = _summary(times)
        floor = _summary(sql_times)
        results.append(
            {
                "page": name,
                "url": url,
                "queries": query_count,
                "bytes": len(response.content),
                **page,
                "cold_ms": round(cold_ms, 1),
                "sql_median_ms": floor["median_ms"],
                "sql_queries": len(parts),
                "sql_rows": sql_rows,
                "pandas_median_ms": _summary(pandas_times)["median_ms"],
                "ratio": round(page["median_ms"] / floor["median_ms"], 2) if floor["median_ms"] else None,
            }
        )
        print(
            f"  {name:42} {page['median_ms']:9.1f} ms (p95 {page['p95_ms']:.1f})  {query_count:3} queries  "
            f"SQL floor {floor['median_ms']:.1f} ms  ratio {results[-1]['ratio']}",
            flush=True,
        )
    return {
        "machine": _machine(),
        "build": build,
        "pages": results,
        "dataset": {
            "schools": School.objects.filter(la=la).count(),
            "results": Result.objects.count(),
            "years": list(years),
            "clusters": Cluster.objects.filter(la=la).count(),
            "areas": Area.objects.filter(la=la).count(),
            "pandas_rows": len(frame),
        },
        "taken": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def worker_import(kind: str, ks2_source: str | None = None) -> dict:
    """Import a file in one transaction that is then rolled back, so the import database stays as it is.
    ``ks2_source``: the DfE KS2 file the national-size KS2 file is made from (default: the repository's)."""
    import resource

    from django.db import transaction

    from bench import datasets
    from schools import demo
    from schools.imports.committing import import_file
    from schools.models import School

    if not School.objects.filter(la__code=demo.DEMO_LA_CODE).exists():
        demo.generate(schools=500, years=1, seed=datasets.SEED, measure_codes=[], with_users=False)
    urns = list(School.objects.filter(la__code=demo.DEMO_LA_CODE).order_by("urn").values_list("urn", flat=True))
    if kind == "long":
        data, name, fmt = datasets.long_file(urns), "bench_long_100k.csv", "long"
    else:
        data, name = datasets.ks2_file(source=ks2_source or datasets.KS2_SOURCE)
        fmt = "dfe-ks2"
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    class Rollback(Exception):
        pass

    started = time.perf_counter()
    counts, problems, rows_read, facts = {}, [], 0, 0
    try:
        with transaction.atomic():
            plan, batch = import_file(data=data, file_name=name, format=fmt)
            rows_read, counts = plan.rows_read, plan.counts
            problems = [str(p) for p in plan.errors[:5]]
            facts = counts.get("created", 0) + counts.get("updated", 0) + counts.get("unchanged", 0)
            seconds = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if problems:
        raise SystemExit(f"Import {kind} failed: {problems}")
    return {
        "kind": kind,
        "file": name,
        "format": fmt,
        "bytes": len(data),
        "rows": rows_read,
        "facts": facts,
        "counts": counts,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows_read / seconds),
        "facts_per_s": round(facts / seconds),
        "peak_rss_mb": round(rss_peak / 1024),
        "rss_before_mb": round(rss_before / 1024),
        "machine": _machine(),
        "taken": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
