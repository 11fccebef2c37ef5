"""What the benchmark is held to, and where it keeps its results."""

from __future__ import annotations

from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_JSON = BENCH_DIR / "results.json"
RESULTS_MD = BENCH_DIR / "results.md"

# Every page of an LA (at LA size, and each LA's pages in the national dataset): median cold request.
LA_PAGE_MS = 150
LA_PAGE_QUERIES = 20
# National size on PostgreSQL: the all-LA page and any ranked list (cold), the CSV of every school.
NATIONAL_PAGE_MS = 500
EVERY_SCHOOL_CSV_MS = 2000
FLOOR_RATIO = 3.0  # each page, cold, within 3× of its raw-SQL floor
LONG_IMPORT_ROWS_PER_S = 50_000  # long template, including the refresh of the pooled figures
KS2_PREVIEW_S = 10  # a national KS2 file (16,500 schools)
KS2_CONFIRM_S = 30
KS2_PEAK_MB = 1024
BENCH_MINUTES = 45  # the whole `make bench`, both sizes on both databases, on 2 cores
RANKED = ("Priority list", "Gap busters", "Cluster RAG board")
