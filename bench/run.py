"""The gapmonitor benchmark: ``make bench`` or ``python -m bench.run [--size la|national|all]
[--db sqlite|postgres|all] [--requests N] [--no-imports]``.

Each (database, size) is measured in a child process of its own, with ``DATABASE_URL`` pointing at the
benchmark's own database (``bench/<size>.sqlite3``; on PostgreSQL ``<name>_<size>`` beside the database named
in ``DATABASE_URL``). Datasets are built once with ``schools.demo.generate`` and reused. The latest figures of
every combination are kept in ``bench/results.json``; ``bench/results.md`` is written from them and printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from gapmonitor.conf import conf

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_JSON = BENCH_DIR / "results.json"
RESULTS_MD = BENCH_DIR / "results.md"

# Targets (issue 9).
LA_PAGE_MS = 150
LA_PAGE_QUERIES = 20
NATIONAL_PG_MS = 1000
FLOOR_RATIO = 3.0
LONG_IMPORT_ROWS_PER_S = 20_000


# =========================================================================== databases
def database_url(db: str, name: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{BENCH_DIR / f'{name}.sqlite3'}"
    base = urlparse(os.environ["DATABASE_URL"])
    stem = base.path.lstrip("/") or "gm_bench"
    return urlunparse(base._replace(path=f"/{stem}_{name}"))


def ensure_postgres_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def child(task: str, db: str, name: str, extra: list[str]) -> dict:
    """Run one worker in a fresh process against its own database; returns its JSON report."""
    url = database_url(db, name)
    if db == "postgres":
        ensure_postgres_database(url)
    env = dict(
        os.environ,
        DATABASE_URL=url,
        GAPMONITOR_LOCAL=os.environ.get("GAPMONITOR_LOCAL", "1"),
        DEBUG="0",
        DJANGO_SETTINGS_MODULE="gapmonitor.settings",
        CONN_MAX_AGE="0",
    )
    out = BENCH_DIR / f".{task}-{db}-{name}.json"
    out.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "bench.run",
        "--worker",
        task,
        "--db",
        db,
        "--size",
        name,
        "--out",
        str(out),
        *extra,
    ]
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    report = json.loads(out.read_text())
    out.unlink(missing_ok=True)
    return report


# =========================================================================== workers (child processes)
def _setup():
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
        kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
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
        times, _ = _timed(lambda: client.get(url), repeat)
        sql_times, sql_rows = _timed(lambda: floors.run_sql(parts), repeat)
        pandas_times, pandas_rows = _timed(lambda: floors.run_pandas(parts, frame, national), max(5, repeat // 4))
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


def worker_import(kind: str) -> dict:
    """Import a file in one transaction that is then rolled back, so the import database stays as it is."""
    import resource

    from django.db import transaction

    from bench import datasets
    from schools import demo
    from schools.imports.services import import_file
    from schools.models import School

    if not School.objects.filter(la__code=demo.DEMO_LA_CODE).exists():
        demo.generate(schools=500, years=1, seed=datasets.SEED, measure_codes=[], with_users=False)
    urns = list(School.objects.filter(la__code=demo.DEMO_LA_CODE).order_by("urn").values_list("urn", flat=True))
    if kind == "long":
        data, name, fmt = datasets.long_file(urns), "bench_long_100k.csv", "long"
    else:
        data, name = datasets.ks2_file()
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


# =========================================================================== the report
def _ms(value) -> str:
    return "–" if value is None else (f"{value:.0f}" if value >= 100 else f"{value:.1f}")


def _mark(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def render(results: dict) -> str:
    lines = [
        "# gapmonitor benchmark results",
        "",
        "Written by `make bench` (`python -m bench.run`); do not edit by hand. Server time is measured through "
        "Django's test client (whole request: middleware, session, auth, queries, templates), signed in as "
        "the LA officer (sees every school, no suppression), over the requests shown (n) after the first "
        "request (shown apart: empty figure cache) and one more warm-up request. Query counts are from a "
        "warm request. The **floor** for a page is the same pooled figures fetched by plain hand-written SQL "
        "GROUP BYs (one per figure set the page shows: scope headline figures, organisation figures for the "
        "chosen measure, national benchmarks); **ratio** = page median ÷ floor median. The pandas column "
        "computes the same groupings from a DataFrame already in memory.",
        "",
    ]
    machines = {}
    for key, item in results.items():
        machines.setdefault(
            json.dumps(
                {k: v for k, v in item["machine"].items() if k not in ("database", "load", "commit")}, sort_keys=True
            ),
            set(),
        ).add(item["machine"]["database"])
    lines += ["## Machine", ""]
    for text, dbs in machines.items():
        m = json.loads(text)
        lines += [
            f"- {m['nproc']} cores (`nproc`), CPU {m['cpu']}, RAM {m['ram']}",
            f"- Python {m['python']}, Django {m['django']}, {', '.join(sorted(dbs))}",
            f"- {m['platform']}",
            "",
        ]
    targets = []
    for key in sorted(k for k in results if k.startswith("pages:")):
        item = results[key]
        _, db, size = key.split(":")
        d = item["dataset"]
        lines += [
            f"## Pages — {size.upper()} size on {item['machine']['database']} (taken {item['taken']}, "
            f"load average {item['machine'].get('load', '?')} at the end, code "
            f"{item['machine'].get('commit') or '?'})",
            "",
            f"{d['schools']:,} schools in one LA, {d['areas']} areas, {d['clusters']} clusters, "
            f"{d['results']:,} results rows, years {', '.join(map(str, d['years']))}.",
            "",
            "| Page | median ms | p95 ms | n | first request ms | queries | raw SQL floor ms (queries) | "
            "pandas ms | ratio to floor |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for p in item["pages"]:
            lines.append(
                f"| {p['page']} | {_ms(p['median_ms'])} | {_ms(p['p95_ms'])} | {p['n']} | "
                f"{_ms(p.get('cold_ms'))} | {p['queries']} | "
                f"{_ms(p['sql_median_ms'])} ({p['sql_queries']}) | {_ms(p['pandas_median_ms'])} | "
                f"{p['ratio']}× |"
            )
            if size == "la":
                targets.append(
                    (
                        f"LA size, {db}: {p['page']} median ≤ {LA_PAGE_MS} ms",
                        f"{_ms(p['median_ms'])} ms",
                        p["median_ms"] <= LA_PAGE_MS,
                    )
                )
                targets.append(
                    (
                        f"LA size, {db}: {p['page']} ≤ {LA_PAGE_QUERIES} queries",
                        str(p["queries"]),
                        p["queries"] <= LA_PAGE_QUERIES,
                    )
                )
            if size == "national" and db == "postgres" and p["page"] in ("LA overview", "Priority list"):
                targets.append(
                    (
                        f"National size, PostgreSQL: {p['page']} median ≤ {NATIONAL_PG_MS} ms",
                        f"{_ms(p['median_ms'])} ms",
                        p["median_ms"] <= NATIONAL_PG_MS,
                    )
                )
            targets.append(
                (
                    f"{size.upper()} size, {db}: {p['page']} ≤ {FLOOR_RATIO:g}× raw-SQL floor",
                    f"{p['ratio']}×",
                    p["ratio"] is not None and p["ratio"] <= FLOOR_RATIO,
                )
            )
        lines.append("")
    imports = sorted(k for k in results if k.startswith("import:"))
    if imports:
        lines += [
            "## Imports",
            "",
            "Whole import (read, validate every row, compare with the database, write in one transaction), "
            "then rolled back so the run can be repeated. Peak memory is the process's peak resident size "
            "(`resource.getrusage`), with its size before reading the file.",
            "",
            "| Database | File | rows | facts | seconds | rows/s | facts/s | peak RSS MB (before) | taken |",
            "|---|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for key in imports:
            item = results[key]
            _, db, kind = key.split(":")
            lines.append(
                f"| {item['machine']['database']} | {item['file']} ({item['format']}) | {item['rows']:,} | "
                f"{item['facts']:,} | {item['seconds']} | {item['rows_per_s']:,} | {item['facts_per_s']:,} | "
                f"{item['peak_rss_mb']} ({item['rss_before_mb']}) | {item['taken']} |"
            )
            if kind == "long":
                targets.append(
                    (
                        f"Import, {db}: long format ≥ {LONG_IMPORT_ROWS_PER_S:,} rows/s",
                        f"{item['rows_per_s']:,} rows/s",
                        item["rows_per_s"] >= LONG_IMPORT_ROWS_PER_S,
                    )
                )
        lines.append("")
    lines += ["## Targets", "", "| Target | measured | result |", "|---|---:|---|"]
    lines += [f"| {name} | {value} | {_mark(ok)} |" for name, value, ok in targets]
    passed = sum(1 for *_x, ok in targets if ok)
    lines += ["", f"{passed} of {len(targets)} targets met.", ""]
    notes = BENCH_DIR / "notes.md"
    if notes.exists():
        lines += [notes.read_text().rstrip(), ""]
    return "\n".join(lines)


# =========================================================================== main
def _save(key: str, report: dict) -> dict:
    """Merge one report into bench/results.json (read afresh: another run may have written meanwhile)."""
    results = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
    results[key] = report
    RESULTS_JSON.write_text(json.dumps(results, indent=1, sort_keys=True))
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="all", help="la, national or all (default)")
    parser.add_argument(
        "--db",
        default="auto",
        help="sqlite, postgres, all, or auto (sqlite, plus postgres when DATABASE_URL is a PostgreSQL URL)",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=None,
        help="timed requests per page (default 20 at LA size, 5 at national size, where each request takes seconds)",
    )
    parser.add_argument("--no-imports", action="store_true", help="skip the import throughput runs")
    parser.add_argument("--imports-only", action="store_true", help="only the import throughput runs")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        _setup()
        if args.worker == "pages":
            report = worker_pages(args.size, args.requests or 20)
        else:
            report = worker_import(args.worker.removeprefix("import-"))
        Path(args.out).write_text(json.dumps(report, indent=1))
        return 0

    postgres_url = os.environ.get("DATABASE_URL", "")
    has_pg = postgres_url.startswith(("postgres://", "postgresql://"))
    dbs = {"auto": ["sqlite"] + (["postgres"] if has_pg else []), "all": ["sqlite", "postgres"]}.get(args.db, [args.db])
    if "postgres" in dbs and not has_pg:
        parser.error("--db postgres needs DATABASE_URL=postgres://user@host:port/name")
    sizes = ["la", "national"] if args.size == "all" else [args.size]
    results = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
    for db in dbs:
        if not args.imports_only:
            for size in sizes:
                print(f"== pages: {size} size on {db}", flush=True)
                requests = args.requests or (20 if size == "la" else 5)
                results = _save(f"pages:{db}:{size}", child("pages", db, size, ["--requests", str(requests)]))
        if not args.no_imports:
            for kind in ("long", "ks2"):
                print(f"== import: {kind} on {db}", flush=True)
                report = child(f"import-{kind}", db, "import", [])
                print(
                    f"  {report['rows']:,} rows in {report['seconds']} s = {report['rows_per_s']:,} rows/s, "
                    f"peak RSS {report['peak_rss_mb']} MB",
                    flush=True,
                )
                results = _save(f"import:{db}:{kind}", report)
    results = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
    text = render(results)
    RESULTS_MD.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
