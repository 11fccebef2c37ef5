"""The issue's targets, one line each per database where the issue names one: the worst measured value, PASS or
FAIL, or n/a with the reason (not measured in the latest results, or not a target there). The per-page lines
behind them are ``bench.report``'s detailed table.

Each verdict is ``(target, measured, result)`` where ``result`` is "PASS", "FAIL" or "n/a: <why>".
"""

from __future__ import annotations

from bench.targets import (
    BENCH_MINUTES,
    EVERY_SCHOOL_CSV_MS,
    FLOOR_RATIO,
    KS2_CONFIRM_S,
    KS2_PEAK_MB,
    KS2_PREVIEW_S,
    LA_PAGE_MS,
    LA_PAGE_QUERIES,
    LONG_IMPORT_ROWS_PER_S,
    NATIONAL_PAGE_MS,
    RANKED,
)

DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
PG = ("postgres",)  # the issue holds the national sizes to their targets on PostgreSQL
EVERY_SCHOOL_CSV = "CSV of every school"


def _ms(value) -> str:
    return f"{value:,.0f} ms"


def _every(pages: list[dict], measure, limit, unit) -> tuple[str, str]:
    """The worst page and how many pages meet the limit (``measure``: a page's value, smaller is better)."""
    worst = max(pages, key=measure)
    passed = sum(1 for p in pages if measure(p) is not None and measure(p) <= limit)
    value = f"worst {unit(measure(worst))} ({worst['page']}); {passed} of {len(pages)} pages within"
    return value, "PASS" if passed == len(pages) else "FAIL"


def _cold(p: dict) -> float:
    return p["cold_median_ms"]


def _queries(p: dict) -> int:
    return max(p["queries"], p.get("cold_queries", 0))


def _ratio(p: dict) -> float:
    return p["cold_ratio"] if p.get("cold_ratio") is not None else float("inf")


def _missing(key: str) -> str:
    return f"n/a: not measured (no `{key}` in bench/results.json; run `python -m bench.run --cold`)"


def page_verdicts(results: dict, prefix: str = "") -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []

    def pages(db: str, size: str, select=lambda p: True) -> tuple[str, list[dict] | None]:
        key = f"{prefix}pages:{db}:{size}"
        item = results.get(key)
        if item is None:
            return key, None
        return key, [p for p in item["pages"] if "cold_median_ms" in p and select(p)]

    def every(target: str, db: str, size: str, select, measure, limit, unit) -> None:
        key, chosen = pages(db, size, select)
        name = f"{target} — {DATABASES[db]}"
        if chosen is None:
            out.append((name, "–", _missing(key)))
        elif not chosen:
            out.append((name, "–", "n/a: no such page in the results"))
        else:
            out.append((name, *_every(chosen, measure, limit, unit)))

    def local(p: dict) -> bool:
        return p.get("user", "officer") == "officer"

    def ranked(p: dict) -> bool:
        return p["page"] in RANKED

    def all_la(p: dict) -> bool:
        return p["page"].startswith("All-LA page")

    def every_school(p: dict) -> bool:
        return p["page"].startswith(EVERY_SCHOOL_CSV)

    cold_ms = (_cold, LA_PAGE_MS, _ms)
    queries = (_queries, LA_PAGE_QUERIES, str)
    national_ms = (_cold, NATIONAL_PAGE_MS, _ms)
    csv_ms = (_cold, EVERY_SCHOOL_CSV_MS, _ms)
    floor = (_ratio, FLOOR_RATIO, lambda r: f"{r}×")
    single = "Single LA of 22,000 schools"
    specs = [
        (f"LA size (500 schools): every page cold median ≤ {LA_PAGE_MS} ms", DATABASES, "la", local, cold_ms),
        (f"LA size: every page ≤ {LA_PAGE_QUERIES} queries (cold and warm)", DATABASES, "la", local, queries),
        (f"National (~150 LAs): an LA's every page cold median ≤ {LA_PAGE_MS} ms", PG, "national", local, cold_ms),
        (f"National: an LA's every page ≤ {LA_PAGE_QUERIES} queries", PG, "national", local, queries),
        (f"National: the all-LA page cold median ≤ {NATIONAL_PAGE_MS} ms", PG, "national", all_la, national_ms),
        (f"National: every ranked list cold median ≤ {NATIONAL_PAGE_MS} ms", PG, "national", ranked, national_ms),
        (f"National: an LA's CSV of every school cold ≤ {EVERY_SCHOOL_CSV_MS:,} ms", PG, "national", every_school)
        + (csv_ms,),
        (f"{single}: every ranked list cold median ≤ {NATIONAL_PAGE_MS} ms", PG, "single_la", ranked, national_ms),
        (f"{single}: the CSV of every school cold ≤ {EVERY_SCHOOL_CSV_MS:,} ms", PG, "single_la", every_school)
        + (csv_ms,),
    ]
    for size, where in (("la", "LA size"), ("national", "National"), ("single_la", "Single LA")):
        specs.append((f"{where}: each page cold ≤ {FLOOR_RATIO:g}× its raw-SQL floor", DATABASES, size, None, floor))
    for target, dbs, size, select, (measure, limit, unit) in specs:
        for db in dbs:
            every(target, db, size, select or (lambda p: True), measure, limit, unit)
    return out


