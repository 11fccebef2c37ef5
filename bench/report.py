"""``bench/results.md``: the latest figures of every database and size, cold and warm, against the targets."""

from __future__ import annotations

import json

from bench.targets import (
    BENCH_DIR,
    EVERY_SCHOOL_CSV_MS,
    FLOOR_RATIO,
    LA_PAGE_MS,
    LA_PAGE_QUERIES,
    NATIONAL_PAGE_MS,
    RANKED,
)
from bench.verdicts import verdicts

INTRO = (
    "Written by `make bench` (`python -m bench.run --cold`); do not edit by hand. Each page is requested through "
    "Django's test client (middleware, session, auth, queries, templates; no network). **Cold** is the first "
    "request after an import: a result of the LA written through the admin's save (its pooled figures "
    "refreshed in the same transaction) and the re-judging task it queues run as the worker would, once per "
    "size before its first page; then, before each cold request, Django's compiled templates dropped and the "
    "request memo emptied — no warm layer but the database's own — repeated n times, a round of every page at "
    "a time (median and p95). "
    "**Warm** is the same page requested again and again. "
    "Queries are counted on a cold and on a warm request. The **floor** is the same figures fetched by plain "
    "hand-written SQL GROUP BYs over the results, with indexes of their own made after the pages are timed "
    "(`bench/floors.py`), run n times in rounds too; **ratio** = page median ÷ floor median. "
    "The pandas column computes the same groupings from a DataFrame already in memory."
)
SIZES = {
    "la": "LA size",
    "national": "NATIONAL size (~150 LAs)",
    "single_la": "SINGLE-LA worst case (22,000 schools in one LA)",
}


def _ms(value) -> str:
    return "–" if value is None else (f"{value:.0f}" if value >= 100 else f"{value:.1f}")


