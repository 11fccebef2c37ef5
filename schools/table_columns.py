"""Cells and columns of the gap tables (django-tables2): how one figure, gap or interval is written, with a
``definition`` for the export's definitions row and an ``export_value`` that keeps figures as numbers and markers
(SUPP, NE…) as they are. Presentation only."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from .findings import number, pupil_count
from .gaps import Figure, code_label
from .house_style import results_year_label
from .trends import standing

NONE_SORT = float("-inf")


def _sortable(value):
    return NONE_SORT if value is None else value


def figure_text(figure: Figure | None, measure) -> str:
    if figure is None or figure.value is None:
        return figure.marker() if figure else "–"
    places = 1 if getattr(measure, "is_percent", True) else 2
    suffix = "%" if getattr(measure, "is_percent", False) else ""
    return f"{figure.value:.{places}f}{suffix}"


def figure_with_count(figure: Figure | None, measure) -> str:
    """ "44.4% (4 of 9)": every figure shows how many pupils it rests on."""
    count = pupil_count(figure, measure)
    return f"{figure_text(figure, measure)} ({count})" if count else figure_text(figure, measure)


def figure_html(figure: Figure | None, measure):
    if figure is None or figure.value is None:
        code = figure.code if figure else ""
        return format_html(
            '<span class="suppressed" title="{}">{}</span>', code_label(code), (figure.marker() if figure else "–")
        )
    count = pupil_count(figure, measure)
    if count:
        return format_html('{} <span class="count">({})</span>', figure_text(figure, measure), count)
    return figure_text(figure, measure)


def gap_html(value: float | None, significant: bool | None = None, measure=None, missing: str = ""):
    """A gap in words saying which way is good: "behind 11.0", "ahead 4.2" (or "higher"/"lower" for rates);
    ``missing`` says why there is no gap when the reason is not a missing or suppressed figure."""
    if value is None:
        if missing:
            return format_html('<span class="no-comparator">– <span class="note">{}</span></span>', missing)
        return format_html('<span class="suppressed" title="{}">–</span>', "No gap: a figure is missing or suppressed")
    text = standing(measure, value)
    if significant is False:
        return format_html(
            '<span class="not-significant">{} <abbr title="not significant: the 95% interval '
            'includes 0">ns</abbr></span>',
            text,
        )
    return text


class DefinedColumn(tables.Column):
    def __init__(self, *args, definition: str = "", exclude_from_export: bool = False, **kwargs):
        self.definition = definition
        self.exclude_from_export = exclude_from_export
        kwargs.setdefault("attrs", {})
        super().__init__(*args, **kwargs)


class NumberColumn(DefinedColumn):
    def __init__(self, *args, places: int = 1, **kwargs):
        self.places = places
        kwargs.setdefault("attrs", {"td": {"class": "num"}, "th": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return number(value, self.places) if isinstance(value, (int, float)) else value

    def export_value(self, record, name):
        value = record.get(name)
        return round(value, 2) if isinstance(value, float) else value


class YearColumn(NumberColumn):
    """A results year, shown as its academic year ("2024/25"); exports keep the results year (2025), the code
    imports and URLs use."""

    def render(self, value):
        return results_year_label(value)


class FigureColumn(DefinedColumn):
    """A Figure cell: the value, or its marker (suppressed, no entries…)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "num"}, "th": {"class": "num"}})
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    def render(self, value, record):
        return figure_html(value, record["measure"])

    def export_value(self, record, name):
        figure = record.get(name)
        if figure is None:
            return None
        return round(figure.value, 2) if figure.value is not None else figure.marker()


class GapColumn(DefinedColumn):
    """A gap in points; "ns" when its 95% interval includes 0."""

    def __init__(self, *args, significance_key: str | None = None, **kwargs):
        self.significance_key = significance_key
        kwargs.setdefault("attrs", {"td": {"class": "num"}, "th": {"class": "num"}})
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    def render(self, value, record, bound_column):
        significant = record.get(self.significance_key) if self.significance_key else None
        return gap_html(
            value, significant, record.get("measure"), record.get("missing_reasons", {}).get(bound_column.name, "")
        )

    def export_value(self, record, name):
        value = record.get(name)
        return round(value, 2) if value is not None else record.get("missing_reasons", {}).get(name) or "–"


class IntervalColumn(DefinedColumn):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "num"}, "th": {"class": "num"}})
        kwargs.setdefault("empty_values", ())
        kwargs.setdefault("orderable", False)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return f"{value[0]:.1f} to {value[1]:.1f}" if value else "–"

    def export_value(self, record, name):
        value = record.get(name)
        return f"{value[0]:.1f} to {value[1]:.1f}" if value else ""


class LinkColumn(DefinedColumn):
    def render(self, value, record):
        url = record.get("url")
        return format_html('<a href="{}">{}</a>', url, value) if url else value