def import_verdicts(results: dict, prefix: str = "") -> list[tuple[str, str, str]]:
    out = []
    for db, name in DATABASES.items():
        key = f"{prefix}import:{db}:long"
        item = results.get(key)
        target = f"Import, long format ≥ {LONG_IMPORT_ROWS_PER_S:,} rows/s with the aggregate refresh — {name}"
        if item is None:
            out.append((target, "–", _missing(key)))
        else:
            rate = item["rows_per_s"]
            out.append((target, f"{rate:,} rows/s", "PASS" if rate >= LONG_IMPORT_ROWS_PER_S else "FAIL"))
        key = f"{prefix}import:{db}:ks2"
        item = results.get(key)
        checks = (
            (
                f"national KS2 file (16,500 schools) previewed ≤ {KS2_PREVIEW_S} s",
                "preview_seconds",
                KS2_PREVIEW_S,
                "s",
            ),
            (f"national KS2 file confirmed ≤ {KS2_CONFIRM_S} s", "seconds", KS2_CONFIRM_S, "s"),
            (f"national KS2 file peak memory ≤ {KS2_PEAK_MB:,} MB", "peak_rss_mb", KS2_PEAK_MB, "MB"),
        )
        for words, field, limit, unit in checks:
            target = f"Import, {words} — {name}"
            value = None if item is None else item.get(field)
            if item is None:
                out.append((target, "–", _missing(key)))
            elif value is None:
                out.append((target, "–", f"n/a: `{field}` not recorded"))
            else:
                out.append((target, f"{value:,} {unit}", "PASS" if value <= limit else "FAIL"))
    return out


def run_verdict(results: dict, prefix: str = "") -> tuple[str, str, str]:
    target = f"`make bench`: both sizes on both databases ≤ {BENCH_MINUTES} min on 2 cores"
    run = results.get(f"{prefix}run")
    if run is None:
        return target, "–", _missing(f"{prefix}run")
    measured = f"{run['minutes']} min"
    if prefix or run.get("scale"):
        return target, measured, "n/a: a shrunken trial run (`--scale`)"
    missing = []
    if not {"la", "national"} <= set(run["sizes"]):
        missing.append("not every size")
    if len(run["databases"]) < 2:
        missing.append("one database only")
    if not run.get("cold", True):
        missing.append("without `--cold`")
    if not run.get("imports", True) or not run.get("pages", True):
        missing.append("pages or imports skipped")
    if missing:
        return target, measured, f"n/a: the last run was partial ({', '.join(missing)})"
    return target, measured, "PASS" if run["minutes"] <= BENCH_MINUTES else "FAIL"


def verdicts(results: dict, prefix: str = "") -> list[tuple[str, str, str]]:
    return [*page_verdicts(results, prefix), *import_verdicts(results, prefix), run_verdict(results, prefix)]
