"""Selects are written without a template per option (``gapmonitor.form_rendering``), in the markup Django's own
widget templates give: every case below is rendered both ways and compared character for character."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.test.signals import template_rendered
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from gapmonitor.form_rendering import FormRenderer
from schools.models import LocalAuthority

CHOICES = [
    ("", "Latest"),
    (2025, "2024/25 (results 2025)"),
    ("a&b", 'Quotes " and <tags> & ampersands'),
    ("lazy", gettext_lazy("Any phase")),
    ("safe", mark_safe("<b>safe</b>")),
    (7, 7),
]
GROUPED = [("", "Any"), ("Primary", [("p1", "One"), ("p2", "Two")]), ("Secondary", [("s1", "Three")]), ("x", "Last")]


class _Form(forms.Form):
    plain = forms.ChoiceField(choices=CHOICES, required=False)
    typed = forms.TypedChoiceField(choices=CHOICES, coerce=str, required=False)
    grouped = forms.ChoiceField(choices=GROUPED, required=False)
    many = forms.MultipleChoiceField(choices=CHOICES, required=False)
    styled = forms.ChoiceField(
        choices=CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "wide", "data-x": 'a"b', "disabled": True, "hidden": False}),
    )
    empty = forms.ChoiceField(choices=[], required=False)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"plain": "2025", "typed": "a&b", "grouped": "p2", "many": ["", "lazy", "7"], "styled": "safe"},
        {"plain": "nonsense", "grouped": "s1", "many": "2025"},
    ],
)
def test_selects_match_the_templates(data):
    ours, django = _Form(data, renderer=FormRenderer()), _Form(data, renderer=DjangoTemplates())
    for name in _Form.base_fields:
        assert str(ours[name]) == str(django[name]), name


@pytest.mark.django_db
def test_model_choices_match_the_templates():
    for code, name in (("1", "Aldershire & <Co>"), ("2", "Bee's")):
        LocalAuthority.objects.create(code=code, name=name)

    class ModelForm(forms.Form):
        la = forms.ModelChoiceField(queryset=LocalAuthority.objects.order_by("code"), required=False)

    for data in (None, {"la": str(LocalAuthority.objects.get(code="2").pk)}):
        ours, django = ModelForm(data, renderer=FormRenderer()), ModelForm(data, renderer=DjangoTemplates())
        assert str(ours["la"]) == str(django["la"])


def test_the_site_writes_selects_without_a_template_per_option():
    rendered = []

    def count(sender, **kwargs):
        rendered.append(kwargs["template"].name)

    many = [(str(n), f"Option {n}") for n in range(100)]

    class Big(forms.Form):
        pick = forms.ChoiceField(choices=many, required=False)

    template_rendered.connect(count)
    try:
        form = Big({"pick": "5"}, renderer=get_default_renderer())
        html = str(form["pick"])
    finally:
        template_rendered.disconnect(count)
    assert html.count("<option") == 100 and '<option value="5" selected>' in html
    assert rendered == []
