"""The gapmonitor benchmark: ``make bench`` or ``python -m bench.run [--cold] [--size la|national|single_la|all]
[--db sqlite|postgres|all] [--requests N] [--no-imports] [--rebuild] [--ks2-file PATH]``.

``--cold`` times each page's first request after an import (``bench.pages.after_an_import``) eleven times
(three for the single LA of 22,000 schools), beside eleven warm requests (three there) and as many runs of
its raw-SQL floor. Cold requests and floors are taken a round of every page at a time, so a stall of the
machine costs each page one run rather than all the runs of one page; the median is of the eleven.

Each (database, size) is measured in a child process of its own, with ``DATABASE_URL`` pointing at the
benchmark's own database (``bench/<size>.sqlite3``; on PostgreSQL ``<name>_<size>`` beside the database named
in ``DATABASE_URL``). Datasets are built once (``bench.datasets``: bulk inserts, COPY on PostgreSQL) and reused;
``--rebuild`` drops them first, to time a run from nothing. The wall time of each phase and of the whole run,
with the load average, goes in the "Run" section. The latest figures of every combination are kept in
``bench/results.json``; ``bench/results.md`` is written from them and printed. ``--scale F`` (a trial run,
every dataset and import file shrunk by F) keeps its results apart and writes ``bench/results-small.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from bench.datasets import SIZE_NAMES
from bench.report import render
from bench.targets import BENCH_DIR, RESULTS_JSON, RESULTS_MD, ROOT
from bench.workers import setup, worker_import, worker_pages


# =========================================================================== databases
def database_url(db: str, name: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{BENCH_DIR / f'{name}.sqlite3'}"
    base = urlparse(os.environ["DATABASE_URL"])
    stem = base.path.lstrip("/") or "gm_bench"
    return urlunparse(base._replace(path=f"/{stem}_{name}"))


TEMPLATE = "template"  # an empty database, migrated once a run, that each new benchmark database copies
# Timed requests of each page, cold and warm, and runs of its floor, at LA and national sizes: an odd number, so
# the median is one of them; eleven, so a few slow ones (a stalled machine) barely move it.
REQUESTS = 11
_migrated: set[str] = set()


def ensure_postgres_database(url: str, template: str | None = None) -> bool:
    """Create the database unless it exists (from ``template`` if given); returns whether it was created."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return True


def _exists(db: str, database: str) -> bool:
    if db == "sqlite":
        return (BENCH_DIR / f"{database}.sqlite3").exists()
    import psycopg

    parsed = urlparse(database_url(db, database))
    with psycopg.connect(urlunparse(parsed._replace(path="/postgres")), autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [parsed.path.lstrip("/")]).fetchone())


def ensure_database(db: str, database: str) -> None:
    """A benchmark database that does not exist yet starts as a copy of the template, migrated once a run (a
    file copy, or PostgreSQL's ``CREATE DATABASE … TEMPLATE``): migrating each new database from nothing took
    ~20 s apiece."""
    if database == TEMPLATE or _exists(db, database):
        if db == "postgres":
            ensure_postgres_database(database_url(db, database))
        return
    if db not in _migrated:
        child("migrate", db, TEMPLATE, [])
        _migrated.add(db)
    if db == "sqlite":
        for suffix in (".sqlite3", ".sqlite3-wal"):
            if (BENCH_DIR / f"{TEMPLATE}{suffix}").exists():
                shutil.copyfile(BENCH_DIR / f"{TEMPLATE}{suffix}", BENCH_DIR / f"{database}{suffix}")
    else:
        template = urlparse(database_url(db, TEMPLATE)).path.lstrip("/")
        ensure_postgres_database(database_url(db, database), template)


