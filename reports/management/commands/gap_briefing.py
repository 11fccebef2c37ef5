"""Write the members' gap briefing to a file.

    python manage.py gap_briefing [--la CODE] [--area ID] [--year YEAR] --format pdf|docx --output FILE

The same document as the LA page's download; small cohorts are suppressed whoever runs it.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.briefing import build_briefing
from reports.render import FORMATS, render
from schools.figures import years_with_results
from schools.models import Area, LocalAuthority


class Command(BaseCommand):
    help = "The members' gap briefing for the LA (or one area) as PDF or Word."

    def add_arguments(self, parser):
        parser.add_argument("--la", help="DfE LA code (default: the only LA, or the first by name).")
        parser.add_argument("--area", type=int, help="An area's id: a briefing for that area.")
        parser.add_argument("--year", type=int, help="Results year (e.g. 2025 for 2024/25). Default: the latest.")
        parser.add_argument("--format", required=True, choices=list(FORMATS))
        parser.add_argument("--output", required=True, help="File to write.")

    def handle(self, *args, **options):
        started = time.perf_counter()
        area = None
        if options["area"] is not None:
            area = Area.objects.select_related("la").filter(pk=options["area"]).first()
            if area is None:
                raise CommandError(f"Unknown area id {options['area']}.")
            la = area.la
        elif options["la"]:
            la = LocalAuthority.objects.filter(code=options["la"]).first()
            if la is None:
                raise CommandError(f"Unknown LA code {options['la']!r}.")
        else:
            la = LocalAuthority.objects.order_by("name").first()
            if la is None:
                raise CommandError("No local authority: import schools first.")
        years = years_with_results(la)
        if not years:
            raise CommandError(f"{la.name} has no results yet.")
        if options["year"] is not None and options["year"] not in years:
            raise CommandError(f"No results for {options['year']} in {la.name}. Years: {', '.join(map(str, years))}.")
        self.stderr.write("Gathering the figures…")
        document = build_briefing(la, area=area, year=options["year"])
        self.stderr.write(f"Writing {options['format'].upper()}…")
        output = Path(options["output"])
        try:
            output.write_bytes(render(document, options["format"]))
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
        self.stderr.write(
            f"Wrote {output} ({output.stat().st_size:,} bytes) in {time.perf_counter() - started:.1f} s: "
            f"{document.title}."
        )
