"""Print the gap figures the pages show, for every LA, area, cluster or school.

    python manage.py gap_report --level la|area|cluster|school --measure CODE --group CODE --year YEAR
                                [--format csv|json] [--la CODE] [--unsuppressed]

With --format json, standard output carries the JSON list alone; notes go to standard error.
Figures are pooled (Σ achievers ÷ Σ pupils) exactly as on the pages. By default small cohorts are
suppressed as most roles see them (value null, "suppressed": true); --unsuppressed shows them as LA
officers and data managers do. ``trend`` is worked out on the same comparator as ``gap_vs_national`` (the
focus group here against the comparison group nationally), over the published, comparable years listed in
``trend_years`` (classes: README, "How the figures are made").

"cohort" is the number of pupils the value is pooled over (schools whose figure is suppressed in the DfE's
school rows give a cohort but no value, so they are not in it). At --level la each row also carries the LA's
own published figure (the LA row of the DfE file) and its gap, the pooled cohort, what the difference between
the two is, and the coverage: schools with a figure ÷ open schools of the measure's phases in the LA.
"""

from __future__ import annotations

import csv
import json

from django.core.management.base import BaseCommand, CommandError

from gapmonitor.conf import conf
from schools import selectors
from schools.coverage_counts import coverage
from schools.disclosure import disclose, needed_groups, partitions_of, seen_through_members
from schools.exports import safe_cell
from schools.figures import (
    figures_by,
    published_figures,
    years_with_figures,
)
from schools.gap_export import ROW_FIELDS, export_row, rounded
from schools.models import Area, Cluster, LocalAuthority, Measure, School
from schools.published import side_by_side

FIELDS = [*ROW_FIELDS, "suppressed"]
EXTRA_FIELDS = ["gap_change", "trend_years", "data_status"]
# LA level only: the LA's own published figure (the LA row of the DfE file) beside the pooled one.
LA_FIELDS = [
    "published_value",
    "published_cohort",
    "published_comparison_value",
    "published_gap",
    "pooled_cohort",
    "published_difference",
    "coverage",
    "coverage_note",
]
LEVEL_MODELS = {"la": LocalAuthority, "area": Area, "cluster": Cluster, "school": School}


