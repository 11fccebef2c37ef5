"""python manage.py import_results FILE [--format …] [--year YEAR] [--dry-run]"""

from ._import_common import ImportCommand

FORMATS = ["auto", "long", "dfe-ks2", "dfe-ks4", "benchmarks", "lait", "census", "absence", "school-information"]


class Command(ImportCommand):
    help = (
        "Import attainment results or benchmarks: the long template, a DfE KS2/KS4 performance-tables CSV, "
        "benchmarks by geography, the LAIT LA-level file, or the performance tables' school context files "
        "(census, absence, school information). Non-zero exit on any error; nothing is written "
        "unless every row is valid."
    )

    def add_import_arguments(self, parser):
        parser.add_argument(
            "--format", choices=FORMATS, default="auto", help="File format (default: detect from the header)."
        )
        parser.add_argument(
            "--year",
            type=int,
            default=None,
            help="Results year for DfE files (2019 for 2018-19); default: from the file name, else "
            "its folder (2024-2025/…), else the file's previous-year columns.",
        )
        parser.add_argument(
            "--status",
            choices=["provisional", "revised", "final"],
            default=None,
            help="Status of DfE figures; default: from the file name (ks2provisional…), else final.",
        )

    def import_options(self, options) -> dict:
        return {"format": options["format"], "results_year": options["year"], "status": options["status"]}
