"""``bench/results.md``: the latest figures of every database and size, against the targets."""

from __future__ import annotations

import json

from bench.targets import BENCH_DIR, FLOOR_RATIO, LA_PAGE_MS, LA_PAGE_QUERIES, LONG_IMPORT_ROWS_PER_S, NATIONAL_PG_MS


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
    for item in results.values():
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
