"""Body rows of the all-LA table, written in one pass: 150 LAs × 13 columns through the template engine's
per-cell tags cost more than the page's queries. Same markup as the template loop it replaces: the LA as the
row header, text cells, then numeric cells right-aligned; missing values as an en dash."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()
TEXT_COLUMNS = 4  # LA, region, measure, source: the rest are figures


@register.simple_tag
def la_gap_rows(cells):
    def row(values):
        head, text, numbers = values[0], values[1:TEXT_COLUMNS], values[TEXT_COLUMNS:]
        return (
            format_html('<th scope="row">{}</th>', head),
            format_html_join("", "<td>{}</td>", ((v,) for v in text)),
            format_html_join("", '<td class="num">{}</td>', (("–" if v is None else v,) for v in numbers)),
        )

    return format_html_join("\n", "<tr>{}{}{}</tr>", (row(values) for values in cells))
