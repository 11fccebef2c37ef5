"""Shared by the import commands: read the file, run the same services as the web, report the same messages."""
from pathlib import Path

from django.core.management.base import CommandError

from schools.imports.readers import Limits
from schools.imports.services import ImportRejected, import_file

NO_LIMITS_HELP = ("Lift the size limits of web uploads (file size, columns, cells, unzipped XLSX size): for an "
                  "administrator loading a file known to be large.")


def add_limits_argument(parser):
    parser.add_argument("--no-limits", action="store_true", help=NO_LIMITS_HELP)


def run(command, path: str, *, format: str, results_year=None, dry_run=False, verbosity=1, no_limits=False):
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"No such file: {path}")
    limits = Limits.none() if no_limits else Limits.from_settings()
    size = file.stat().st_size
    if limits.max_bytes is not None and size > limits.max_bytes:
        raise CommandError(f"{file.name} is {size / 1048576:,.1f} MB; the largest file accepted is "
                           f"{limits.max_bytes / 1048576:,.1f} MB (--no-limits lifts the limit).")
    data = file.read_bytes()
    try:
        plan, batch = import_file(data=data, file_name=file.name, format=format, results_year=results_year,
                                  dry_run=dry_run, limits=limits)
    except ImportRejected as exc:
        raise CommandError(str(exc)) from exc
    out, err = command.stdout, command.stderr
    shown = plan.problems if verbosity > 1 else plan.errors + plan.warnings[:20]
    for problem in shown:
        (err if problem.is_error else out).write(str(problem))
    if verbosity <= 1 and len(plan.warnings) > 20:
        out.write(f"… and {len(plan.warnings) - 20} more warnings (use -v 2 to see them all).")
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
        out.write(command.style.SUCCESS(f"Import #{batch.pk}. {head}: {figures}{tail}; "
                                        f"{len(plan.warnings)} warning(s)."))
    return plan, batch