def child(task: str, db: str, name: str, extra: list[str], database: str | None = None) -> dict:
    """Run one worker in a fresh process against its own database (``database``, default ``name``); returns
    its JSON report."""
    ensure_database(db, database or name)
    url = database_url(db, database or name)
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
    if subprocess.run(command, cwd=ROOT, env=env).returncode:
        # A dataset build that failed half-way (SQLite without its journal) is not rolled back.
        raise SystemExit(f"bench: {task} on {db} ({name}) failed; if a dataset build failed, run with --rebuild")
    report = json.loads(out.read_text())
    out.unlink(missing_ok=True)
    return report


# =========================================================================== main
def _save(key: str, report: dict, path: Path = RESULTS_JSON) -> dict:
    """Merge one report into bench/results.json (read afresh: another run may have written meanwhile)."""
    results = json.loads(path.read_text()) if path.exists() else {}
    results[key] = report
    path.write_text(json.dumps(results, indent=1, sort_keys=True))
    return results


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


class Phases:
    """The wall time of each phase of a run (a child process: dataset build if needed, then its measurements)
    and of the whole run, with the machine's load average at the start and end of each."""

    def __init__(self):
        self.started, self.load_start, self.clock = _now(), _load(), time.perf_counter()
        self.phases: list[dict] = []

    def timed(self, name: str, fn):
        load, clock = _load(), time.perf_counter()
        report = fn()
        seconds = time.perf_counter() - clock
        build = report.get("build") or {}
        self.phases.append(
            {
                "phase": name,
                "seconds": round(seconds, 1),
                "build_seconds": round(build.get("seconds", 0.0), 1) if build.get("built") else 0.0,
                "spent": report.get("spent", {}),
                "load_start": load,
                "load_end": _load(),
            }
        )
        built = f", of which {build['seconds']:.0f} s building the dataset" if build.get("built") else ""
        print(f"  -- {name}: {seconds:.0f} s{built}", flush=True)
        return report

    def record(self, **about) -> dict:
        minutes = (time.perf_counter() - self.clock) / 60
        return {
            "started": self.started,
            "ended": _now(),
            "minutes": round(minutes, 1),
            "load_start": self.load_start,
            "load_end": _load(),
            "nproc": os.cpu_count(),
            "phases": self.phases,
            **about,
        }


