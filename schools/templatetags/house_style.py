"""One house style for the pages: results years read "2024/25" everywhere ("{{ year|results_year }}"); dates
read "13 Jan 2027" (Django's ``date`` filter with no argument: ``DATE_FORMAT`` of the en-GB locale, see
``gapmonitor/formats/en_GB``)."""

from django import template

from schools.house_style import results_year_label

register = template.Library()


@register.filter
def results_year(value) -> str:
    """2025 → "2024/25" (the academic year whose summer results are 2025); anything else unchanged."""
    return results_year_label(value)
