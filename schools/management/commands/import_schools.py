"""python manage.py import_schools FILE — the school register (GIAS extract, + optional Area and Cluster)."""

from ._import_common import ImportCommand


class Command(ImportCommand):
    help = "Import the school register (a GIAS establishment extract, CSV or XLSX). Non-zero exit on any error."
    format = "register"