class Command(BaseCommand):
    help = "Gap figures for every organisation at a level, as JSON or CSV (the same figures the pages show)."

    def add_arguments(self, parser):
        parser.add_argument("--level", required=True, choices=list(LEVEL_MODELS))
        parser.add_argument("--measure", required=True, help="Measure code, e.g. ks2_rwm_exp.")
        parser.add_argument("--group", required=True, help="Focus pupil group code, e.g. disadvantaged.")
        parser.add_argument(
            "--year", type=int, help="Results year (e.g. 2025 for 2024/25). Default: the latest with results."
        )
        parser.add_argument("--format", default="csv", choices=["csv", "json"])
        parser.add_argument("--la", help="Only this LA (DfE code, e.g. 999).")
        parser.add_argument(
            "--unsuppressed",
            action="store_true",
            help=f"Show cohorts of fewer than {conf.suppression_threshold} pupils (LA officers' view).",
        )

    def handle(self, *args, **options):
        try:
            measure = Measure.objects.get(code=options["measure"])
        except Measure.DoesNotExist as err:
            raise CommandError(
                f"Unknown measure {options['measure']!r}. Codes: "
                + ", ".join(Measure.objects.values_list("code", flat=True))
            ) from err
        groups = selectors.pupil_groups()
        focus = groups.get(options["group"])
        if focus is None:
            raise CommandError(f"Unknown group {options['group']!r}. Codes: " + ", ".join(groups))
        if focus.comparison is None:
            raise CommandError(f"Group {focus.code!r} has no comparison group, so it has no gap.")
        comparison = focus.comparison
        level = options["level"]

        schools = School.objects.all()
        if options["la"]:
            if not LocalAuthority.objects.filter(code=options["la"]).exists():
                raise CommandError(f"Unknown LA code {options['la']!r}.")
            schools = schools.filter(la__code=options["la"])
        # Whole LAs (every school, or one LA's): their years are their LA rows' years.
        years = years_with_figures("la", schools.order_by().values("la_id"), measure)
        year = options["year"]
        if year is None:
            if not years:
                raise CommandError(f"No results for {measure.code}.")
            year = years[-1]
        elif year not in years:
            self.stderr.write(f"Note: no results for {measure.code} in {year}; organisations will be empty.")
        years = [y for y in years if y <= year] or [year]

        codes = [focus.code, comparison.code, "all"]
        partitions = partitions_of(groups)
        fetched = codes if options["unsuppressed"] else sorted(needed_groups(codes, partitions) & set(groups))
        figures = figures_by(level, schools, measures=[measure.code], groups=fetched, years=years)
        known = None
        if level != "school" and not options["unsuppressed"]:
            # Whoever reads this can also run --level school: a pooled figure must not give a hidden school away.
            per_school = figures_by("school", schools, measures=[measure.code], groups=fetched, years=years)
            shown = disclose(per_school, viewer_sees_small_cohorts=False, partitions=partitions)
            field = {"la": "la_id", "area": "area_id", "cluster": "cluster_id"}[level]
            org_of = {pk: (org,) for pk, org in schools.values_list("pk", field) if org is not None}
            known = seen_through_members(per_school, shown, org_of)
        figures = disclose(
            figures, viewer_sees_small_cohorts=options["unsuppressed"], partitions=partitions, known=known
        )
        org_ids = {key[0] for key in figures}
        organisations = LEVEL_MODELS[level].objects.filter(pk__in=org_ids).order_by("name")
        published = {}
        if level == "la":
            published = published_figures(
                [la.pk for la in organisations], measures=[measure.code], groups=codes, years=[year]
            )
            if not options["unsuppressed"]:
                published = disclose(published, viewer_sees_small_cohorts=False, partitions=partitions)

        # Special schools and AP against their own type of school only (``national_basis``).
        by_measure = selectors.rows_by_organisation(
            level, organisations, figures, measures=[measure], focus=focus, years=years, year=year
        )
        out = []
        for org, row in by_measure[measure.code]:
            if row.year != year:
                continue
            basis = row.national_basis
            out.append(
                export_row(level, org, row)
                | {
                    "trend_years": list(row.trend.years) if row.trend else [],
                    "national_comparator": basis.label if basis is not None else "England",
                    "no_national_gap_reason": row.national_note or None,
                }
            )
            if level == "la":
                out[-1].update(self._published(org, measure, focus, comparison, figures, published, row))
        self.stderr.write(
            f"{len(out)} {level} rows for {measure.code}, {focus.code} vs {comparison.code}, {year}"
            f"{'' if options['unsuppressed'] else f' (cohorts under {conf.suppression_threshold} suppressed)'}."
        )
        if options["format"] == "json":
            self.stdout.write(json.dumps(out, indent=2))
        else:
            writer = csv.writer(self.stdout, lineterminator="\n")
            names = FIELDS + EXTRA_FIELDS + (LA_FIELDS if level == "la" else [])
            writer.writerow(names)
            for item in out:
                writer.writerow(
                    [safe_cell(" ".join(map(str, item[f])) if isinstance(item[f], list) else item[f]) for f in names]
                )

    @staticmethod
    def _published(la, measure, focus, comparison, pooled, published, row) -> dict:
        """The LA's published figure, its gap, the pupils the pooled value covers, and the schools covered."""
        year = row.year
        pooled_here = {key[1:]: figure for key, figure in pooled.items() if key[0] == la.pk}
        published_here = {key[1:]: figure for key, figure in published.items() if key[0] == la.pk}
        pair = side_by_side(measure, year, pooled_here, published_here, focus.code, comparison.code)
        cover = coverage(la, measures=[measure], years=[year]).get((year, measure.code))
        return {
            "published_value": rounded(pair.published_focus.value) if pair.published_focus else None,
            "published_cohort": pair.published_cohort,
            "published_comparison_value": (
                rounded(pair.published_comparison.value) if pair.published_comparison else None
            ),
            "published_gap": rounded(pair.published_gap),
            "pooled_cohort": pair.pooled_cohort,
            "published_difference": pair.difference(focus.name),
            "coverage": rounded(cover.share, 4) if cover and cover.share is not None else None,
            "coverage_note": cover.note() if cover and cover.below_share else "",
        }
