"""bench/results.md as ``make bench`` writes it: the Run section (start, end, total, load, each phase) and one
line per target of the issue with the measured value and PASS, FAIL or n/a with its reason. Plain data in,
text out: no database, no timing."""

from bench.report import render
from bench.verdicts import verdicts


def _page(name, cold, *, user="officer", queries=12, ratio=1.5):
    return {
        "page": name,
        "url": "/",
        "user": user,
        "queries": queries,
        "cold_queries": queries,
        "bytes": 1,
        "median_ms": cold,
        "p95_ms": cold,
        "n": 5,
        "cold_median_ms": cold,
        "cold_p95_ms": cold,
        "cold_n": 5,
        "sql_median_ms": cold / ratio,
        "sql_queries": 2,
        "sql_rows": 1,
        "pandas_median_ms": 1.0,
        "ratio": ratio,
        "cold_ratio": ratio,
    }


def _pages(*pages):
    return {
        "machine": {"database": "SQLite 3", "nproc": 2, "cpu": "x", "ram": "1 GiB", "python": "3", "django": "5"}
        | {"platform": "linux", "load": "1.0 1.0 1.0", "load_before": "0.5 0.5 0.5", "commit": "abc"},
        "build": {"built": True, "seconds": 12.0},
        "pages": list(pages),
        "dataset": {"schools": 500, "results": 10, "years": [2025], "clusters": 1, "areas": 1},
        "taken": "2026-12-01 05:00 UTC",
    }


RUN = {
    "started": "2026-12-01 05:00:00 UTC",
    "ended": "2026-12-01 05:30:00 UTC",
    "minutes": 30.0,
    "load_start": "1.0 1.0 1.0",
    "load_end": "2.0 2.0 2.0",
    "nproc": 2,
    "phases": [
        {"phase": "pages: la on sqlite", "seconds": 600.0, "build_seconds": 40.0}
        | {"spent": {"writes before cold requests": 12.0, "cold requests": 300.0}}
        | {"load_start": "1.0", "load_end": "2.0"}
    ],
    "sizes": ["la", "national", "single_la"],
    "databases": ["sqlite", "postgres"],
    "cold": True,
    "scale": None,
    "rebuilt": True,
    "imports": True,
    "pages": True,
}


def _verdict(results, start):
    return next(v for v in verdicts(results) if v[0].startswith(start))


def test_every_page_target_takes_the_worst_page():
    results = {"pages:sqlite:la": _pages(_page("LA overview", 120.0), _page("Priority list", 180.0, queries=25))}
    name, measured, result = _verdict(results, "LA size (500 schools): every page cold median ≤ 150 ms — SQLite")
    assert (measured, result) == ("worst 180 ms (Priority list); 1 of 2 pages within", "FAIL")
    assert _verdict(results, "LA size: every page ≤ 20 queries (cold and warm) — SQLite")[1:] == (
        "worst 25 (Priority list); 1 of 2 pages within",
        "FAIL",
    )
    assert _verdict(results, "LA size: each page cold ≤ 3× its raw-SQL floor — SQLite")[2] == "PASS"


def test_a_target_not_measured_says_why():
    name, measured, result = _verdict({}, "Single LA of 22,000 schools: every ranked list")
    assert name.endswith("— PostgreSQL")
    assert measured == "–"
    assert result.startswith("n/a: not measured (no `pages:postgres:single_la`")


def test_whole_bench_passes_only_for_a_full_run():
    assert _verdict({"run": RUN}, "`make bench`")[1:] == ("30.0 min", "PASS")
    partial = RUN | {"databases": ["sqlite"]}
    assert _verdict({"run": partial}, "`make bench`")[2] == "n/a: the last run was partial (one database only)"
    assert _verdict({"run": RUN | {"minutes": 50.0}}, "`make bench`")[2] == "FAIL"


def test_results_md_has_the_run_section_and_the_targets():
    results = {"run": RUN, "pages:sqlite:la": _pages(_page("LA overview", 120.0))}
    text = render(results)
    assert "Started 2026-12-01 05:00:00 UTC, ended 2026-12-01 05:30:00 UTC: **30.0 min** in all, on 2 cores" in text
    assert "load average 1.0 1.0 1.0 at the start, 2.0 2.0 2.0 at the end" in text
    assert "| pages: la on sqlite | 600 | 40 | writes before cold requests 12; cold requests 300 | 1.0 → 2.0 |" in text
    assert "| `make bench`: both sizes on both databases ≤ 45 min on 2 cores | 30.0 min | PASS |" in text
    assert "| LA size (500 schools): every page cold median ≤ 150 ms — SQLite | worst 120 ms (LA overview)" in text


def test_a_trial_run_renders_its_own_results():
    results = {"run": RUN, "small-run": RUN | {"scale": 0.05}}
    text = render(results, prefix="small-")
    assert "shrunken ×0.05" in text
    assert "| 30.0 min | n/a: a shrunken trial run (`--scale`) |" in text
