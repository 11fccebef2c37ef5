"""``widgets.QuickSelect`` writes the markup Django's select templates write: options, optgroups, the chosen
option, attributes (bare, valued, False left out) and escaping."""

from django import forms

from schools.widgets import QuickSelect

CHOICES = [
    ("", "Latest"),
    (2025, "2024/25 (results 2025)"),
    ("a&b", 'Tom & "Jerry" <b>'),
    ("Key stage 2", [("ks2_rwm_exp", "RWM expected"), ("ks2<x>", "Reading & maths")]),
    ("Absence", [("persistent_absence", "Persistent absence")]),
]


def test_quick_select_is_djangos_select():
    for value in ("", 2025, "2025", "a&b", "ks2<x>", "persistent_absence", "missing", None):
        for attrs in (None, {"id": "id_year"}, {"id": "id_m", "disabled": True, "data-x": 'q"1', "hidden": False}):
            plain = forms.Select(choices=CHOICES).render("year", value, attrs)
            quick = QuickSelect(choices=CHOICES).render("year", value, attrs)
            assert quick == plain, (value, attrs)
    assert "selected" in QuickSelect(choices=CHOICES).render("year", "a&b")


def test_the_options_form_renders_as_with_djangos_select():
    from schools.filters import GapOptionsForm

    def form():
        return GapOptionsForm(
            {"year": "2024", "group": "x<y"},
            groups=[],
            measures=[],
            years=[2023, 2024, 2025],
            default_group="disadvantaged",
            default_measure="ks2_rwm_exp",
            measure_choices=CHOICES[3:],
        )

    quick, plain = form(), form()
    for field in plain.fields.values():
        if isinstance(field.widget, QuickSelect):
            field.widget = forms.Select(choices=field.choices)
    assert [str(f) for f in quick] == [str(f) for f in plain]
