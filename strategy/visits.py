"""Visit reports written from the data: the school's figures as the school page leads with them, the gaps
the gap engine flags, and the actions agreed at the last visit to review.

The DCSF National Strategies "Quality standards and criteria for LA self-evaluation" (2009, standard 2.4)
asks that a SIP report be accurate and supported by evidence, identify the issues for action and give a
clear agenda: so the figures discussed are frozen into the report, one results year per measure (named),
each gap stated the way the school page states it — the focus group here against the comparison group
nationally (the DfE's convention), positive when the focus group is behind.

Every figure passes through ``schools.disclosure.disclose`` as a viewer who does not see small cohorts
sees it: a visit report is one document, read by the head, the governors and the LA alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from gapmonitor.conf import conf
from schools.disclosure import disclose, needed_groups, partitions_of
from schools.figures import figures, national_figures_by_basis, national_for
from schools.gap_rows import build_row
from schools.gaps import Comparator
from schools.judgements import Reason
from schools.models import Measure, PupilGroup, School
from schools.selectors import pupil_groups

from .models import Action, Rag, VisitReport, year_label
from .selectors import actions_with_updates

SNAPSHOT_GROUPS = ("disadvantaged", "fsm", "sen_any", "eal")
SNAPSHOT_LOOKBACK = 6  # results years before the visit searched for the latest figures
SNAPSHOT_VERSION = 2  # rows without "version": stored before, with the within-school gap (see snapshot_rows)


def academic_results_year(day: date) -> int:
    """The results year of the academic year a date falls in (September starts a new one)."""
    return day.year + 1 if day.month >= 9 else day.year


def latest_results_year(as_of: date) -> int:
    """The latest results year a visit on ``as_of`` can discuss: results of an academic year arrive in July."""
    last = academic_results_year(as_of)
    return last - 1 if as_of < date(last, 7, 15) else last


def snapshot_groups() -> list[PupilGroup]:
    return list(
        PupilGroup.objects.filter(code__in=SNAPSHOT_GROUPS, comparison__isnull=False).select_related("comparison")
    )


def visit_figures(school: School, *, as_of: date, measures=None, groups=None) -> list[dict]:
    """The school's figures for a visit on ``as_of``: for each headline measure, the latest results year in
    which the school has figures for it (up to ``as_of``), and in that year only, one row per focus group.

    Each row states the gap against national (focus group here vs comparison group nationally), the same
    gap the year before, England's own gap, and the gap engine's flags (``GapRow.judgement``). Plain JSON:
    ``record_visit`` freezes it into the report, the form shows it before saving."""
    measures = list(Measure.objects.filter(headline=True)) if measures is None else list(measures)
    groups = [g for g in (snapshot_groups() if groups is None else groups) if g.comparison_id]
    if not measures or not groups:
        return []
    last = latest_results_year(as_of)
    years = list(range(last - SNAPSHOT_LOOKBACK, last + 1))
    partitions = partitions_of(pupil_groups())
    codes = {g.code for g in groups} | {g.comparison.code for g in groups} | {"all"}
    measure_codes = {m.code for m in measures}
    here = figures(school, measures=measure_codes, groups=needed_groups(codes, partitions), years=years)
    basis, national = national_for(
        school, national_figures_by_basis(measures=measure_codes, groups=codes, years=years)
    )  # special schools and AP: their own type only
    shown = disclose(here, viewer_sees_small_cohorts=False, partitions=partitions)
    national = disclose(national, viewer_sees_small_cohorts=False, partitions=partitions)
    pair_codes = {g.code for g in groups} | {g.comparison.code for g in groups}
    rows = []
    for measure in measures:
        present = [y for (y, code, group) in here if code == measure.code and group in pair_codes]
        if not present:
            continue
        year = max(present)
        for group in groups:
            row = build_row(
                measure, group, group.comparison, shown, national, years=years, year=year, national_basis=basis
            )
            if row.year == year:  # a group with no figures in the measure's year is left out, not back-filled
                rows.append(_row(row))
    return rows


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _row(row) -> dict:
    measure, current = row.measure, row.current
    earlier = [y for y in row.years if y < row.year and row.series.get(y) and row.series[y].vs_national is not None]
    previous = earlier[-1] if earlier else None
    flags = [Reason.LABELS[reason] for reason in row.judgement().priority]
    return {
        "version": SNAPSHOT_VERSION,
        "measure": measure.code,
        "measure_name": measure.short_name or measure.name,
        "unit": measure.unit,
        "higher_is_better": measure.higher_is_better,
        "group": row.focus_group.code,
        "group_name": row.focus_group.name,
        "comparison": row.comparison_group.code,
        "comparison_name": row.comparison_group.name,
        "comparator": Comparator.NATIONAL,
        "year": row.year,
        "year_label": year_label(row.year),
        "status": current.focus.status,
        "focus_value": _rounded(current.focus.value),
        "focus_cohort": current.focus.cohort,
        "focus_marker": current.focus.code,
        "national_comparison_value": _rounded(current.national_comparison.value),
        "gap": _rounded(current.vs_national),
        "significant": row.significant(Comparator.NATIONAL),
        "previous_year": previous,
        "previous_year_label": year_label(previous) if previous else "",
        "previous_gap": _rounded(row.series[previous].vs_national) if previous else None,
        "national_gap": _rounded(row.national_gap),
        "flags": flags,
        "suppressed": current.focus.suppressed,
    }


# --------------------------------------------------------------------------- what the pages show
def gap_key(row: dict) -> str:
    return f"{row['measure']}:{row['group']}"


def gap_sentence(row: dict) -> str:
    """ "KS2 RWM expected, Disadvantaged: 22 points behind other pupils nationally (2023/24)"."""
    unit = "percentage points" if row.get("unit") == "percent" else "points"
    gap = row.get("gap")
    if gap is None:
        said = "no gap shown (small group)" if row.get("suppressed") else "no gap"
    elif round(gap, 1) == 0:
        said = f"in line with {row['comparison_name'].lower()} nationally"
    else:
        side = "behind" if gap > 0 else "ahead of"
        said = f"{abs(gap):.1f} {unit} {side} {row['comparison_name'].lower()} nationally"
    return f"{row['measure_name']}, {row['group_name']}: {said} ({row.get('year_label') or year_label(row['year'])})"


def flagged(rows: list[dict]) -> list[dict]:
    """The rows the gap engine flags for challenge (as the priority list does)."""
    return [row for row in rows if row.get("flags")]


def focus_choices(rows: list[dict]) -> list[tuple[str, str]]:
    """(key, label) for each flagged gap: the focus areas an adviser can pick."""
    return [(gap_key(row), f"{gap_sentence(row)} — {'; '.join(row['flags']).lower()}") for row in flagged(rows)]


def focus_area_for(rows: list[dict], key: str) -> str:
    """The focus area's wording for a flagged gap (kept under the judgement's 160 characters)."""
    row = next(row for row in rows if gap_key(row) == key)
    return gap_sentence(row)[:160]


def snapshot_rows(rows: list[dict], *, show_small: bool) -> list[dict]:
    """Stored rows as a viewer may see them. Rows written since one results year per measure was stored
    (``version``) were disclosed before storing and come back as they are. Earlier rows hold the figures as
    they were, with ``suppressed`` / ``previous_suppressed`` recording what ``disclose`` hid that day (rows
    without those hide small cohorts and, having no counts for it, the year before)."""
    threshold = conf.suppression_threshold
    out = []
    for row in rows:
        if row.get("version"):
            out.append(row)
            continue
        if "suppressed" in row and "previous_suppressed" in row:
            current, previous = row["suppressed"], row["previous_suppressed"]
        else:
            cohorts = [row.get("focus_cohort"), row.get("comparison_cohort")]
            current = any(c is not None and c < threshold for c in cohorts)
            previous = row.get("previous_gap") is not None
        hide_previous = (previous or current) and not show_small
        out.append(
            {
                **row,
                "suppressed": current and not show_small,
                "previous_gap": None if hide_previous else row.get("previous_gap"),
                "year_label": year_label(row["year"]),
                "previous_label": year_label(row["previous_year"]) if row.get("previous_year") else "",
            }
        )
    return out


def years_by_measure(rows: list[dict]) -> dict[str, int]:
    """{measure name: the one results year its rows come from} (rows stored before one year per measure
    was kept may name several; the latest is given)."""
    out: dict[str, int] = {}
    for row in rows:
        out[row["measure_name"]] = max(out.get(row["measure_name"], 0), row["year"])
    return out


def years_text(rows: list[dict]) -> str:
    """ "KS2 RWM expected 2023/24; KS4 Attainment 8 2023/24": the one results year of each measure."""
    return "; ".join(f"{name} {year_label(year)}" for name, year in years_by_measure(rows).items())


# --------------------------------------------------------------------------- the last visit's actions
def previous_visit(school: School, *, before: VisitReport | None = None) -> VisitReport | None:
    """The school's latest visit report (before ``before``, when editing it)."""
    reports = VisitReport.objects.filter(school=school)
    if before is not None:
        reports = reports.filter(
            Q(visit_date__lt=before.visit_date) | Q(visit_date=before.visit_date, pk__lt=before.pk)
        )
    return reports.order_by("-visit_date", "-pk").first()


