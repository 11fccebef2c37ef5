"""What every gap page shares: the parsed options, the gap tables, the findings and the status lines."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.urls import get_script_prefix, get_urlconf, reverse

from gapmonitor.conf import conf

from .. import access, charts, ranked_cells, selectors, stored_judgements
from ..filters import GapOptionsForm
from ..findings import findings_for
from ..gaps import Comparator, worst_status
from ..house_style import results_year_label
from ..judgements import single_year_min_cohort
from ..models import LocalAuthority, Measure, PupilGroup
from ..tables import MeasureGapTable, OrgGapTable, mixes_years, record

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


@dataclass
class Options:
    """The choices a gap page was asked for (parsed from the query string by ``schools.views``)."""

    la: LocalAuthority
    groups: dict
    measures: list
    headline: list
    years: list
    form: GapOptionsForm
    focus: PupilGroup
    comparison: PupilGroup
    kind: str
    measure: Measure
    year: int | None
    significant_only: bool
    reasons: list
    user: AbstractBaseUser | AnonymousUser | None = None

    @property
    def comparator_label(self) -> str:
        return Comparator.label(self.kind, self.focus.name, self.comparison.name)

    @property
    def measure_name(self) -> str:
        return self.measure.short_name or self.measure.name

    def query(
        self, measures: list | None = None, *, year: int | None | bool = True, all_pupils: bool = True
    ) -> selectors.RowQuery:
        """The rows this page asks for: ``measures`` (default: the chosen one) for the focus group, ending at the
        chosen year (``year=None``: each row's latest year); ``all_pupils`` False: rows without the all-pupils
        figure (``RowQuery.codes``), for tables and RAG cells."""
        return selectors.RowQuery(
            measures=[self.measure] if measures is None else list(measures),
            focus=self.focus,
            groups=self.groups,
            years=self.years,
            year=self.year if year is True else year,
            all_pupils=all_pupils,
        )

    def judgement_choices(self) -> dict:
        """What the judgements kept for this page's choices are kept by (``stored_judgements``): the LA, measure,
        focus group and year, and whether this viewer sees small cohorts."""
        return dict(
            la=self.la,
            measure=self.measure,
            focus=self.focus,
            year=self.year,
            sees_small=access.sees_small_cohorts(self.user),
        )

    def carry(self, url: str) -> str:
        """A link down that keeps the chosen group, comparator and measure (and a chosen year)."""
        return f"{url}?{self._carried}"

    @cached_property
    def _carried(self) -> str:
        """The query string ``carry`` adds (the same for every link of the page: a table of schools has ~100)."""
        query: dict[str, str | int] = {"group": self.focus.code, "comparator": self.kind, "measure": self.measure.code}
        if self.form.is_bound and self.form.data.get("year") and self.year:
            query["year"] = self.year
        return urlencode(query)


# A number no URL of the site holds but the one it is reversed into (``url_of``).
_MARKER = 987_654_321_012_345


def url_of(name: str, number: int) -> str:
    """``reverse(name, args=[number])`` for a URL with one integer argument (an area's or cluster's pk, a
    school's URN): reversed once per URL name, URLconf and script prefix, the number then written into it — a
    table of ~100 schools reversed each row's URL through the resolver (a fiftieth of an area page)."""
    key = (name, get_urlconf(), get_script_prefix())
    template = _url_templates.get(key)
    if template is None:
        template = _url_templates[key] = reverse(name, args=[_MARKER]).split(str(_MARKER))
    return str(number).join(template)


_url_templates: dict[tuple, list[str]] = {}


def status_summary(rows) -> list[str]:
    """ "2025 results: provisional" for each year shown, so the page says which figures may change. A year
    is as final as its least final figure (``gaps.worst_status``)."""
    by_year = defaultdict(set)
    for row in rows:
        if row.year and row.status:
            by_year[row.year].add(row.status)
    lines = ((year, worst_status(statuses)) for year, statuses in sorted(by_year.items()))
    return [f"{results_year_label(year)} results: {status}" for year, status in lines if status]


# Tables that list schools (by their prefix): each shows the URN beside the school's name, page and export.
SCHOOL_TABLE_PREFIXES = ("schools-", "priority-", "busters-")


def org_table(pairs, opts: Options, *, url, caption, prefix, table_class=OrgGapTable, extra=None, place="here"):
    """A gap table with one row per (organisation, row) pair; the Year column only when the years differ; the
    URN column in every table of schools (``SCHOOL_TABLE_PREFIXES``), never for areas or clusters."""
    data = [
        record(
            row,
            opts.kind,
            name=str(org.name),
            url=opts.carry(url(org)),
            extra={"urn": getattr(org, "urn", None), **(extra(org, row) if extra else {})},
        )
        for org, row in pairs
    ]
    return records_table(data, opts, caption=caption, prefix=prefix, table_class=table_class, place=place)


def school_table(opts: Options, schools, *, caption: str) -> tuple[OrgGapTable, list[int]]:
    """The table of ``schools`` (a scoped queryset) on the page's measure, and the years of its rows (what the
    coverage notes are about). Its records are read from the judgements kept for the page's choices when there
    are (``stored_judgements.kept_shown``: each school's row as this viewer's view sees it, kept on write by the
    code that builds a row, ``ranked_cells.shown_of``), else made from the schools' rows built now (``org_rows``):
    the same table either way (``tests/test_school_tables.py``)."""
    listed = schools.select_related(None)  # names and URNs: no school's LA, area or cluster is shown
    kept = stored_judgements.kept_shown(**opts.judgement_choices(), kind=opts.kind, schools=listed)
    if kept:
        records = [
            ranked_cells.table_record(
                kept[school.pk],
                opts.measure,
                name=str(school.name),
                url=opts.carry(url_of("schools:school", school.urn)),
                extra={"urn": school.urn},
            )
            for school in listed
            if school.pk in kept
        ]
        years = [r["year"] for r in records]
        return records_table(records, opts, caption=caption, prefix="schools-"), years
    pairs = org_rows(opts, "school", schools, listed)
    table = org_table(
        pairs, opts, url=lambda school: url_of("schools:school", school.urn), caption=caption, prefix="schools-"
    )
    return table, [row.year for _school, row in pairs]


def records_table(data, opts: Options, *, caption, prefix, table_class=OrgGapTable, place="here"):
    """``org_table`` of ready table records (``tables.record``'s dicts, each with its name, url and URN)."""
    if mixes_years(data):
        caption = f"{caption} (rows from different results years: see the Year column)"
        exclude = tuple(c for c in (table_class._meta.exclude or ()) if c != "year")
    else:
        exclude = tuple(table_class._meta.exclude or ()) + ("year",)
    if prefix not in SCHOOL_TABLE_PREFIXES:
        exclude += ("urn",)
    return table_class(
        data,
        focus_group=opts.focus,
        comparison_group=opts.comparison,
        caption=caption,
        kind=opts.kind,
        prefix=prefix,
        place=place,
        exclude=exclude,
    )


def headline_table(rows, opts: Options, *, caption, place) -> MeasureGapTable:
    return MeasureGapTable(
        [record(row, opts.kind) for row in rows],
        focus_group=opts.focus,
        comparison_group=opts.comparison,
        caption=caption,
        prefix="headline-",
        place=place,
    )


def trend_charts(rows, *, place, la_name=""):
    found = (
        charts.trend_chart(row, place=place, la_name=la_name, chart_id=f"chart-{row.measure.code}") for row in rows
    )
    return [c for c in found if c]


def export_notes(opts: Options) -> str:
    return (
        f"Focus group {opts.focus.name}, compared with {opts.comparison.name.lower()}. Values are pooled "
        f"(Σ achievers ÷ Σ pupils). Gaps: positive = focus group behind. SUPP = fewer than "
        f"{conf.suppression_threshold} pupils; SUPP2 = hidden so a small group cannot be worked out."
    )


def base_context(opts: Options, title: str, rows, place: str, *, findings: bool = True) -> dict:
    """What every gap page's context starts from; ``findings`` False for a page that shows none (the RAG board
    words its own), so they are not worked out for nothing."""
    return {
        "title": title,
        "opts": opts,
        "form": opts.form,
        "place": place,
        "findings": (
            findings_for(
                [r.for_comparator(opts.kind) for r in rows], place=place, significant_only=opts.significant_only
            )
            if findings
            else []
        ),
        "status_lines": status_summary(rows),
        "comparators": Comparator,
        "export_notes": export_notes(opts),
        "suppression_threshold": conf.suppression_threshold,
        "la_link": access.can_see_la_wide(opts.user),
    }


def thresholds(opts: Options) -> dict:
    """The LA's own active thresholds for the measure, by year, for all pupils or the focus group (one query)."""
    found = selectors.local_thresholds(opts.la, [opts.measure], opts.focus)
    return {year: threshold for (_code, year), threshold in found.items()}


def org_rows(opts: Options, kind: str, schools, orgs) -> list:
    """(organisation, row) for ``orgs`` pooled over their ``schools`` on the chosen measure and group."""
    return selectors.org_rows(opts.user, kind, schools, orgs, opts.query(all_pupils=False))


def scope_words(opts: Options) -> str:
    """What a list of the LA's schools holds, in the words of what this user sees (``summaries.scope_phrase``)."""
    from ..roles import LA_WIDE_ROLES, Role, has_role
    from ..summaries import scope_phrase

    return scope_phrase(
        la_wide=has_role(opts.user, *LA_WIDE_ROLES),
        headteacher=has_role(opts.user, Role.HEADTEACHER),
        la_name=opts.la.name,
        count=access.visible_schools(opts.user).filter(la=opts.la).count(),
    )


def judged_on() -> str:
    return (
        f"Judged on the year alone for groups of at least {single_year_min_cohort()} pupils (significant "
        f"differences only); smaller groups on their 3-year pooled figure."
    )