def drop_datasets(dbs: list[str], names: list[str]) -> None:
    """``--rebuild``: remove the benchmark's databases, so the run builds every dataset from nothing."""
    for name in names:
        if "sqlite" in dbs:
            for suffix in ("", "-wal", "-shm", "-journal"):
                (BENCH_DIR / f"{name}.sqlite3{suffix}").unlink(missing_ok=True)
        if "postgres" in dbs:
            import psycopg

            parsed = urlparse(database_url("postgres", name))
            admin = urlunparse(parsed._replace(path="/postgres"))
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}" WITH (FORCE)')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="all", help="la, national, single_la or all (default: every size)")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="time each page's first request after an import eleven times (three for the single LA of 22,000 "
        "schools; else once), beside the warm requests",
    )
    parser.add_argument("--cold-repeat", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=float, default=None, help=argparse.SUPPRESS)  # try the bench out small
    parser.add_argument(
        "--db",
        default="auto",
        help="sqlite, postgres, all, or auto (sqlite, plus postgres when DATABASE_URL is a PostgreSQL URL)",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=None,
        help="timed warm requests per page, and runs of its raw-SQL floor (default 11; 3 for the single LA of "
        "22,000 schools, where a ranked list's CSV takes seconds)",
    )
    parser.add_argument("--no-imports", action="store_true", help="skip the import throughput runs")
    parser.add_argument("--imports-only", action="store_true", help="only the import throughput runs")
    parser.add_argument(
        "--rebuild", action="store_true", help="drop the benchmark's datasets first and build them from nothing"
    )
    parser.add_argument(
        "--ks2-file",
        default=None,
        help="the DfE KS2 performance-tables CSV the national-size KS2 import is made from "
        "(default: tests/data/dfe/ks2_2018-19_936_surrey.csv)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        setup()
        if args.scale:
            from bench.datasets import scale

            scale(args.scale)
        if args.worker == "migrate":  # the template database: setup() has migrated it
            from django.db import connections

            connections.close_all()  # SQLite: its journal checkpointed into the file that is copied
            report = {}
        elif args.worker == "pages":
            report = worker_pages(args.size, args.requests or REQUESTS, args.cold_repeat or 1)
        else:
            report = worker_import(args.worker.removeprefix("import-"), args.ks2_file)
        Path(args.out).write_text(json.dumps(report, indent=1))
        return 0

    postgres_url = os.environ.get("DATABASE_URL", "")
    has_pg = postgres_url.startswith(("postgres://", "postgresql://"))
    dbs = {"auto": ["sqlite"] + (["postgres"] if has_pg else []), "all": ["sqlite", "postgres"]}.get(args.db, [args.db])
    if "postgres" in dbs and not has_pg:
        parser.error("--db postgres needs DATABASE_URL=postgres://user@host:port/name")
    sizes = list(SIZE_NAMES) if args.size == "all" else [args.size]
    # A shrunken trial run keeps databases and results of its own (``small-`` keys, bench/results-small.*).
    small = "small-" if args.scale else ""
    store = BENCH_DIR / "results-small.json" if args.scale else RESULTS_JSON
    scaled = ["--scale", str(args.scale)] if args.scale else []
    databases = [f"{size}_small" if args.scale else size for size in sizes] + [f"{small}import".replace("-", "_")]
    if args.rebuild:
        drop_datasets(dbs, [*databases, TEMPLATE])
    phases = Phases()
    results = json.loads(store.read_text()) if store.exists() else {}
    for db in dbs:
        # Imports first: on a quiet server, as a user's file meets one — after the page datasets' million-row
        # builds PostgreSQL imported the long file at 37,800 rows/s, on a fresh server 47,000–51,000.
        if not args.no_imports:
            for kind in ("long", "ks2"):
                print(f"== import: {kind} on {db}", flush=True)
                extra = ["--ks2-file", str(Path(args.ks2_file).resolve())] if args.ks2_file else []
                report = phases.timed(
                    f"import: {kind} on {db}",
                    lambda db=db, kind=kind, extra=[*extra, *scaled]: child(
                        f"import-{kind}", db, "import", extra, database=f"{small}import".replace("-", "_")
                    ),
                )
                print(
                    f"  {report['rows']:,} rows in {report['seconds']} s = {report['rows_per_s']:,} rows/s, "
                    f"peak RSS {report['peak_rss_mb']} MB",
                    flush=True,
                )
                results = _save(f"{small}import:{db}:{kind}", report, store)
        if not args.imports_only:
            for size in sizes:
                print(f"== pages: {size} size on {db}", flush=True)
                # The single LA of 22,000 schools: three of each (its CSV of every school takes seconds).
                requests = args.requests or (3 if size == "single_la" else REQUESTS)
                cold = args.cold_repeat or ((3 if size == "single_la" else REQUESTS) if args.cold else 1)
                extra = ["--requests", str(requests), "--cold-repeat", str(cold), *scaled]
                database = f"{size}_small" if args.scale else size
                report = phases.timed(
                    f"pages: {size} on {db}",
                    lambda db=db, size=size, extra=extra, database=database: child(
                        "pages", db, size, extra, database=database
                    ),
                )
                results = _save(f"{small}pages:{db}:{size}", report, store)
    run = phases.record(
        command=" ".join(["python -m bench.run", *(sys.argv[1:] if argv is None else argv)]),
        sizes=sizes,
        databases=dbs,
        cold=args.cold,
        scale=args.scale,
        rebuilt=args.rebuild,
        imports=not args.no_imports,
        pages=not args.imports_only,
    )
    print(f"== bench run took {run['minutes']} min", flush=True)
    results = _save(f"{small}run", run, store)
    text = render(results, prefix=small)
    (BENCH_DIR / "results-small.md" if args.scale else RESULTS_MD).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