def actions_to_review(school: School, *, before: VisitReport | None = None) -> tuple[VisitReport | None, list[Action]]:
    """(last visit, the actions agreed at it with their latest update): reviewed at this visit."""
    last = previous_visit(school, before=before)
    if last is None:
        return None, []
    return last, list(actions_with_updates(Action.objects.filter(source_visit=last)).order_by("pk"))


# --------------------------------------------------------------------------- the report, on a page or on paper
def rag_on(action: Action, day: date) -> str:
    """The action's RAG as it stood on ``day`` (its latest update dated then or before)."""
    updates = [u for u in action.updates.all() if u.date <= day]
    latest = max(updates, key=lambda u: (u.date, u.pk), default=None)
    return latest.rag if latest else ""


def rag_label(rag: str) -> str:
    return Rag(rag).label if rag else "No update yet"


@dataclass
class VisitContent:
    """What a visit report says, in the order a head and chair of governors read it (the page, the print
    view and the PDF/Word document all take it from here)."""

    report: VisitReport
    figures: list[dict]
    years: dict[str, int]
    focus_areas: list
    last_visit: VisitReport | None
    reviewed: list[tuple[Action, str, str]]  # (action agreed at the last visit, its RAG on this visit's day, label)
    agreed: list[Action]

    @property
    def years_text(self) -> str:
        return years_text(self.figures)

    @property
    def legacy(self) -> bool:
        """Stored before one results year per measure was kept: the gap then was within the school."""
        return any(not row.get("version") for row in self.figures)


def visit_content(report: VisitReport, *, show_small: bool) -> VisitContent:
    figures = snapshot_rows(report.gap_snapshot, show_small=show_small)
    last, reviewed = actions_to_review(report.school, before=report)
    return VisitContent(
        report=report,
        figures=figures,
        years=years_by_measure(figures),
        focus_areas=list(report.judgements.all()),
        last_visit=last,
        reviewed=[(action, rag, rag_label(rag)) for action in reviewed for rag in [rag_on(action, report.visit_date)]],
        agreed=list(actions_with_updates(report.agreed_actions.all()).order_by("pk")),
    )
