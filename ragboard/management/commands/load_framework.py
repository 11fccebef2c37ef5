"""manage.py load_framework [FILE …]: load self-evaluation framework fixtures (all of fixtures/ by default)."""

from django.core.management.base import BaseCommand, CommandError

from ragboard import framework


class Command(BaseCommand):
    help = "Load quality-standards framework fixtures. A version already loaded is left as it is."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="JSON fixture files (default: fixtures/quality_standards_*.json)")

    def handle(self, *args, files, **options):
        try:
            results = [framework.load_file(path) for path in files] if files else framework.load_all()
        except framework.FrameworkError as exc:
            raise CommandError(str(exc)) from exc
        for fw, created in results:
            self.stdout.write(f"{'Loaded' if created else 'Already loaded'}: {fw.title} (version {fw.version})")
