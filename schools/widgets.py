"""A select box written in Python, markup for markup what Django's own templates write.

Django renders a ``<select>`` through a template that includes one template per option and another for each
option's attributes: on a gap page's options form (some fifty options) that was a tenth of the page's time.
``QuickSelect`` writes the same markup as ``django/forms/widgets/select.html``, ``select_option.html`` and
``attrs.html`` from the same context (``get_context``), escaping as the templates do.
"""

from __future__ import annotations

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


def _text(value) -> str:
    """``{{ value|stringformat:'s' }}`` in an autoescaping template."""
    return conditional_escape(value if hasattr(value, "__html__") else str(value))


def attrs_html(attrs: dict) -> str:
    """``attrs.html``: each attribute but False ones; True ones bare."""
    return "".join(
        f" {conditional_escape(name)}" + ("" if value is True else f'="{_text(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


class QuickSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        out = [f'<select name="{conditional_escape(widget["name"])}"{attrs_html(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in group_choices:
                out.append(
                    f'\n  <option value="{_text(option["value"])}"{attrs_html(option["attrs"])}>'
                    f"{conditional_escape(option['label'])}</option>\n"  # the option template's last line ends
                )
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return mark_safe("".join(out))
