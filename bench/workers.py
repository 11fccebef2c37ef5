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
    return {
        "commit": _commit(),
        "nproc": os.cpu_count(),
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": version,
        "platform": platform.platform(),
    }


def _commit() -> str:
    """The commit measured, "-dirty" if a tracked file differs from it — other than the results this run is
    itself writing (``bench/results.*``, rewritten after each size), which would mark every run after its
    first size."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()

    try:
        commit = git("rev-parse", "--short", "HEAD")
        changed = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results.*")
    except (OSError, subprocess.SubprocessError):
        return ""
    return f"{commit}-dirty" if commit and changed else commit


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


def fetch(client, url: str):
    """The response, read to its end: a streamed export (the priority CSV) writes its rows, and runs its
    queries, as it is read, so its time and queries count only once it has been read."""
    response = client.get(url)
    if response.streaming:
        response.bench_bytes = len(b"".join(response.streaming_content))  # its length, as ``content`` would give
    return response


def _floor(page, result: dict, sql_times: list[float], sql_rows: int, frame, national, spent: dict) -> dict:
    """The page's raw-SQL floor from its timed runs (``sql_times``, the rows they fetched ``sql_rows``), its
    pandas floor, and the page's ratios to the SQL floor."""
    from bench import floors

    pandas_times, _rows = _timed(lambda: floors.run_pandas(page.floor, frame, national), max(3, len(sql_times) // 4))
    spent["floors"] += (sum(sql_times) + sum(pandas_times)) / 1000
    floor = _summary(sql_times)["median_ms"]

    def ratio(ms):
        return round(ms / floor, 2) if floor else None

    print(
        f"  {page.name:42} cold {result['cold_median_ms']:8.1f} ms ({result['cold_queries']:2} q)  warm "
        f"{result['median_ms']:8.1f} ms ({result['queries']:2} q)  floor {floor:.1f} ms  cold ratio "
        f"{ratio(result['cold_median_ms'])}",
        flush=True,
    )
    return {
        "sql_median_ms": floor,
        "sql_queries": len(page.floor),
        "sql_rows": sql_rows,
        "pandas_median_ms": _summary(pandas_times)["median_ms"],
        "ratio": ratio(result["median_ms"]),
        "cold_ratio": ratio(result["cold_median_ms"]),
    }


def _in_turn(pages, rounds: int, run) -> list[list[float]]:
    """Each page's times (ms) of ``run(number, index, page)``, taken a round at a time — every page once, then
    every page again — so that a few seconds' stall of the machine (a checkpoint's flush, another process)
    costs each page one of its runs, not every run of the page it falls on."""
    times: list[list[float]] = [[] for _page in pages]
    for index in range(rounds):
        for number, page in enumerate(pages):
            times[number].append(run(number, index, page))
    return times


def worker_pages(size: str, repeat: int, cold_repeat: int = 5) -> dict:
    """Build (or reuse) the dataset; time each page cold (the first request after an import, ``cold_repeat``
    times, a round of every page at a time: ``_in_turn``) and warm (``repeat`` times) through the test client;
    count its queries; time its floors (``repeat`` times, in rounds too)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench import datasets, floors
    from bench.pages import after_an_import as write_as_an_import
    from bench.pages import pages_for
    from gapmonitor import heap
    from schools.models import Area, Cluster, LocalAuthority, Result, School

    load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    build = datasets.build(size, log=lambda m: print(m, flush=True))
    # The test client's host, without ``setup_test_environment``: that also makes every template render send a
    # signal and copy its context (for the test client's ``response.context``), which no server does (~10–15 ms
    # of an LA page's 100).
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Django empties the query log when each request starts; keep it, so a request's queries can be counted.
    request_started.disconnect(reset_queries)
    settings.DEBUG = False
    la = LocalAuthority.objects.get(code="999")
    clients = {}
    for username in ("officer", "national"):
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        clients[username] = client
    pages = pages_for(size)
    frame, national = floors.load_frame(), floors.load_national()
    results = []
    # Where the worker's wall time goes (seconds), for the run's phase table: the writes (and the tasks they
    # queue) before each cold request are not part of any page's time, but are part of the run's.
    spent = dict.fromkeys(("writes before cold requests", "cold requests", "warm requests", "floors"), 0.0)

    def after_an_import(*args, **kwargs):
        written = time.perf_counter()
        write_as_an_import(*args, **kwargs)
        spent["writes before cold requests"] += time.perf_counter() - written

    heap.settle()  # as a server process does once the project is loaded (``gapmonitor.wsgi``)
    cold_queries: dict[int, int] = {}

    def cold_request(number, index, page) -> float:
        # One write (and the re-judging it queues, run as the worker would) before the first page's first cold
        # request: every cold request then meets the database that write left, with every layer above it
        # dropped again. Writing before each page would re-judge the LA once per page (minutes at 22,000
        # schools) and time nothing a page does.
        after_an_import(write=number == 0 and index == 0)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = fetch(clients[page.username], page.url)
            took = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (page.url, response.status_code)
        cold_queries[number] = len(queries)
        return took

    # ``cold_repeat``, not ``repeat``: that is the number of warm requests, used below.
    every_cold = _in_turn(pages, cold_repeat, cold_request)
    for number, page in enumerate(pages):
        client = clients[page.username]
        fetch(client, page.url)  # warm up once more
        with CaptureQueriesContext(connection) as queries:
            response = fetch(client, page.url)
        query_count = len(queries)
        times, _ = _timed(lambda url=page.url, client=client: fetch(client, url), repeat)
        cold_times = every_cold[number]
        warm, cold = _summary(times), _summary(cold_times)
        spent["cold requests"] += sum(cold_times) / 1000
        spent["warm requests"] += sum(times) / 1000
        results.append(
            {
                "page": page.name,
                "url": page.url,
                "user": page.username,
                "queries": query_count,
                "cold_queries": cold_queries[number],
                "bytes": response.bench_bytes if response.streaming else len(response.content),
                **warm,
                "cold_median_ms": cold["median_ms"],
                "cold_p95_ms": cold["p95_ms"],
                "cold_n": cold["n"],
            }
        )

    floor_rows: dict[int, int] = {}

    def floor_run(number, index, page) -> float:
        started = time.perf_counter()
        floor_rows[number] = floors.run_sql(page.floor)
        return (time.perf_counter() - started) * 1000

    # The floors once every page is timed, with their own indexes (``floors.own_indexes``): no page meets them.
    with floors.own_indexes():
        every_floor = _in_turn(pages, repeat, floor_run)
        for number, (page, result, sql_times) in enumerate(zip(pages, results, every_floor, strict=True)):
            result.update(_floor(page, result, sql_times, floor_rows[number], frame, national, spent))
    machine = _machine()
    machine["load_before"] = load_before
    return {
        "machine": machine,
        "build": build,
        "spent": {name: round(seconds, 1) for name, seconds in spent.items()},
        "pages": results,
        "dataset": {
            "las": LocalAuthority.objects.count(),
            "all_schools": School.objects.count(),
            "schools": School.objects.filter(la=la).count(),
            "results": Result.objects.count(),
            "years": sorted(set(Result.objects.filter(school__la=la).values_list("results_year", flat=True))),
            "clusters": Cluster.objects.filter(la=la).count(),
            "areas": Area.objects.filter(la=la).count(),
            "pandas_rows": len(frame),
        },
        "taken": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def worker_import(kind: str, ks2_source: str | None = None) -> dict:
    """Import a file in one transaction that is then rolled back, so the import database stays as it is. The
    time includes the refresh of the pooled figures in the same transaction. For the national KS2 file, the
    preview (every row read and checked, compared with the database, nothing written: what the upload page
    shows) is timed first, then the confirmed import, with the process's peak memory after each.
    ``ks2_source``: the DfE KS2 file the national-size KS2 file is made from (default: the repository's)."""
    import resource

    from django.db import transaction

    from bench import datasets
    from schools import demo
    from schools.imports import preview
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

    def peak_mb() -> int:
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

    # As a production database stands when a file arrives: vacuumed (every timed import is rolled back, and its
    # inserted rows stay behind as dead rows; autovacuum is off on this server) and with the previous phase's
    # writes (a million-row dataset build) flushed, not flushed while this import is timed.
    datasets.tidy()
    datasets.checkpoint()

    rss_before = peak_mb()
    preview_seconds = preview_peak = None
    if kind == "ks2":
        started = time.perf_counter()
        plan, _none = import_file(data=data, file_name=name, format=fmt, dry_run=True)
        preview.summary(plan)
        preview_seconds = round(time.perf_counter() - started, 2)
        preview_peak = peak_mb()
        del plan

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
        "preview_seconds": preview_seconds,
        "preview_peak_rss_mb": preview_peak,
        "peak_rss_mb": peak_mb(),
        "rss_before_mb": rss_before,
        "machine": _machine(),
        "taken": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
