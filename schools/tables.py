"""django-tables2 tables for the gap pages. Presentation only: figures come from GapRows.

Every column carries a ``definition`` (exported in the definitions row) and an ``export_value`` that keeps
figures as numbers and markers (SUPP, NE…) as they are.
"""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from gapmonitor.conf import conf

from .gap_rows import GapRow
from .gaps import Comparator
from .judgements import BusterReason, Reason
from .table_columns import (
    DefinedColumn,
    FigureColumn,
    GapColumn,
    IntervalColumn,
    LinkColumn,
    NumberColumn,
    YearColumn,
    _sortable,
)
from .trends import TrendClass


# --------------------------------------------------------------------------- records
def record(row: GapRow, kind: str, *, name: str = "", url: str = "", extra: dict | None = None) -> dict:
    """A flat dict for one GapRow, used by every table and export (the trend is the chosen comparator's)."""
    row = row.for_comparator(kind)
    current = row.current
    trend = row.trend
    data = {
        "name": name,
        "url": url,
        "measure": row.measure,
        "measure_name": row.measure.short_name or row.measure.name,
        "year": row.year,
        "focus": current.focus,
        "comparison": current.comparison,
        "national_focus": current.national_focus,
        "national_comparison": current.national_comparison,
        "cohort": current.focus.denominator,
        "comparison_cohort": current.comparison.denominator,
        "focus_ci": current.focus.interval(row.measure.unit) if current.focus.value is not None else None,
        "within": current.within,
        "vs_national": current.vs_national,
        "like": current.like_for_like,
        "chosen": current.get(kind),
        "chosen_label": row.label(kind),
        "within_sig": row.significant(Comparator.WITHIN),
        "vs_national_sig": row.significant(Comparator.NATIONAL),
        "like_sig": row.significant(Comparator.LIKE),
        "chosen_sig": row.significant(kind),
        "trend": (trend.label + (" (ns)" if trend.significant is False else "")) if trend else TrendClass.label(None),
        "trend_code": trend.classification if trend else "",
        "trend_change": trend.change if trend else None,
        "trend_window": ", ".join(map(str, trend.years)) if trend else "",
        "stubborn": "Yes" if row.stubborn else "No",
        "status": (current.focus.status or "").capitalize() or "–",
        "focus_sort": _sortable(current.focus.value),
        "comparison_sort": _sortable(current.comparison.value),
        "cohort_sort": _sortable(current.focus.denominator),
        "within_sort": _sortable(current.within),
        "vs_national_sort": _sortable(current.vs_national),
        "like_sort": _sortable(current.like_for_like),
        "chosen_sort": _sortable(current.get(kind)),
        "trend_sort": _sortable(trend.change if trend else None),
        "row": row,
        "missing_reasons": national_missing_reasons(row.national_note, kind),
    }
    if extra:
        data.update(extra)
    return data


def national_missing_reasons(note: str, kind: str = "") -> dict[str, str]:
    """Why the national gap columns are empty for a school compared only with its own type of school."""
    if not note:
        return {}
    reasons = {"vs_national": note, "like": note}
    if kind and kind != Comparator.WITHIN:
        reasons["chosen"] = note
    return reasons


GAP_DEFINITION = (
    "{label}: comparison value − focus value ({unit}); sign flipped for lower-is-better measures, "
    'so a positive gap means the focus group is behind (shown as "behind 11.0" / "ahead 4.2"; '
    'for absence and suspensions "higher (worse)" / "lower (better)").'
)
TREND_DEFINITION = (
    "Change in the gap ({label}) over the last {window} published years comparable with this one "
    "(never across a series break; fewer than two with figures: no trend): "
    + "; ".join(f"{TrendClass.LABELS[c]} — {TrendClass.EXPLANATIONS[c]}" for c in TrendClass.LABELS)
    + ' "(ns)": the change is within its 95% margin.'
)


# Short column headers; the full comparator is spelt out once, in the table's key (``GapTableBase.key``).
SHORT_GAP_HEADERS = {"within": "Gap here", "national": "Gap vs England", "like": "Gap vs same group"}


def _gap_definitions(focus_name: str, comparison_name: str) -> dict[str, str]:
    return {
        kind: GAP_DEFINITION.format(label=Comparator.label(kind, focus_name, comparison_name), unit="points")
        for kind in Comparator.CHOICES
    }


