"""The database holds exactly the reference data ``schools/reference_data.py`` states, and syncing is idempotent."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schools import reference_data as ref
from schools.models import AcademicYear, KeyStage, Measure, PupilGroup
from schools.reference_sync import sync_reference_data
from schools.roles import Role

pytestmark = pytest.mark.django_db


def test_after_migrate_the_database_matches_reference_data():
    assert {(k.code, k.name, k.order) for k in KeyStage.objects.all()} == set(ref.KEY_STAGES)

    stored = {
        m.code: (
            m.name,
            m.short_name,
            m.key_stage.code,
            m.unit,
            m.higher_is_better,
            m.first_year,
            m.last_year,
            m.headline,
            m.value_added,
        )
        for m in Measure.objects.select_related("key_stage")
    }
    assert stored == {row[0]: tuple(row[1:]) for row in ref.MEASURES}
    breaks = {m.code: m.series_breaks for m in Measure.objects.all()}
    assert breaks == {
        code: [{"year": year, "note": note} for year, note in ref.SERIES_BREAKS.get(code, ())]
        for code, *_ in ref.MEASURES
    }

    groups = {
        g.code: (g.name, g.category, g.comparison.code if g.comparison_id else None, g.is_focus)
        for g in PupilGroup.objects.select_related("comparison")
    }
    assert groups == {
        code: (name, category, comparison, focus) for code, name, category, comparison, focus in ref.PUPIL_GROUPS
    }
    assert groups["white"] == ("White (all White groups)", "ethnicity", "all", True)
    assert [g.code for g in PupilGroup.objects.order_by("order")] == [row[0] for row in ref.PUPIL_GROUPS]

    years = {(y.results_year, y.label, y.results_published) for y in AcademicYear.objects.all()}
    assert (2024, "2023/24", True) in years and (2020, "2019/20", False) in years
    assert len(years) == ref.LAST_YEAR - ref.FIRST_YEAR + 1
    assert set(Role.values) <= set(Group.objects.values_list("name", flat=True))


def test_a_second_sync_changes_nothing():
    assert sync_reference_data() == 0  # migrate already synced
    with CaptureQueriesContext(connection) as queries:
        assert sync_reference_data() == 0
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []


def test_sync_puts_back_what_drifted_and_leaves_an_las_own_rows():
    Measure.objects.filter(code="ks4_p8").update(name="Progress 8 (edited)", series_breaks=[])
    PupilGroup.objects.filter(code="white").delete()
    PupilGroup.objects.filter(code="fsm").update(comparison=None)
    local = PupilGroup.objects.create(code="young_carers", name="Young carers", category="local", order=999)

    # The measure; the group created, then given its comparison; the other group's comparison put back.
    assert sync_reference_data() == 4

    p8 = Measure.objects.get(code="ks4_p8")
    assert p8.name == {row[0]: row[1] for row in ref.MEASURES}["ks4_p8"]
    assert [b["year"] for b in p8.series_breaks] == [2017, 2022]
    assert PupilGroup.objects.get(code="white").comparison.code == "all"
    assert PupilGroup.objects.get(code="fsm").comparison.code == "not_fsm"
    local.refresh_from_db()
    assert (local.name, local.order) == ("Young carers", 999)
    assert sync_reference_data() == 0
