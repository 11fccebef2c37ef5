"""The organisation filters' select boxes (every area and cluster of the LA on an area page) are written by
``widgets.QuickSelect``, in the markup Django's select templates write: rendered both ways and compared."""

import pytest
from django import forms
from django.test.signals import template_rendered

from schools.filters import ClusterFilter, SchoolFilter
from schools.models import Area, Cluster, LocalAuthority, School
from schools.roles import Role
from schools.widgets import QuickSelect
from tests.strategy_support import make_user

pytestmark = pytest.mark.django_db


def _filters(user, la, data):
    schools, clusters = School.objects.filter(la=la), Cluster.objects.filter(la=la)
    return [
        SchoolFilter(data, queryset=schools, user=user, la=la, prefix="school"),
        ClusterFilter(data, queryset=clusters, user=user, la=la, prefix="cluster"),
    ]


@pytest.fixture
def la_with_places():
    la = LocalAuthority.objects.create(code="998", name="Testshire")
    north = Area.objects.create(la=la, name="North & <East>")
    Area.objects.create(la=la, name="South's")
    first = Cluster.objects.create(la=la, area=north, name='Cluster "A"')
    Cluster.objects.create(la=la, area=north, name="Cluster B")
    School.objects.create(urn=999001, la=la, name="A school", phase="primary", area=north, cluster=first)
    return make_user("filters", Role.LA_OFFICER, la), la, north


@pytest.mark.parametrize("chosen", [False, True])
def test_filters_render_as_with_djangos_select(la_with_places, chosen):
    user, la, north = la_with_places
    data = {"school-area": str(north.pk), "school-phase": "primary", "cluster-area": str(north.pk)} if chosen else {}
    quick, plain = _filters(user, la, data), _filters(user, la, data)
    selects = 0
    for filterset in plain:
        for field in filterset.form.fields.values():
            if isinstance(field.widget, QuickSelect):
                field.widget = forms.Select(choices=field.choices)
                selects += 1
    assert selects == 4
    for q, p in zip(quick, plain, strict=True):
        assert [str(f) for f in q.form] == [str(f) for f in p.form]
    assert "Cluster B" in str(plain[0].form["cluster"]) and "South&#x27;s" in str(plain[1].form["area"])


def test_filters_write_their_selects_without_templates(la_with_places):
    user, la, _north = la_with_places
    rendered = []

    def count(sender, **kwargs):
        rendered.append(kwargs["template"].name)

    template_rendered.connect(count)
    try:
        html = "".join(str(f) for filterset in _filters(user, la, {}) for f in filterset.form)
    finally:
        template_rendered.disconnect(count)
    assert html.count("<select") == 4 and "Cluster B" in html
    assert not [name for name in rendered if "select" in (name or "")]