class GapTableBase(tables.Table):
    cohort = NumberColumn(
        verbose_name="Pupils",
        order_by="cohort_sort",
        places=0,
        definition="Pupils in the focus group that the value is computed over (above school "
        "level: pupils in schools with a published figure).",
    )
    focus = FigureColumn(
        verbose_name="Focus group",
        order_by="focus_sort",
        definition="The focus group's value: pooled Σ achievers ÷ Σ pupils (percent) or Σ points ÷ Σ pupils.",
    )
    focus_ci = IntervalColumn(
        verbose_name="95% CI", definition="95% Wilson confidence interval of the focus group's percentage."
    )
    comparison = FigureColumn(
        verbose_name="Comparison group", order_by="comparison_sort", definition="The comparison group's value here."
    )
    chosen = GapColumn(verbose_name="Gap", order_by="chosen_sort", significance_key="chosen_sig")
    within = GapColumn(verbose_name="Gap within", order_by="within_sort", significance_key="within_sig")
    vs_national = GapColumn(
        verbose_name="Gap vs national other pupils", order_by="vs_national_sort", significance_key="vs_national_sig"
    )
    like = GapColumn(verbose_name="Gap vs national same group", order_by="like_sort", significance_key="like_sig")
    trend = DefinedColumn(verbose_name="Trend", order_by="trend_sort", definition="")
    trend_window = DefinedColumn(verbose_name="Trend years", orderable=False, definition="The years the trend used.")
    status = DefinedColumn(verbose_name="Status", definition="Provisional, revised or final.")

    class Meta:
        orderable = True
        attrs = {"class": "gap-table"}
        template_name = "schools/includes/table.html"

    def __init__(
        self,
        data,
        *,
        focus_group=None,
        comparison_group=None,
        caption: str = "",
        kind: str = "",
        place: str = "here",
        **kwargs,
    ):
        super().__init__(data, **kwargs)
        self.caption = caption
        self.key = ""
        if focus_group is not None and comparison_group is not None:
            definitions = _gap_definitions(focus_group.name, comparison_group.name)
            key = []
            shown = [("within", "within"), ("national", "vs_national"), ("like", "like")]
            if kind and "chosen" in self.columns:
                shown.append((kind, "chosen"))
            for kind_, name in shown:
                if name in self.columns:
                    column = self.columns[name].column
                    column.definition = definitions[kind_]
                    column.verbose_name = SHORT_GAP_HEADERS[kind_]
                    if name in self.columns and self.columns[name].visible:
                        key.append(
                            f"{SHORT_GAP_HEADERS[kind_]}: "
                            f"{Comparator.label(kind_, focus_group.name, comparison_group.name, place)}"
                        )
            trend_kind = kind or Comparator.NATIONAL
            self.columns["trend"].column.definition = TREND_DEFINITION.format(
                label=Comparator.label(trend_kind, focus_group.name, comparison_group.name, place),
                window=conf.trend_window,
            )
            self.columns["trend"].column.verbose_name = "Trend"
            self.columns["focus"].column.verbose_name = focus_group.name
            self.columns["comparison"].column.verbose_name = "Comparison here"
            key.append(f"Comparison here: {comparison_group.name.lower()} ({place})")
            key.append(f"Trend: of the gap {Comparator.short(trend_kind)}, over comparable years")
            key.insert(0, "Pupils: in the focus group, the value's denominator; 95% CI: the value's 95% interval")
            self.key = (
                "; ".join(key)
                + '. A positive gap means the focus group is behind ("behind"; for absence and suspensions '
                '"higher (worse)"). ns: the 95% interval includes 0.'
            )


class MeasureGapTable(GapTableBase):
    """A scope's headline measures: all three gaps, each labelled."""

    measure_name = DefinedColumn(verbose_name="Measure", definition="The measure.")
    year = YearColumn(verbose_name="Year", places=0, definition="Results year (2024 = academic year 2023/24).")

    class Meta(GapTableBase.Meta):
        sequence = ("measure_name", "year", "...")
        exclude = ("chosen",)


class OrgGapTable(GapTableBase):
    """Areas, clusters or schools for one measure. Each row shows its latest year with figures; when those years
    differ the table gets a Year column (see :func:`mixes_years`), so it never mixes years silently."""

    name = LinkColumn(verbose_name="Name", definition="The area, cluster or school.")
    urn = NumberColumn(
        verbose_name="URN",
        places=0,
        definition="The school's unique reference number (DfE, Get Information About Schools).",
    )
    year = YearColumn(
        verbose_name="Year",
        places=0,
        definition="Results year of the row's figures (rows differ: the latest each one has).",
    )
    stubborn = DefinedColumn(
        verbose_name="Stubborn",
        definition="Stubborn gap: wider than England's gap in each of the last published, comparable years and "
        "not narrowing.",
    )

    class Meta(GapTableBase.Meta):
        sequence = ("name", "urn", "year", "...")
        exclude = ("within", "vs_national", "like")


