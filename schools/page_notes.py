"""What the gap pages say beside their figures: the LA's published figure next to the pooled one, the pupils a
pooled figure covers, results years that cover too few of the LA's schools, and a school's context.

Presentation only: the figures come from ``schools.selectors`` (``schools.figures``) and ``schools.published``.
"""

from __future__ import annotations

from .coverage_counts import coverage
from .exports import ExportTable
from .house_style import results_year_label
from .published import PUBLISHED
from .reference_data import NOT_PUBLISHED, NOT_PUBLISHED_WHY, PANDEMIC_GAP
from .table_columns import figure_text


def published_export(rows: list[dict], la, opts, *, notes: str = "") -> ExportTable:
    """The published-and-pooled table as a CSV/XLSX export, each column defined."""
    focus, comparison = opts.focus.name.lower(), opts.comparison.name.lower()
    columns = [
        ("measure", "Measure", "The headline measure."),
        ("year", "Year", "Results year."),
        ("source", "Headline uses", "Published where the LA has a published figure for every year shown."),
        ("published_focus", f"Published: {focus}", "The LA row of the DfE performance tables."),
        ("published_comparison", f"Published: {comparison}", "The LA row of the DfE performance tables."),
        ("published_gap", "Published gap", f"{comparison} − {focus}, published figures; positive = focus behind."),
        ("published_cohort", "Published cohort", f"{opts.focus.name} pupils in the LA row."),
        ("pooled_focus", f"Pooled: {focus}", "Σ achievers ÷ Σ pupils over the school rows."),
        ("pooled_comparison", f"Pooled: {comparison}", "Σ achievers ÷ Σ pupils over the school rows."),
        ("pooled_gap", "Pooled gap", f"{comparison} − {focus}, pooled figures; positive = focus behind."),
        ("pooled_cohort", "Pooled over (pupils)", f"{opts.focus.name} pupils the pooled value is computed over."),
        ("difference", "Difference", "What the difference between the published and pooled figures is."),
    ]
    body = [
        {
            **r,
            "published_gap": None if r["published_gap"] is None else round(r["published_gap"], 2),
            "pooled_gap": None if r["pooled_gap"] is None else round(r["pooled_gap"], 2),
        }
        for r in rows
    ]
    return ExportTable(
        title=f"{la.name}: published and pooled LA figures, {focus} pupils", columns=columns, rows=body, notes=notes
    )


def published_table(head, opts) -> list[dict]:
    """Each headline measure: the DfE's published LA figure and gap beside the pooled ones, and why they differ.
    Empty when the LA has no published figure for any of them."""
    if not any(pair.has_published for pair in head.comparisons):
        return []
    out = []
    for pair in head.comparisons:
        measure = pair.measure
        out.append(
            {
                "measure": measure.short_name or measure.name,
                "year": pair.year,
                "source": ("Published" if head.sources.get(measure.code) == PUBLISHED else "Pooled"),
                "published_focus": figure_text(pair.published_focus, measure),
                "published_comparison": figure_text(pair.published_comparison, measure),
                "published_gap": pair.published_gap,
                "published_cohort": pair.published_cohort,
                "pooled_focus": figure_text(pair.pooled_focus, measure),
                "pooled_comparison": figure_text(pair.pooled_comparison, measure),
                "pooled_gap": pair.pooled_gap,
                "pooled_cohort": pair.pooled_cohort,
                "difference": pair.difference(opts.focus.name),
            }
        )
    return out


def pooled_lines(rows, opts) -> list[str]:
    """How many pupils each pooled headline figure of an area or cluster covers."""
    lines = []
    for row in rows:
        focus, comparison = row.current.focus, row.current.comparison
        if not row.year or focus.value is None:
            continue
        name = row.measure.short_name or row.measure.name
        other = f" and {comparison.denominator} {opts.comparison.name.lower()}" if comparison.value is not None else ""
        lines.append(
            f"{name} ({row.year}): pooled over {focus.denominator} {opts.focus.name.lower()} pupils"
            f"{other}, from {focus.schools} school{'' if focus.schools == 1 else 's'}."
        )
    return lines


def coverage_notes(la, rows, pairs, opts, *, org_years=()) -> list[str]:
    """A visible note for each year shown (headline rows, and the chosen measure in the tables below) that
    covers fewer than the configured share of the LA's open schools. One query (``coverage_counts.coverage``).
    ``org_years``: the years of the tables' rows when the rows themselves (``pairs``) are not built
    (``selectors.org_row_years``)."""
    measures = {row.measure.code: row.measure for row in rows}
    measures.setdefault(opts.measure.code, opts.measure)
    table_years = {row.year for _o, row in pairs if row.year} | {y for y in org_years if y}
    years = sorted({row.year for row in rows if row.year} | table_years)
    if not years:
        return []
    shown = {(row.year, row.measure.code) for row in rows if row.year}
    shown |= {(year, opts.measure.code) for year in table_years}
    found = coverage(la, measures=list(measures.values()), years=years, only=shown)
    return [found[key].note() for key in sorted(shown) if key in found and found[key].below_share]


def _percent(row, name) -> str:
    value = getattr(row, name)
    return f"{value}%" if value is not None else row.markers.get(name, "–")


def school_context(rows) -> list[dict]:
    """The context rows as (label, text) lists, each under its file and year."""
    out = []
    for row in rows:
        year = f"{row.year_label} (results year {row.results_year})"
        if row.source == "census":
            fsm = getattr(row, "fsm_pupils_figure", None)
            items = [
                ("Pupils on roll", row.number_on_roll if row.number_on_roll is not None else "–"),
                (
                    "Pupils eligible for FSM",
                    (
                        f"{fsm.value:.0f}"
                        if fsm is not None and fsm.value is not None
                        else (fsm.marker() if fsm is not None else "–")
                    ),
                ),
                ("FSM at any time in the past 6 years", _percent(row, "fsm6_percent")),
                ("SEN support", _percent(row, "sen_support_percent")),
                ("EHC plan", _percent(row, "ehcp_percent")),
                ("English as an additional language", _percent(row, "eal_percent")),
            ]
            title = "School census"
        elif row.source == "absence":
            items = [
                ("Overall absence (% of sessions)", _percent(row, "overall_absence_percent")),
                ("Persistent absence (% of pupils missing 10% or more)", _percent(row, "persistent_absence_percent")),
            ]
            title = "Absence, whole school, full year"
        else:
            items = [
                ("Type", row.school_type or "–"),
                ("Ages", row.age_range or "–"),
                ("Gender", row.gender or "–"),
                ("Religious character", row.religious_character or "–"),
                ("Admissions policy", row.admissions_policy or "–"),
            ]
            title = "School information"
        out.append({"title": title, "year": year, "items": items})
    return out


def not_published_note(measure, years) -> str:
    """Why a measure shows "NP" in some of the years on a page ("" when it shows none): the DfE published
    nothing for it that year, so the page has no figure rather than a zero."""
    missing = sorted(set(years) & set(NOT_PUBLISHED.get(measure.code, ())))
    if not missing:
        return ""
    why = NOT_PUBLISHED_WHY.get(measure.code, PANDEMIC_GAP)
    shown = ", ".join(results_year_label(year) for year in missing)
    return f"NP (not published) in {shown}: {why}. No figure is shown for those years, never a zero."
