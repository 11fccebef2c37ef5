"""python manage.py import_schools FILE — the school register (GIAS extract, + optional Area and Cluster)."""

from django.core.management.base import BaseCommand

from ._import_common import add_limits_argument, run


class Command(BaseCommand):
    help = "Import the school register (a GIAS establishment extract, CSV or XLSX). Non-zero exit on any error."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check and show what would change; write nothing.")
        add_limits_argument(parser)

    def handle(self, *args, **options):
        run(
            self,
            options["file"],
            format="register",
            dry_run=options["dry_run"],
            verbosity=options["verbosity"],
            no_limits=options["no_limits"],
        )
