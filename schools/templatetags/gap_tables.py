"""Fast body rows for the django-tables2 gap tables.

django-tables2's own loop works out each column's ``<td>`` attributes again for every cell; on a priority list
of hundreds of schools that was most of the page's time. Our columns' attributes never depend on the row, so
they are worked out once per column here; the markup is the same as the template loop it replaces.
"""
from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def table_body_rows(table):
    columns = list(table.columns)
    td_attrs = [column.attrs["td"].as_html() for column in columns]
    out = []
    for row in table.paginated_rows:
        cells = []
        for index, (column, cell) in enumerate(row.items()):
            if index == 0:
                cells.append(format_html('<th scope="row" {}>{}</th>', mark_safe(td_attrs[index]), cell))
            else:
                cells.append(format_html("<td {}>{}</td>", mark_safe(td_attrs[index]), cell))
        out.append(format_html("<tr {}>{}</tr>", row.attrs.as_html(), mark_safe("".join(cells))))
    if not out:
        out.append(format_html('<tr><td colspan="{}">{}</td></tr>', len(columns),
                               table.empty_text or "No figures to show."))
    return mark_safe("\n".join(out))