def mixes_years(records) -> bool:
    return len({r["year"] for r in records if r.get("year")}) > 1


class PriorityTable(OrgGapTable):
    """The priority list: given one page of ranked schools by the database (``schools.stored_judgements``), in
    rank order (its columns do not sort: the order is the rank)."""

    rank = NumberColumn(verbose_name="Rank", places=0, definition="Rank by number of reasons, then gap vs national.")
    cluster = DefinedColumn(verbose_name="Cluster", definition="The school's cluster.")
    reasons = DefinedColumn(
        verbose_name="Reasons", orderable=False, definition="Why the school is listed (see each reason below)."
    )
    basis = DefinedColumn(
        verbose_name="Judged on",
        orderable=False,
        definition="The figures the reasons rest on: the year alone (large groups, significant "
        "differences) or the 3-year pooled figure (small groups).",
    )

    def explain_reasons(self, explanations: dict[str, str]) -> None:
        """Spell out each reason, thresholds filled in, in the definitions row of the exports."""
        self.columns["reasons"].column.definition = "; ".join(
            f"{Reason.LABELS[key]}: {text}" for key, text in explanations.items()
        )

    class Meta(OrgGapTable.Meta):
        sequence = ("rank", "name", "urn", "cluster", "reasons", "basis", "...")
        exclude = ("within", "vs_national", "like", "trend_window")
        orderable = False


class BusterTable(OrgGapTable):
    """The gap busters, one page in the database's order (as ``PriorityTable``)."""

    cluster = DefinedColumn(verbose_name="Cluster", definition="The school's cluster.")
    reasons = DefinedColumn(verbose_name="Why", orderable=False, definition="; ".join(BusterReason.LABELS.values()))
    basis = DefinedColumn(
        verbose_name="Judged on",
        orderable=False,
        definition="The figures the celebration rests on: the year alone (large groups, "
        "significant differences) or the 3-year pooled figure (small groups).",
    )
    story_url = DefinedColumn(
        verbose_name="Celebrate",
        orderable=False,
        exclude_from_export=True,
        definition="Start a success story from these figures.",
    )

    def render_story_url(self, value, record):
        return format_html(
            '<a href="{}">Start a story<span class="visually-hidden"> about {}</span></a>',
            value,
            record.get("name", ""),
        )

    class Meta(OrgGapTable.Meta):
        sequence = ("name", "urn", "cluster", "reasons", "basis", "...", "story_url")
        orderable = False


class SchoolFiguresTable(tables.Table):
    """Every figure a school has for one measure: group × year."""

    year = YearColumn(verbose_name="Year", places=0, definition="Results year (2024 = academic year 2023/24).")
    group = DefinedColumn(verbose_name="Group", definition="Pupil group.")
    cohort = NumberColumn(verbose_name="Pupils", places=0, definition="Pupils in the group.")
    focus = FigureColumn(verbose_name="Value", definition="The school's value for the group.")
    focus_ci = IntervalColumn(verbose_name="95% interval", definition="95% Wilson interval (percent measures).")
    comparison_name = DefinedColumn(verbose_name="Compared with", definition="The group's comparison group.")
    comparison = FigureColumn(verbose_name="Comparison value", definition="The comparison group's value here.")
    within = GapColumn(
        verbose_name="Gap within",
        significance_key="within_sig",
        definition=GAP_DEFINITION.format(label="Focus vs comparison group in the school", unit="points"),
    )
    vs_national = GapColumn(
        verbose_name="Gap vs national comparison group",
        significance_key="vs_national_sig",
        definition=GAP_DEFINITION.format(label="Focus group here vs comparison group nationally", unit="points"),
    )
    like = GapColumn(
        verbose_name="Gap vs national same group",
        significance_key="like_sig",
        definition=GAP_DEFINITION.format(label="Focus group here vs the same group nationally", unit="points"),
    )
    la_focus = FigureColumn(verbose_name="LA value", definition="The same group across the LA (pooled).")
    national_focus = FigureColumn(verbose_name="National value", definition="The same group in England.")
    status = DefinedColumn(verbose_name="Data status", definition="Provisional, revised or final.")

    class Meta:
        orderable = False
        template_name = "schools/includes/table.html"

    def __init__(self, data, *, caption: str = "", **kwargs):
        super().__init__(data, **kwargs)
        self.caption = caption
