"""Recompute every pooled figure from the results, and every judgement kept for ranking from the figures, and
report any difference from what was kept on write."""

from django.core.management.base import BaseCommand, CommandError

from schools import aggregate_checks, aggregates, rejudging


class Command(BaseCommand):
    help = (
        "Recompute the pooled figures kept (cluster, area, LA × year × measure × group) from the results, and "
        "the LAs' published figures from the benchmarks, and report any difference from those kept on write; "
        "re-judge the judgements kept for ranking likewise. Exits non-zero on a difference; --repair rebuilds the "
        "pooled figures and judges the kept judgements again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=50, help="Differences listed (all are counted).")
        parser.add_argument("--repair", action="store_true", help="Rebuild every pooled figure after reporting.")

    def handle(self, *args, limit, repair, **options):
        count, described = aggregate_checks.differences(limit=limit)
        for line in described:
            self.stdout.write(line)
        if count and repair:
            with rejudging.inline():  # the kept judgements are judged again once the rebuild commits
                aggregates.rebuild(published=True)
            self.stdout.write(
                f"{count} difference(s) found; every pooled figure rebuilt from the results, kept judgements judged "
                "again."
            )
            return
        if count:
            more = f" (first {len(described)} listed)" if count > len(described) else ""
            raise CommandError(f"{count} pooled figure(s) or kept judgement(s) differ from the results{more}.")
        self.stdout.write("Pooled figures match the results.")
