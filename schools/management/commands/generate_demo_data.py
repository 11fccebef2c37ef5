"""Build (or bring up to date) the demo local authority and each app's demo content."""

from importlib import import_module, util

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from schools import demo, rejudging, stored_judgements


class Command(BaseCommand):
    help = "Create a deterministic demo LA with schools, results, benchmarks, plans, visits and a self-evaluation."

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=60, help="number of schools (default 60)")
        parser.add_argument("--years", type=int, default=6, help="number of published results years (default 6)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--headline-only", action="store_true", help="only all/disadvantaged/other pupils (benchmarks)"
        )
        parser.add_argument("--no-extras", action="store_true", help="only schools, results and benchmarks")

    def handle(self, *args, **options):
        with rejudging.inline(), transaction.atomic():  # what the demo's writes made stale, judged once committed
            context = demo.generate(
                schools=options["schools"],
                years=options["years"],
                seed=options["seed"],
                headline_only=options["headline_only"],
                stdout=self.stdout,
            )
            if not options["no_extras"]:
                for app_config in apps.get_app_configs():
                    # Each app may contribute demo content in its own ``demo.generate(context)``.
                    if app_config.name == "schools" or util.find_spec(f"{app_config.name}.demo") is None:
                        continue
                    import_module(f"{app_config.name}.demo").generate(context)
        # What the landing pages read first, judged now rather than by the first visitor.
        stored_judgements.warm([context.la])
        stats = context.stats
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo LA {context.la.name} ({context.la.code}): {stats['schools']} schools, "
                f"{stats['results']} results, {stats['benchmarks']} national figures, years "
                f"{', '.join(str(y) for y in context.years)}."
            )
        )
        self.stdout.write(f"Demo sign-ins (password for all: {demo.DEMO_PASSWORD}):")
        for username, role, *_ in demo.DEMO_USERS:
            self.stdout.write(f"  {username:<8} {role.label}")
