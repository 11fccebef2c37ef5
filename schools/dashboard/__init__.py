"""Dashboard assembly: what each gap page shows, worked out without a request.

Each page has one function that takes the parsed :class:`Options` (and the organisation the page is about)
and returns the template's context, including the tables it exports, so the page and its CSV/XLSX exports
show the same figures. Figures come from ``schools.selectors`` (a fixed number of queries) and the gap engine
(``schools.gaps``, ``schools.gap_rows``, ``schools.judgements``); this package ranks, selects and lays them out:

- ``ranking``: the priority list (ranked by number of reasons, then gap vs national) and the gap busters;
- ``ranked_export``: the priority list's CSV of every school, streamed from the kept judgements;
- ``rag``: the cluster red/amber/green grid;
- ``places``: the LA, area, cluster and school pages, the benchmark table and per-group significance;
- ``summary``: the landing pages' one-screen summaries (school, school list, LA) and a measure's own page;
- ``national``: the all-LA page (every LA's gaps against England and its statistical neighbours);
- ``common``: the parsed options and the pieces every page shares.

Views parse the request, authorise, call one of these and render (``schools.views``).
"""

from .common import Options
from .national import national_page
from .places import area_page, cluster_page, la_overview_page, school_groups_page
from .rag import cluster_rag_page
from .ranked_export import priority_csv
from .ranking import gap_busters_page, priority_page
from .summary import la_summary, school_list_page, school_measure_page, school_page

__all__ = [
    "Options",
    "la_overview_page",
    "area_page",
    "cluster_page",
    "school_page",
    "school_groups_page",
    "school_measure_page",
    "school_list_page",
    "la_summary",
    "priority_page",
    "priority_csv",
    "gap_busters_page",
    "cluster_rag_page",
    "national_page",
]
