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
        """The markup of Django's select templates, from the widget's attributes and its choices as
        ``ChoiceWidget.optgroups`` reads them (the first matching option selected), without a context dict per
        option (a filter's cluster list has ~70)."""
        chosen = set(self.format_value(value))
        widget_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            widget_attrs["multiple"] = True
        out = [f'<select name="{conditional_escape(name)}"{attrs_html(widget_attrs)}>']
        has_selected = False
        for option_value, option_label in self.choices:
            if option_value is None:
                option_value = ""
            group = isinstance(option_label, (list, tuple))
            if group:
                out.append(f'\n  <optgroup label="{conditional_escape(option_value)}">')
            for subvalue, sublabel in option_label if group else [(option_value, option_label)]:
                selected = (not has_selected or self.allow_multiple_selected) and str(subvalue) in chosen
                has_selected |= selected
                out.append(
                    f'\n  <option value="{_text(subvalue)}"{" selected" if selected else ""}>'
                    f"{conditional_escape(sublabel)}</option>\n"  # the option template's last line ends
                )
            if group:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return mark_safe("".join(out))
