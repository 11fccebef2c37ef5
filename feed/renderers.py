"""CSV for spreadsheets and Power BI: the rows of the page asked for, one header line, cells that a
spreadsheet would run as a formula neutralised (``schools.exports.safe_cell``)."""

from __future__ import annotations

import csv
import io

from rest_framework.renderers import BaseRenderer

from schools.exports import safe_cell

from .rows import FIELDS


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        if isinstance(data, dict) and "results" in data:
            writer.writerow(FIELDS)
            for row in data["results"]:
                writer.writerow([safe_cell(row.get(field)) for field in FIELDS])
        else:  # an error: {"detail": "..."}
            writer.writerow(["detail"])
            writer.writerow([safe_cell(data.get("detail") if isinstance(data, dict) else data)])
        return buffer.getvalue().encode(self.charset)
