"""Print the gap figures the pages show, for every LA, area, cluster or school.

    python manage.py gap_report --level la|area|cluster|school --measure CODE --group CODE --year YEAR
                                [--format csv|json] [--la CODE] [--unsuppressed]

With --format json, standard output carries the JSON list alone; notes go to standard error.
Figures are pooled (Σ achievers ÷ Σ pupils) exactly as on the pages. By default small cohorts are
suppressed as most roles see them (value null, "suppressed": true); --unsuppressed shows them as LA
officers and data managers do.
"""
from __future__ import annotations

import csv
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from schools import selectors
from schools.exports import safe_cell
from schools.gaps import build_row, suppress, suppression_threshold
from schools.models import Area, Cluster, LocalAuthority, Measure, PupilGroup, Result, School

FIELDS = [
    "level", "name", "code", "measure", "group", "comparison_group", "year", "cohort", "value",
    "comparison_cohort", "comparison_value", "gap", "national_comparison_value", "gap_vs_national", "trend",
    "suppressed",
]
EXTRA_FIELDS = ["gap_change", "trend_years", "data_status"]
LEVEL_MODELS = {"la": LocalAuthority, "area": Area, "cluster": Cluster, "school": School}


def _round(value, places=2):
    return None if value is None else round(float(value), places)


class Command(BaseCommand):
    help = "Gap figures for every organisation at a level, as JSON or CSV (the same figures the pages show)."

    def add_arguments(self, parser):
        parser.add_argument("--level", required=True, choices=list(LEVEL_MODELS))
        parser.add_argument("--measure", required=True, help="Measure code, e.g. ks2_rwm_exp.")
        parser.add_argument("--group", required=True, help="Focus pupil group code, e.g. disadvantaged.")
        parser.add_argument("--year", type=int, help="Results year (e.g. 2025 for 2024/25). Default: the latest with results.")
        parser.add_argument("--format", default="csv", choices=["csv", "json"])
        parser.add_argument("--la", help="Only this LA (DfE code, e.g. 999).")
        parser.add_argument("--unsuppressed", action="store_true",
                            help=f"Show cohorts of fewer than {suppression_threshold()} pupils (LA officers' view).")

    def handle(self, *args, **options):
        try:
            measure = Measure.objects.get(code=options["measure"])
        except Measure.DoesNotExist:
            raise CommandError(f"Unknown measure {options['measure']!r}. Codes: "
                               + ", ".join(Measure.objects.values_list("code", flat=True)))
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
        years_qs = Result.objects.filter(school__in=schools, measure=measure).order_by().values_list(
            "results_year", flat=True).distinct()
        years = sorted(years_qs)
        year = options["year"]
        if year is None:
            if not years:
                raise CommandError(f"No results for {measure.code}.")
            year = years[-1]
        elif year not in years:
            self.stderr.write(f"Note: no results for {measure.code} in {year}; organisations will be empty.")
        years = [y for y in years if y <= year] or [year]

        codes = [focus.code, comparison.code, "all"]
        figures = selectors.figures_by(level, schools, measures=[measure.code], groups=codes, years=years)
        if not options["unsuppressed"]:
            figures = suppress(figures, partitions=selectors.group_partitions(groups))
        org_ids = {key[0] for key in figures}
        organisations = LEVEL_MODELS[level].objects.filter(pk__in=org_ids).order_by("name")
        if level == "school":  # special schools and AP against their own type of school only
            by_basis = selectors.national_figures_by_basis(measures=[measure.code], groups=codes, years=years)
        else:
            national = selectors.national_figures(measures=[measure.code], groups=codes, years=years)

        out = []
        for org in organisations:
            basis = None
            if level == "school":
                basis, national = selectors.national_for(org, by_basis)
            row = build_row(measure, focus, comparison, figures, national, years=years, year=year, prefix=(org.pk,),
                            national_basis=basis)
            if row.year != year:
                continue
            current = row.current
            code = org.code if level == "la" else org.urn if level == "school" else org.pk
            out.append({
                "level": level, "name": org.name, "code": code, "measure": measure.code, "group": focus.code,
                "comparison_group": comparison.code, "year": year,
                "cohort": current.focus.cohort, "value": _round(current.focus.value),
                "comparison_cohort": current.comparison.cohort, "comparison_value": _round(current.comparison.value),
                "gap": _round(current.within), "national_comparison_value": _round(current.national_comparison.value),
                "gap_vs_national": _round(current.vs_national),
                "trend": row.trend.classification if row.trend else None,
                "suppressed": current.focus.suppressed or current.comparison.suppressed,
                "gap_change": _round(row.trend.change) if row.trend else None,
                "trend_years": list(row.trend.years) if row.trend else [],
                "data_status": current.focus.status or None,
                "national_comparator": basis.label if basis is not None else "England",
                "no_national_gap_reason": row.national_note or None,
            })
        self.stderr.write(f"{len(out)} {level} rows for {measure.code}, {focus.code} vs {comparison.code}, {year}"
                          f"{'' if options['unsuppressed'] else f' (cohorts under {suppression_threshold()} suppressed)'}.")
        if options["format"] == "json":
            self.stdout.write(json.dumps(out, indent=2))
        else:
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(FIELDS + EXTRA_FIELDS)
            for item in out:
                writer.writerow([safe_cell(" ".join(map(str, item[f])) if isinstance(item[f], list) else item[f])
                                 for f in FIELDS + EXTRA_FIELDS])
