"""One way to write dates and results years on every page, export and document.

* Dates: "13 Jan 2027" (day, short month, year) — ``uk_date``; the templates' ``date`` filter gives the
  same through ``gapmonitor/formats/en_GB`` (``DATE_FORMAT = "j M Y"``, short formats alike).
* Results years: the academic year, "2024/25" for the summer 2025 results — ``results_year_label``.
"""

from __future__ import annotations

from datetime import date, datetime


def uk_date(value: date | datetime | None, default: str = "") -> str:
    """13 Jan 2027."""
    if value is None:
        return default
    return f"{value.day} {value:%b %Y}"


def results_year_label(value) -> str:
    """2025 → "2024/25"; None or "" → "–"; a value that is not a year is returned as it is."""
    if value in (None, ""):
        return "–"
    try:
        year = int(value)
    except (TypeError, ValueError):
        return str(value)
    if not 1900 < year < 2200:
        return str(value)
    return f"{year - 1}/{str(year)[-2:]}"
