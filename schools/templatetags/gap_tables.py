"""Fast body rows for the django-tables2 gap tables.

django-tables2 renders each cell through a generic path (find the column by name, build an accessor, inspect
the render method's signature, work out the ``<td>`` attributes) — on a school page of ~12,000 cells that was
most of the page's time. Our records are plain dicts and our columns' attributes never depend on the row, so
this tag works the per-column parts out once per column and keeps only the per-cell work: look up the value,
treat empty values as the column default, call the column's ``render`` with the arguments it asks for. Any
record that is not a dict, or a column with a dotted accessor or a link, goes through django-tables2's own
``BoundRow.get_cell``. The markup is the same as the template loop it replaces.
"""

import html

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django_tables2.utils import signature

register = template.Library()


def _text(cell) -> str:
    """As ``{{ cell }}`` would print it: strings escaped unless safe, other values localized then escaped — with
    ``html.escape``, as ``django.utils.html.escape`` does, without its check for lazy strings on each of a table's
    thousand cells (anything not a plain string is made one first)."""
    if hasattr(cell, "__html__"):
        return cell.__html__()
    return html.escape(cell if type(cell) is str else str(localize(cell)))


class _ColumnPlan:
    """What one column needs for every cell, worked out once."""

    def __init__(self, bound_column):
        self.bound_column = bound_column
        self.name = bound_column.name
        self.td = mark_safe(bound_column.attrs["td"].as_html())
        accessor = str(bound_column.accessor or "")
        self.key = accessor
        self.fast = bool(accessor) and "." not in accessor and "__" not in accessor and not bound_column.link
        self.render = bound_column.render
        args, self.catch_all = signature(self.render)
        self.args = tuple(args)
        self.empty_values = bound_column.column.empty_values
        self.default = bound_column.default

    def cell(self, row, record: dict):
        value = record.get(self.key)
        if value in self.empty_values:
            return self.default
        if self.args == ("value",) and not self.catch_all:
            return self.render(value=value)
        if self.args == ("value", "record") and not self.catch_all:
            return self.render(value=value, record=record)
        available = {
            "value": value,
            "record": record,
            "column": self.bound_column.column,
            "bound_column": self.bound_column,
            "bound_row": row,
            "table": row.table,
        }
        if self.catch_all:
            return self.render(**available)
        if any(arg not in available for arg in self.args):
            return None
        return self.render(**{arg: available[arg] for arg in self.args})


@register.simple_tag
def table_body_rows(table):
    columns = list(table.columns)
    plans = [_ColumnPlan(column) for column in columns]
    out = []
    for row in table.paginated_rows:
        record = row.record
        cells = []
        for index, plan in enumerate(plans):
            if plan.fast and isinstance(record, dict):
                cell = plan.cell(row, record)
            else:
                cell = row.get_cell(plan.name)
            if index == 0:
                cells.append(f'<th scope="row" {plan.td}>{_text(cell)}</th>')
            else:
                cells.append(f"<td {plan.td}>{_text(cell)}</td>")
        out.append(f"<tr {conditional_escape(row.attrs.as_html())}>{''.join(cells)}</tr>")
    if not out:
        out.append(
            format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), table.empty_text or "No figures to show.")
        )
    return mark_safe("\n".join(out))


@register.simple_tag
def rag_rows(grid, measures):
    """The cluster RAG board's body rows (``dashboard.rag.rag_grid``), written here rather than by a template loop
    over its ~300 cells (a third of the board's rendering): the markup the loop wrote, space for space."""
    if not grid:
        return mark_safe(f'<tr><td colspan="{len(measures) + 1}">No clusters.</td></tr>')
    out = []
    for g in grid:
        out.append(f'\n  <tr><th scope="row"><a href="{_text(g["url"])}">{_text(g["cluster"].name)}</a></th>\n    ')
        for cell in g["cells"]:
            excess = f"; {_text(cell['excess_text'])}" if cell["excess_text"] else ""
            out.append(
                f'\n      <td class="rag rag-{_text(cell["rating"])}"><span aria-hidden="true">{_text(cell["letter"])}'
                f'</span><span class="visually-hidden">{_text(cell["label"])}</span><br><span class="hint">'
                f"{_text(cell['value'])}{excess}; {_text(str(cell['trend']).lower())}</span></td>"
            )
        out.append("\n  </tr>\n  ")
    return mark_safe("".join(out))
