"""The options on every gap page (group, comparator, year, measure) and the organisation filters.

Organisation filters are django-filter FilterSets over querysets that are ALREADY scoped by
``schools.access``; their choice lists are scoped the same way.
"""

from __future__ import annotations

import django_filters
from django import forms

from . import access
from .gaps import Comparator
from .judgements import BusterReason, Reason
from .models import Area, Cluster, School
from .widgets import QuickSelect

COMPARATOR_CHOICES = [
    (Comparator.NATIONAL, "Against other pupils nationally (DfE convention)"),
    (Comparator.WITHIN, "Within: against other pupils here"),
    (Comparator.LIKE, "Like for like: against the same group nationally"),
]


class GapOptionsForm(forms.Form):
    """Read from GET; invalid values fall back to the defaults (a page always renders)."""

    group = forms.ChoiceField(label="Pupil group", required=False, widget=QuickSelect)
    comparator = forms.ChoiceField(
        label="Gap measured against", choices=COMPARATOR_CHOICES, required=False, widget=QuickSelect
    )
    measure = forms.ChoiceField(label="Measure (tables)", required=False, widget=QuickSelect)
    year = forms.TypedChoiceField(
        label="Results year", required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    significant_only = forms.BooleanField(label="Significant findings only", required=False)

    def __init__(
        self, data, *, groups, measures, years, default_group: str, default_measure: str | None, measure_choices=None
    ):
        # Options the request leaves out show their defaults, so the form names what the page shows.
        data = data.copy() if data is not None else {}
        for name, default in (
            ("group", default_group),
            ("comparator", Comparator.NATIONAL),
            ("measure", default_measure),
        ):
            if default is not None and not data.get(name):
                data[name] = default
        super().__init__(data)
        self.fields["group"].choices = [(g.code, g.name) for g in groups]
        # Phase-aware when given (``summaries.measure_choices``): the user's own phase's measures first.
        self.fields["measure"].choices = measure_choices or [(m.code, m.short_name or m.name) for m in measures]
        self.fields["year"].choices = [("", "Latest")] + [
            (y, f"{y - 1}/{str(y)[-2:]} (results {y})") for y in reversed(years)
        ]
        self.defaults = {
            "group": default_group,
            "comparator": Comparator.NATIONAL,
            "measure": default_measure,
            "year": None,
            "significant_only": False,
        }

    def options(self) -> dict:
        """Cleaned options, each falling back to its default when missing or invalid."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        out = {}
        for name, default in self.defaults.items():
            value = cleaned.get(name) if name not in self.errors else None
            out[name] = value if value not in (None, "") else default
        return out


class NationalOptionsForm(forms.Form):
    """The all-LA page's options, read from GET; invalid values fall back to the defaults."""

    measure = forms.ChoiceField(label="Measure", required=False)
    group = forms.ChoiceField(label="Pupil group", required=False)
    year = forms.TypedChoiceField(label="Results year", required=False, coerce=int, empty_value=None)

    def __init__(self, data, *, measures, groups, years, default_measure: str, default_group: str):
        data = data.copy() if data is not None else {}
        for name, default in (("measure", default_measure), ("group", default_group)):
            if not data.get(name):
                data[name] = default
        super().__init__(data)
        self.fields["measure"].choices = [(m.code, m.short_name or m.name) for m in measures]
        self.fields["group"].choices = [(g.code, g.name) for g in groups]
        self.fields["year"].choices = [("", "Latest")] + [
            (y, f"{y - 1}/{str(y)[-2:]} (results {y})") for y in reversed(years)
        ]
        self.defaults = {"measure": default_measure, "group": default_group, "year": None}

    def options(self) -> dict:
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            name: (cleaned.get(name) if name not in self.errors and cleaned.get(name) not in (None, "") else default)
            for name, default in self.defaults.items()
        }


def _reasons_field(label: str, choices) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(label=label, required=False, widget=forms.CheckboxSelectMultiple, choices=choices)


class _ReasonsOptionsForm(GapOptionsForm):
    """Gap options and the reasons to list schools by (``reasons``: a field the subclass declares)."""

    def options(self) -> dict:
        out = super().options()
        out["reasons"] = (getattr(self, "cleaned_data", {}) or {}).get("reasons") or []
        return out


class PriorityOptionsForm(_ReasonsOptionsForm):
    reasons = _reasons_field("Only schools with these reasons", [(code, Reason.LABELS[code]) for code in Reason.ORDER])


class BusterOptionsForm(_ReasonsOptionsForm):
    reasons = _reasons_field("Only schools that", list(BusterReason.LABELS.items()))


class _ListedChoices(django_filters.fields.ModelChoiceIterator):
    """django-filter's choices with the queryset read by one ordinary query. Django reads a model's choices with
    ``iterator()``, which on PostgreSQL is a server-side cursor (DECLARE, FETCH and CLOSE, each a round trip) —
    for a few dozen areas or clusters."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in self.queryset:
            yield self.choice(obj)


class _ListedModelChoiceField(django_filters.fields.ModelChoiceField):
    iterator = _ListedChoices


class OrganisationFilter(django_filters.ModelChoiceFilter):
    """A choice of area or cluster, its choices read in one query (``_ListedChoices``)."""

    field_class = _ListedModelChoiceField


class SchoolFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="School name contains")
    phase = django_filters.ChoiceFilter(
        choices=School.Phase.choices, label="Phase", empty_label="Any phase", widget=QuickSelect
    )
    area = OrganisationFilter(queryset=Area.objects.none(), label="Area", empty_label="Any area", widget=QuickSelect)
    cluster = OrganisationFilter(
        queryset=Cluster.objects.none(), label="Cluster", empty_label="Any cluster", widget=QuickSelect
    )

    class Meta:
        model = School
        fields = ["name", "phase", "area", "cluster"]

    def __init__(self, data=None, queryset=None, *, user, la, **kwargs):
        super().__init__(data, queryset=queryset, **kwargs)
        self.filters["area"].queryset = access.visible_areas(user).filter(la=la)
        self.filters["cluster"].queryset = access.visible_clusters(user).filter(la=la)


class ClusterFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Cluster name contains")
    area = OrganisationFilter(queryset=Area.objects.none(), label="Area", empty_label="Any area", widget=QuickSelect)

    class Meta:
        model = Cluster
        fields = ["name", "area"]

    def __init__(self, data=None, queryset=None, *, user, la, **kwargs):
        super().__init__(data, queryset=queryset, **kwargs)
        self.filters["area"].queryset = access.visible_areas(user).filter(la=la)


class AreaFilter(django_filters.FilterSet):
    area_name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Area name contains")

    class Meta:
        model = Area
        fields = ["area_name"]
