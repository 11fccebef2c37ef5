"""The form renderer (``FORM_RENDERER``): Django's templates, except that a ``<select>`` is written here.

Django renders a select through two templates per ``<option>`` (the option, then its attributes): the gap pages'
option and filter forms list every measure, group, year, area and cluster (~150 options on an area page), which
cost a fifth of the page's time. The markup written here is the one those templates give, character for
character (``tests/test_form_rendering.py`` compares them); a select whose options use another template, or whose
values a template would call, goes through the templates as before.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _shown(value) -> str:
    """As ``{{ value }}`` prints it: localized, then escaped unless safe."""
    value = localize(value)
    if not isinstance(value, str):
        value = str(value)
    return conditional_escape(value)


def _formatted(value) -> str:
    """As ``{{ value|stringformat:'s' }}`` prints it (the filter keeps a safe string safe)."""
    text = str(value)  # what "%s" gives for one value (a tuple the filter first turns into its str)
    return text if isinstance(value, SafeData) else conditional_escape(text)


def _attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``."""
    out = []
    for name, value in attrs.items():
        if value is not False:
            out.append(f" {_shown(name)}" if value is True else f' {_shown(name)}="{_formatted(value)}"')
    return "".join(out)


def _plain(value) -> bool:
    """A value a template would print as it is (a callable one it would call)."""
    return not callable(value)


def _writable(widget: dict) -> bool:
    return all(
        option.get("template_name") == OPTION
        and _plain(option["value"])
        and _plain(option["label"])
        and all(_plain(v) for v in option["attrs"].values())
        for _name, options, _index in widget["optgroups"]
        for option in options
    ) and all(_plain(v) for v in widget["attrs"].values())


def select_markup(widget: dict) -> str:
    """``django/forms/widgets/select.html`` for this widget context, stripped as the renderer strips it."""
    out = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in options:
            value, label = _formatted(option["value"]), _shown(option["label"])
            out.append(f'\n  <option value="{value}"{_attrs(option["attrs"])}>{label}</option>\n')
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


class FormRenderer(DjangoTemplates):
    """Django's template renderer, with selects written by ``select_markup``."""

    def render(self, template_name, context, request=None):
        if template_name == SELECT and _writable(context["widget"]):
            return select_markup(context["widget"])
        return super().render(template_name, context, request=request)
