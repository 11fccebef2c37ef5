"""What the benchmark is held to, and where it keeps its results."""

from __future__ import annotations

from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_JSON = BENCH_DIR / "results.json"
RESULTS_MD = BENCH_DIR / "results.md"

# Targets: an LA page under 150 ms in at most 20 queries, a national page under 1 s on PostgreSQL, the
# pooled figures within 3× of a hand-written SQL floor, the long template imported at 20,000 rows/s.
LA_PAGE_MS = 150
LA_PAGE_QUERIES = 20
NATIONAL_PG_MS = 1000
FLOOR_RATIO = 3.0
LONG_IMPORT_ROWS_PER_S = 20_000
