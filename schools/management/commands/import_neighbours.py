"""python manage.py import_neighbours FILE — DfE children's services statistical neighbours (XLSX or CSV)."""

from django.core.management.base import BaseCommand

from ._import_common import add_limits_argument, run


class Command(BaseCommand):
    help = "Import statistical neighbours (each LA's SN1…SN10 with closeness). Non-zero exit on any error."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check and show what would change; write nothing.")
        add_limits_argument(parser)

    def handle(self, *args, **options):
        run(
            self,
            options["file"],
            format="neighbours",
            dry_run=options["dry_run"],
            verbosity=options["verbosity"],
            no_limits=options["no_limits"],
        )