def _mark(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def _machine_lines(results: dict) -> list[str]:
    machines: dict[str, set] = {}
    for item in results.values():
        if "machine" not in item:
            continue
        stable = {k: v for k, v in item["machine"].items() if k not in ("database", "load", "load_before", "commit")}
        machines.setdefault(json.dumps(stable, sort_keys=True), set()).add(item["machine"]["database"])
    lines = ["## Machine", ""]
    for text, dbs in machines.items():
        m = json.loads(text)
        lines += [
            f"- {m['nproc']} cores (`nproc`), CPU {m['cpu']}, RAM {m['ram']}",
            f"- Python {m['python']}, Django {m['django']}, {', '.join(sorted(dbs))}",
            f"- {m['platform']}",
            "",
        ]
    return lines


def _page_targets(size: str, db: str, p: dict) -> list[tuple[str, str, bool]]:
    where = f"{SIZES[size]}, {db}: {p['page']}"
    out = []
    local = p.get("user") == "officer" and size in ("la", "national")
    if local and (size == "la" or db == "postgres"):
        out.append(
            (
                f"{where} cold median ≤ {LA_PAGE_MS} ms",
                f"{_ms(p['cold_median_ms'])} ms",
                p["cold_median_ms"] <= LA_PAGE_MS,
            )
        )
        worst = max(p["queries"], p.get("cold_queries", 0))
        out.append((f"{where} ≤ {LA_PAGE_QUERIES} queries", str(worst), worst <= LA_PAGE_QUERIES))
    if size != "la" and db == "postgres":
        if p["page"].startswith("All-LA page") or p["page"] in RANKED:
            out.append(
                (
                    f"{where} cold median ≤ {NATIONAL_PAGE_MS} ms",
                    f"{_ms(p['cold_median_ms'])} ms",
                    p["cold_median_ms"] <= NATIONAL_PAGE_MS,
                )
            )
        if p["page"].startswith("CSV of every school"):
            out.append(
                (
                    f"{where} cold ≤ {EVERY_SCHOOL_CSV_MS} ms",
                    f"{_ms(p['cold_median_ms'])} ms",
                    p["cold_median_ms"] <= EVERY_SCHOOL_CSV_MS,
                )
            )
    ratio = p.get("cold_ratio")
    out.append(
        (f"{where} cold ≤ {FLOOR_RATIO:g}× raw-SQL floor", f"{ratio}×", ratio is not None and ratio <= FLOOR_RATIO)
    )
    return out


def run_lines(run: dict | None) -> list[str]:
    """The "Run" section: when the latest run started and ended, its total, the load, and each phase."""
    if not run:
        return ["## Run", "", "No run recorded.", ""]
    if "phases" not in run:  # a run recorded before phases were
        return ["## Run", "", f"Last run: {run['minutes']} min (no phases recorded).", ""]
    datasets = "dropped first and built from nothing (`--rebuild`)" if run.get("rebuilt") else "reused where built"
    lines = [
        "## Run",
        "",
        f"- Command: `{run.get('command') or 'python -m bench.run' + (' --cold' if run.get('cold') else '')}` — "
        f"sizes {', '.join(run['sizes'])} on {', '.join(run['databases'])}; datasets {datasets}"
        + (f"; **shrunken ×{run['scale']}**" if run.get("scale") else "")
        + ".",
        f"- Started {run['started']}, ended {run['ended']}: **{run['minutes']} min** in all, on "
        f"{run.get('nproc', '?')} cores; load average {run['load_start']} at the start, {run['load_end']} at the end.",
        "",
        "| Phase | wall s | of which dataset build s | of which measuring s | load at start → end |",
        "|---|---:|---:|---|---|",
    ]
    for phase in run["phases"]:
        spent = "; ".join(f"{name} {seconds:,.0f}" for name, seconds in phase.get("spent", {}).items()) or "–"
        lines.append(
            f"| {phase['phase']} | {phase['seconds']:,.0f} | {phase['build_seconds']:,.0f} | {spent} | "
            f"{phase['load_start']} → {phase['load_end']} |"
        )
    total_build = sum(phase["build_seconds"] for phase in run["phases"])
    lines += [
        "",
        f"Dataset builds took {total_build / 60:.1f} min of the {run['minutes']} min. A table below from a size or "
        "database this run did not measure is from an earlier run: each states when it was taken.",
        "",
    ]
    return lines


def render(results: dict, prefix: str = "") -> str:
    """``prefix``: "small-" renders a shrunken trial run's results (``--scale``) instead of the real ones."""
    results = {k.removeprefix(prefix): v for k, v in results.items() if k.startswith(prefix)} if prefix else results
    lines = ["# gapmonitor benchmark results", "", INTRO, ""]
    if prefix:
        lines += ["**A shrunken trial run (`--scale`): not comparable with the targets.**", ""]
    lines += _machine_lines(results)
    lines += run_lines(results.get("run"))
    lines += ["## Targets of the issue", "", "| Target | measured | result |", "|---|---|---|"]
    summary = verdicts(results)
    lines += [f"| {name} | {value} | {ok} |" for name, value, ok in summary]
    passed = sum(1 for *_x, ok in summary if ok == "PASS")
    failed = sum(1 for *_x, ok in summary if ok == "FAIL")
    lines += ["", f"{passed} PASS, {failed} FAIL, {len(summary) - passed - failed} n/a of {len(summary)}.", ""]
    targets = []
    for key in sorted(k for k in results if k.startswith("pages:")):
        item = results[key]
        _, db, size = key.split(":")
        if size not in SIZES:
            continue
        d = item["dataset"]
        m = item["machine"]
        lines += [
            f"## Pages — {SIZES[size]} on {m['database']} (taken {item['taken']}, load average "
            f"{m.get('load_before', '?')} at the start, {m.get('load', '?')} at the end, "
            f"code {m.get('commit') or '?'})",
            "",
            f"{d.get('las', 1)} LAs, {d.get('all_schools', d['schools']):,} schools, {d['results']:,} results rows; "
            f"the LA measured has {d['schools']:,} schools, {d['areas']} areas, {d['clusters']} clusters, years "
            f"{', '.join(map(str, d['years']))}.",
            "",
            "| Page | as | cold median ms | cold p95 ms | n | warm median ms | warm p95 ms | n | queries cold / warm "
            "| raw SQL floor ms (queries) | pandas ms | ratio cold | ratio warm |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for p in item["pages"]:
            lines.append(
                f"| {p['page']} | {p.get('user', 'officer')} | {_ms(p.get('cold_median_ms'))} | "
                f"{_ms(p.get('cold_p95_ms'))} | {p.get('cold_n', 1)} | {_ms(p['median_ms'])} | {_ms(p['p95_ms'])} | "
                f"{p['n']} | {p.get('cold_queries', '–')} / {p['queries']} | {_ms(p['sql_median_ms'])} "
                f"({p['sql_queries']}) | {_ms(p['pandas_median_ms'])} | {p.get('cold_ratio')}× | {p['ratio']}× |"
            )
            if "cold_median_ms" in p:
                targets += _page_targets(size, db, p)
        lines.append("")
    imports = sorted(k for k in results if k.startswith("import:"))
    if imports:
        lines += [
            "## Imports",
            "",
            "Whole import (read, validate every row, compare with the database, write in one transaction, refresh "
            "the pooled figures in it), then rolled back so the run can be repeated. The KS2 file's preview (every "
            "row read, checked and compared, nothing written) is timed before it. Peak memory is the process's "
            "peak resident size (`resource.getrusage`): after the preview, after the import; and before reading.",
            "",
            "| Database | File | rows | facts | preview s | import s | rows/s | facts/s | peak RSS MB preview / "
            "import (before) | taken |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for key in imports:
            item = results[key]
            lines.append(
                f"| {item['machine']['database']} | {item['file']} ({item['format']}) | {item['rows']:,} | "
                f"{item['facts']:,} | {item.get('preview_seconds') or '–'} | {item['seconds']} | "
                f"{item['rows_per_s']:,} | {item['facts_per_s']:,} | {item.get('preview_peak_rss_mb') or '–'} / "
                f"{item['peak_rss_mb']} ({item['rss_before_mb']}) | {item['taken']} |"
            )
        lines.append("")
    lines += ["## Each page against its targets", "", "| Target | measured | result |", "|---|---:|---|"]
    lines += [f"| {name} | {value} | {_mark(ok)} |" for name, value, ok in targets]
    passed = sum(1 for *_x, ok in targets if ok)
    lines += ["", f"{passed} of {len(targets)} page targets met.", ""]
    notes = BENCH_DIR / "notes.md"
    if notes.exists():
        lines += [notes.read_text().rstrip(), ""]
    return "\n".join(lines)
