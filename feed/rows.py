"""Rows for the BI feed: the pooled figures at one level, as ``gap_report`` prints them, scoped to the
token's user and disclosed (suppressed) on the way out whatever the user's role."""

from __future__ import annotations

from reports import figures
from schools import access
from schools.figures import years_with_figures
from schools.gap_export import ROW_FIELDS, export_row

FIELDS = [*ROW_FIELDS, "gap_change", "suppressed", "data_status"]


def organisations(user, level: str):
    """The organisations at ``level`` the user may see, and the schools whose results pool into them."""
    schools = access.visible_schools(user)
    found = {
        "la": access.visible_las(user),
        "area": access.visible_areas(user),
        "cluster": access.visible_clusters(user),
        "school": schools,
    }[level]
    return found.order_by("name", "pk"), schools


def figure_rows(user, level: str, *, measures, focus, groups, year: int | None) -> list[dict]:
    """One row per organisation × measure for the year (default: each organisation's latest)."""
    orgs, schools = organisations(user, level)
    orgs = list(orgs)
    if not orgs:
        return []
    years = years_with_figures("school", schools.order_by().values("pk"))
    if year is not None:
        years = [y for y in years if y <= year]
    by_measure = figures.org_rows(
        level, schools, orgs, measures=measures, focus=focus, groups=groups, years=years, year=year
    )
    rows = []
    for measure in measures:
        for org, row in by_measure.get(measure.code, []):
            if year is not None and row.year != year:
                continue
            rows.append(export_row(level, org, row))
    return rows
