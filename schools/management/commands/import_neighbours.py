"""python manage.py import_neighbours FILE — DfE children's services statistical neighbours (XLSX or CSV)."""

from ._import_common import ImportCommand


class Command(ImportCommand):
    help = "Import statistical neighbours (each LA's SN1…SN10 with closeness). Non-zero exit on any error."
    format = "neighbours"
