"""Shared by the import commands: read the file, run the same services as the web, report the same messages."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from schools import rejudging
from schools.imports.committing import import_file
from schools.imports.problems import ImportRejected
from schools.imports.readers import Limits

NO_LIMITS_HELP = (
    "Lift the size limits of web uploads (file size, columns, cells, unzipped XLSX size): for an "
    "administrator loading a file known to be large."
)


class ImportCommand(BaseCommand):
    """An import command: FILE, --dry-run and --no-limits; a subclass names its ``format`` or adds arguments."""

    format = "auto"

    def add_arguments(self, parser):
        parser.add_argument("file")
        self.add_import_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="Check and show what would change; write nothing.")
        parser.add_argument("--no-limits", action="store_true", help=NO_LIMITS_HELP)

    def add_import_arguments(self, parser):
        """Arguments of this kind of file, between FILE and --dry-run."""

    def import_options(self, options) -> dict:
        """What this kind of file passes to :func:`run` beyond the common options."""
        return {"format": self.format}

    def handle(self, *args, **options):
        run(
            self,
            options["file"],
            dry_run=options["dry_run"],
            verbosity=options["verbosity"],
            no_limits=options["no_limits"],
            **self.import_options(options),
        )


def run(
    command, path: str, *, format: str, results_year=None, dry_run=False, verbosity=1, no_limits=False, status=None
):
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"No such file: {path}")
    limits = Limits.none() if no_limits else Limits.from_settings()
    size = file.stat().st_size
    if limits.max_bytes is not None and size > limits.max_bytes:
        raise CommandError(
            f"{file.name} is {size / 1048576:,.1f} MB; the largest file accepted is "
            f"{limits.max_bytes / 1048576:,.1f} MB (--no-limits lifts the limit)."
        )
    data = file.read_bytes()
    try:
        # The folder goes too: the DfE's download keeps the year there (2024-2025/919_ks2final.csv). Inline: what
        # the import made stale is judged again here, once it commits, not left to a worker or the first reader.
        with rejudging.inline():
            plan, batch = import_file(
                data=data,
                file_name=file.name,
                format=format,
                results_year=results_year,
                dry_run=dry_run,
                limits=limits,
                status=status,
                folder=file.resolve().parent.name,
            )
    except ImportRejected as exc:
        raise CommandError(str(exc)) from exc
    out, err = command.stdout, command.stderr
    shown = plan.problems if verbosity > 1 else plan.errors + plan.warnings[:20]
    for problem in shown:
        (err if problem.is_error else out).write(str(problem))
    if verbosity <= 1 and len(plan.warnings) > 20:
        out.write(f"… and {len(plan.warnings) - 20} more warnings (use -v 2 to see them all).")
    for line in dfe_lines(plan, verbosity):
        out.write(line)
    counts = plan.counts
    year = f", results year {plan.results_year}" if plan.results_year else ""
    head = f"{file.name} ({plan.format}{year}): {plan.rows_read} rows read"
    if plan.has_errors:
        raise CommandError(f"{head}; {len(plan.errors)} error(s): nothing was imported.")
    tail = f"; {len(plan.new_schools)} new school(s)" if plan.new_schools else ""
    if plan.new_las:
        tail += f"; {len(plan.new_las)} new LA(s)"
    figures = f"{counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged"
    if dry_run:
        out.write(command.style.WARNING(f"Dry run — nothing written. {head}: would be {figures}{tail}."))
    else:
        out.write(
            command.style.SUCCESS(f"Import #{batch.pk}. {head}: {figures}{tail}; {len(plan.warnings)} warning(s).")
        )
    return plan, batch


def dfe_lines(plan, verbosity=1) -> list[str]:
    """What the preview page says of a DfE file, for the terminal."""
    if plan.results_status is None:
        return []
    found = plan.found
    lines = [
        f"Results year {plan.results_year or '?'} ({found.get('year_found') or 'not found'}); "
        f"status {plan.results_status} ({found.get('status_found')})."
    ]
    if plan.parsed is None or plan.diff is None:
        return lines
    info = plan.summary().get("dfe", {})
    coverage = info.get("coverage") or {}
    if coverage.get("open_schools"):
        lines.append(
            f"Figures for {coverage['with_figures']} of {coverage['open_schools']} open schools of this "
            f"phase ({coverage['measure']}, all pupils)."
        )
    for change, size in (info.get("status_changes") or {}).items():
        lines.append(f"{size} figure(s) change status: {change}.")
    if info.get("earlier_years"):
        lines.append(
            f"{len(info['earlier_years'])} column(s) of earlier years' figures recognised, not imported "
            f"(each year's own file is the source)."
        )
    if info.get("not_used"):
        listed = f": {', '.join(info['not_used'])}" if verbosity > 1 else " (-v 2 lists them)"
        lines.append(f"{len(info['not_used'])} column(s) not used{listed}.")
    return lines
