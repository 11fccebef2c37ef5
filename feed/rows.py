"""Rows for the BI feed: the pooled figures at one level, as ``gap_report`` prints them, scoped to the
token's user and disclosed (suppressed) on the way out whatever the user's role."""

from __future__ import annotations

from reports import figures
from schools import access
from schools.figures import years_with_figures
from schools.gaps import Figure

FIELDS = [
    "level",
    "name",
    "code",
    "measure",
    "group",
    "comparison_group",
    "year",
    "cohort",
    "value",
    "comparison_cohort",
    "comparison_value",
    "gap",
    "national_comparison_value",
    "gap_vs_national",
    "trend",
    "gap_change",
    "suppressed",
    "data_status",
]


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


def _round(value):
    return None if value is None else round(float(value), 2)


def _cohort(figure: Figure) -> int | None:
    return None if figure.suppressed else figure.cohort


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
            current = row.current
            rows.append(
                {
                    "level": level,
                    "name": org.name,
                    "code": org.code if level == "la" else org.urn if level == "school" else org.pk,
                    "measure": measure.code,
                    "group": focus.code,
                    "comparison_group": focus.comparison.code,
                    "year": row.year,
                    "cohort": _cohort(current.focus),
                    "value": _round(current.focus.value),
                    "comparison_cohort": _cohort(current.comparison),
                    "comparison_value": _round(current.comparison.value),
                    "gap": _round(current.within),
                    "national_comparison_value": _round(current.national_comparison.value),
                    "gap_vs_national": _round(current.vs_national),
                    "trend": row.trend.classification if row.trend else None,
                    "gap_change": _round(row.trend.change) if row.trend else None,
                    "suppressed": current.focus.suppressed or current.comparison.suppressed,
                    "data_status": current.focus.status or None,
                }
            )
    return rows
