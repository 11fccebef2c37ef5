"""The landing pages' summaries, one screen each (the sentences, flags and rows come from ``schools.summaries``;
what is due comes from the strategy app's template tags):

- ``school_page``: where the school's focus group stands against England, with links to each measure's page;
- ``school_measure_page``: one measure at a school across every pupil group and year, with its chart;
- ``school_list_page``: the schools a user may see, each with its flags (an adviser's landing page);
- ``la_summary``: what the LA overview adds above its detail: benchmarks, schools to challenge.
"""

from __future__ import annotations

from django.urls import reverse

from gapmonitor.conf import conf

from .. import access, page_notes, selectors, stored_judgements, summaries
from ..comparators import basis_for
from ..models import School
from .common import Options, base_context, headline_table, trend_charts
from .places import _headline_caption, _scope_rows, ofsted, school_figure_exports, school_figure_tables, scope_context


def _detail_measures(school):
    return summaries.phase_measures(selectors.school_measures(school), [school.phase], years=None)


def school_page(opts: Options, school, *, exporting: bool = False) -> dict:
    """The school's summary: IDSR-style lines against England (each linking to its measure's page), the
    overview table, the links to the detail. ``exporting``: also every measure's table, for the exports."""
    user = opts.user
    rows = _scope_rows(opts, school)
    basis = basis_for(school)
    headline = headline_table(rows, opts, caption=_headline_caption(opts, school.name, "at"), place=school.name)
    export_tables = {"headline": headline}
    if exporting:
        export_tables.update(school_figure_exports(opts, school))
    context = scope_context(opts, school.name, rows, school, headline)

    def measure_url(code: str) -> str:
        return opts.carry(reverse("schools:school_measure", args=[school.urn, code]))

    context.update(
        summary=summaries.summary_lines(rows, measure_url=measure_url),
        overview=[summaries.overview_row(r) for r in rows],
        detail_measures=_detail_measures(school),
        group_choices=selectors.focus_groups(opts.groups),
        school_context=page_notes.school_context(selectors.school_context(user, school, groups=opts.groups)),
        ofsted=ofsted(school),
        export_tables=export_tables,
        national_basis=basis,
        national_missing=any(row.national_note for row in rows),
        export_url="schools:school_export",
        export_args=[school.urn],
    )
    return context


def school_measure_page(opts: Options, school, measure) -> dict:
    """One measure at the school across every pupil group and year, with the focus group's trend chart."""
    user, la = opts.user, opts.la
    measures, years, here, national, la_figures = selectors.school_figures_all(user, school, groups=opts.groups)
    wanted = {measure.code: measure} if measure.code in measures else {}
    tables = school_figure_tables(school, opts, wanted, years, here, national, la_figures, basis_for(school))
    rows = selectors.scope_rows(user, school, opts.query([measure], year=None), la=la)
    context = base_context(opts, f"{school.name}: {measure.short_name or measure.name}", rows, school.name)
    context.update(
        school=school,
        measure=measure,
        figure_tables=tables,
        charts=trend_charts(rows, place=school.name, la_name=la.name),
        not_published=page_notes.not_published_note(measure, years),
        other_measures=_detail_measures(school),
        national_basis=basis_for(school),
        export_tables={f"figures-{m.code}": t for m, t in tables},
        export_url="schools:school_export",
        export_args=[school.urn],
    )
    return context


# What the LA summary reads of each kept judgement and its school (it names and links the flagged schools only).
_SLIM_FIELDS = ("school_id", "judgement_set_id", "basis", "priority", "school__urn", "school__name")
_SCHOOL_FIELDS = ("id", "urn", "name")  # in the model's field order, as ``Model.from_db`` takes them


def school_flags(opts: Options, schools, *, year: int | None, slim: bool = False) -> list[summaries.SchoolFlags]:
    """Each school's reasons for challenge on the headline measures, read from the judgements the priority list
    keeps (``stored_judgements``): the same rules, thresholds and disclosure as the list, judged once per write.
    ``slim``: each school with its name and URN only (the LA summary's list), not its LA, area and cluster — a
    tenth of the objects for an LA of 500 schools × 6 measures."""
    sets = stored_judgements.judgement_sets(
        opts.la,
        opts.headline,
        opts.focus,
        year=year,
        sees_small=access.sees_small_cohorts(opts.user),
        groups=opts.groups,
        years=opts.years,
    )
    kept = stored_judgements.flags_on_national(sets, schools)
    if slim:  # tuples, each school made once with its name and URN (not 3,000 judgements and their schools)
        rows = list(kept.select_related(None).order_by().values_list(*_SLIM_FIELDS))
        db, named = kept.db, {}
        for row in rows:
            if row[0] not in named:
                named[row[0]] = School.from_db(db, _SCHOOL_FIELDS, (row[0], *row[4:]))
        return summaries.flags_from_rows([row[:4] for row in rows], sets, opts.headline, named)
    return summaries.flags_from_judgements(kept, sets, opts.headline)


def school_list_page(opts: Options | None, schools: list) -> dict:
    """Each school with its flags on the headline measures (``school_flags``); schools without
    headline figures last. ``opts`` None (no LA to work in): the schools alone."""
    if opts is None or not schools:
        return {
            "flags": summaries.with_no_figures([], schools),
            "opts": opts,
            "suppression_threshold": conf.suppression_threshold,
        }
    visible = access.visible_schools(opts.user).filter(pk__in=[s.pk for s in schools])
    flags = school_flags(opts, visible, year=None)
    return {
        "flags": summaries.with_no_figures(flags, schools),
        "opts": opts,
        "suppression_threshold": conf.suppression_threshold,
    }


def la_summary(opts: Options, rows) -> dict:
    """What the LA's summary adds to its overview context: IDSR-style lines (linking to the detail's area and
    cluster tables on that measure), the overview rows, and the schools to challenge across the headline
    measures, most reasons first."""
    schools = access.visible_schools(opts.user).filter(la=opts.la)
    every = school_flags(opts, schools, year=opts.year, slim=True)
    school_count, judged = schools.count(), summaries.judged_count(every)
    flagged = [f for f in every if f.flags]
    detail = reverse("schools:la_overview_detail")
    return {
        "summary": summaries.summary_lines(
            rows, measure_url=lambda code: f"{detail}?measure={code}#areas-heading", limit=4
        ),
        "overview": [summaries.overview_row(r) for r in rows],
        "flagged": flagged[: summaries.SHOWN_SCHOOLS],
        "flagged_count": len(flagged),
        "flag_counts": summaries.flag_counts(flagged, opts.headline),
        "school_count": school_count,
        "judged_count": judged,
        "not_judged_count": school_count - judged,
    }
