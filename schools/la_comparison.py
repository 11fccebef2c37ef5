"""Every LA's gaps side by side, against England and against its statistical neighbours (the all-LA page).

For each LA × measure, in one results year: the focus group's and its comparison group's figure — the LA's own
published figure (the DfE's LA rows, or LAIT) where it has one for both groups, else the figure pooled from its
schools' rows (``schools.published.published_first``, decided per LA and measure, never mixed) — and

- the gap within the LA: comparison − focus, sign flipped for lower-is-better measures, so a positive gap
  means the focus group is behind (``schools.gaps.gap``);
- the gap against other pupils nationally, the DfE's convention for disadvantaged pupils (the LA's focus group
  against England's comparison group);
- the LA's gap minus England's gap, and minus the mean gap of its statistical neighbours (the DfE's children's
  services statistical neighbours, the simple mean over those neighbours held here, as the DfE averages
  neighbours' published values): positive = the LA's gap is wider.

Every figure passes ``schools.disclosure.disclose`` for the viewer. A fixed number of queries whatever the
number of LAs: the LAs, their pooled and published figures (one indexed read each of the pooled-figure table),
England, the neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass

from .access import compared_las, disclosure_groups
from .figures import for_user, la_figures, national_figures, published_figures, years_with_figures
from .gaps import MISSING, Figure, gap
from .models import LocalAuthority, Measure, PupilGroup, StatisticalNeighbour
from .published import PUBLISHED, published_first


@dataclass(frozen=True)
class LaGap:
    """One LA's gaps for one measure and year (None where a figure is missing or suppressed)."""

    la: LocalAuthority
    measure: Measure
    source: str  # "published" or "pooled"
    focus: Figure
    comparison: Figure
    gap: float | None
    gap_vs_national_comparison: float | None
    vs_england: float | None
    neighbours_gap: float | None
    neighbours: int  # neighbours with a gap, of those listed for the LA
    vs_neighbours: float | None

    @property
    def source_label(self) -> str:
        return "Published (DfE LA figure)" if self.source == PUBLISHED else "Pooled from school rows"


@dataclass(frozen=True)
class LaComparison:
    year: int | None
    years: list[int]
    england_gap: dict[str, float | None]  # measure code → England's gap
    rows: dict[str, list[LaGap]]  # measure code → one row per LA, in the LAs' order


def _difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def comparison_years(user) -> list[int]:
    """Results years with figures in any LA the user may compare (one query)."""
    return years_with_figures("la", compared_las(user).values("pk"))


def la_gaps(
    user, *, measures, focus: PupilGroup, groups: dict[str, PupilGroup], years: list[int], year: int | None = None
) -> LaComparison:
    """Every LA the user may compare (``access.compared_las``), each measure, in ``year`` (default: the latest
    of ``years``, from :func:`comparison_years`). Five queries, whatever the number of LAs."""
    comparison = focus.comparison
    las = list(compared_las(user))
    ids = [la.pk for la in las]
    if year is None or year not in years:
        year = years[-1] if years else None
    out_rows: dict[str, list[LaGap]] = {m.code: [] for m in measures}
    if year is None or not las:
        return LaComparison(year=year, years=years, england_gap={}, rows=out_rows)
    codes = [focus.code, comparison.code, "all"]
    fetched = disclosure_groups(user, codes, groups)
    measure_codes = [m.code for m in measures]
    pooled = for_user(user, la_figures(ids, measures=measure_codes, groups=fetched, years=[year]), groups)
    published = for_user(user, published_figures(ids, measures=measure_codes, groups=fetched, years=[year]), groups)
    england = national_figures(measures=measure_codes, groups=codes, years=[year])
    neighbours: dict[str, list[str]] = {}
    for la_code, other in StatisticalNeighbour.objects.filter(la_code__in=[la.code for la in las]).values_list(
        "la_code", "neighbour_code"
    ):
        neighbours.setdefault(la_code, []).append(other)
    by_la: dict[int, tuple[dict, dict]] = {pk: ({}, {}) for pk in ids}
    for table, index in ((pooled, 0), (published, 1)):
        for (la_id, *key), figure in table.items():
            by_la[la_id][index][tuple(key)] = figure
    chosen: dict[tuple[int, str], tuple[str, Figure, Figure]] = {}
    for la in las:
        merged, sources = published_first(
            *by_la[la.pk], measures=measure_codes, years=[year], required=(focus.code, comparison.code)
        )
        for code in measure_codes:
            chosen[(la.pk, code)] = (
                sources[code],
                merged.get((year, code, focus.code)) or MISSING,
                merged.get((year, code, comparison.code)) or MISSING,
            )
    by_code = {la.code: la.pk for la in las}
    england_gap = {}
    for measure in measures:
        code = measure.code
        national_focus, national_comparison = (england.get((year, code, g)) for g in (focus.code, comparison.code))
        england_gap[code] = gap(measure, national_focus, national_comparison)
        gaps_here = {pk: gap(measure, chosen[(pk, code)][1], chosen[(pk, code)][2]) for pk in ids}
        for la in las:
            source, focus_figure, comparison_figure = chosen[(la.pk, code)]
            if not any(f.value is not None or f.suppressed for f in (focus_figure, comparison_figure)):
                continue  # no figure for this measure in the LA (e.g. no secondary schools' results yet)
            own = gaps_here[la.pk]
            theirs = [gaps_here[by_code[c]] for c in neighbours.get(la.code, []) if c in by_code]
            theirs = [g for g in theirs if g is not None]
            neighbours_gap = sum(theirs) / len(theirs) if theirs else None
            out_rows[code].append(
                LaGap(
                    la=la,
                    measure=measure,
                    source=source,
                    focus=focus_figure,
                    comparison=comparison_figure,
                    gap=own,
                    gap_vs_national_comparison=gap(measure, focus_figure, national_comparison),
                    vs_england=_difference(own, england_gap[code]),
                    neighbours_gap=neighbours_gap,
                    neighbours=len(theirs),
                    vs_neighbours=_difference(own, neighbours_gap),
                )
            )
    return LaComparison(year=year, years=years, england_gap=england_gap, rows=out_rows)
