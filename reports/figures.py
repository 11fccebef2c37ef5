"""Figure reads for documents and the feed: the same selectors and gap engine as the pages and
``gap_report``, with every figure passed through ``reports.disclosure.disclosed`` (whoever asks)."""

from __future__ import annotations

from schools import selectors
from schools.figures import (
    figures,
    figures_by,
    national_figures,
    national_figures_by_basis,
    national_for,
    years_with_results,
)
from schools.gap_rows import GapRow, build_row
from schools.gaps import Comparator
from schools.models import School

from .disclosure import disclosed, groups_to_fetch


def years_up_to(la, year: int | None) -> tuple[list[int], int | None]:
    """The LA's results years up to ``year`` (default: the latest), and the year itself."""
    years = years_with_results(la)
    if year is None:
        year = years[-1] if years else None
    return [y for y in years if year is None or y <= year], year


# Documents set the gap here beside England's own gap (tables "Gap here" / "England's gap"), so their trends and
# findings are about that same gap: the comparison group in the same school, area or LA.
WITHIN = Comparator.WITHIN


def _national(scope, measure_codes, codes, years) -> dict:
    """England's figures; for a special school or AP, its own type of school's (``schools.comparators``)."""
    if isinstance(scope, School):
        return national_for(scope, national_figures_by_basis(measures=measure_codes, groups=codes, years=years))[1]
    return national_figures(measures=measure_codes, groups=codes, years=years)


def scope_rows(scope, *, measures, focus, groups, years, year=None, la=None) -> list[GapRow]:
    """One GapRow per measure for an LA, area, cluster or school (with the LA's line when ``la`` is given)."""
    codes = [focus.code, focus.comparison.code, "all"]
    measure_codes = [m.code for m in measures]
    here = disclosed(figures(scope, measures=measure_codes, groups=groups_to_fetch(codes, groups), years=years), groups)
    national = _national(scope, measure_codes, codes, years)
    la_figures = None
    if la is not None:
        la_figures = disclosed(
            figures(la, measures=measure_codes, groups=groups_to_fetch(codes, groups), years=years), groups
        )
    rows = [
        build_row(m, focus, focus.comparison, here, national, years=years, year=year, la=la_figures, kind=WITHIN)
        for m in measures
    ]
    return [row for row in rows if row.series]


def org_rows(
    level: str, schools, organisations, *, measures, focus, groups, years, year=None
) -> dict[str, list[tuple[object, GapRow]]]:
    """{measure_code: [(organisation, GapRow)]} pooled from ``schools`` (already scoped), disclosed."""
    codes = [focus.code, focus.comparison.code, "all"]
    measure_codes = [m.code for m in measures]
    pooled = disclosed(
        figures_by(level, schools, measures=measure_codes, groups=groups_to_fetch(codes, groups), years=years),
        groups,
    )
    organisations = list(organisations)
    # Each school against its own type of school nationally (schools.comparators), other levels against England.
    nationals = selectors.nationals_for(level, organisations, measures=measure_codes, groups=codes, years=years)
    out = {}
    for measure in measures:
        rows = [
            (
                org,
                build_row(
                    measure,
                    focus,
                    focus.comparison,
                    pooled,
                    nationals[org.pk][1],
                    years=years,
                    year=year,
                    prefix=(org.pk,),
                    national_basis=nationals[org.pk][0],
                ),
            )
            for org in organisations
        ]
        out[measure.code] = [(org, row) for org, row in rows if row.series]
    return out


def every_group_rows(scope, *, measures, groups, years, year=None) -> list[GapRow]:
    """A GapRow for every focus group with a comparison group × measure (a school profile's full table)."""
    focusable = selectors.focus_groups(groups)
    codes = sorted({g.code for g in focusable} | {g.comparison.code for g in focusable} | {"all"})
    measure_codes = [m.code for m in measures]
    here = disclosed(figures(scope, measures=measure_codes, groups=groups_to_fetch(codes, groups), years=years), groups)
    national = _national(scope, measure_codes, codes, years)
    rows = []
    for measure in measures:
        for focus in focusable:
            row = build_row(measure, focus, focus.comparison, here, national, years=years, year=year, kind=WITHIN)
            if row.series and row.year == year:
                rows.append(row)
    return rows
