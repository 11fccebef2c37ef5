"""A results file's bulk writes keep every record the ORM would have written: the schools it creates and their
history (as ``bulk_create_with_history`` made them), the facts it inserts (as ``int_or_none`` /
``decimal_or_none`` make each cell), and rollback removes them all."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from schools import aggregate_checks
from schools.imports.committing import import_file
from schools.imports.fact_writes import decimal_or_none, int_or_none
from schools.imports.rollback import rollback_batch
from schools.models import ImportChange, Result, School

DATA = Path(__file__).resolve().parent / "data" / "dfe"
KS2 = DATA / "ks2_2018-19_936_surrey.csv"
SMALL_KS2 = DATA / "ks2_2018-19_997_testshire.csv"  # made up, a few schools: rolled back below
pytestmark = pytest.mark.django_db


def test_new_schools_get_the_history_bulk_create_with_history_writes():
    user = get_user_model().objects.create_user("importer", password="x" * 12)
    plan, batch = import_file(data=KS2.read_bytes(), file_name=KS2.name, format="dfe-ks2", user=user)
    assert not plan.errors and len(plan.new_schools) == School.objects.count() > 200
    history = School.history.model.objects.all()
    assert history.count() == School.objects.count()
    by_id = {h.id: h for h in history}
    for school in School.objects.all():
        record = by_id[school.pk]
        assert record.history_type == "+"
        assert record.history_user_id == user.pk
        assert record.history_change_reason == f"Import batch {batch.pk}"
        for field in ("urn", "la_id", "laestab", "name", "phase", "school_type", "status", "area_id", "cluster_id"):
            assert getattr(record, field) == getattr(school, field), field
        assert record.number_on_roll is None and record.fsm_percent is None
    created = ImportChange.objects.filter(batch=batch, kind=ImportChange.Kind.SCHOOL)
    assert set(created.values_list("object_id", flat=True)) == set(School.objects.values_list("pk", flat=True))


def test_inserted_facts_are_the_figures_the_plan_holds():
    plan, batch = import_file(data=KS2.read_bytes(), file_name=KS2.name, format="dfe-ks2")
    created = plan.diff.results.created
    stored = {
        (r.school.urn, r.measure.code, r.pupil_group.code): r
        for r in Result.objects.select_related("school", "measure", "pupil_group")
    }
    assert len(stored) == len(created) > 10_000 and batch.created_count >= len(created)
    for fact in created.itertuples(index=False):
        result = stored[(int(fact.urn), fact.measure, fact.pupil_group)]
        assert result.results_year == int_or_none(fact.results_year) == 2019
        assert (result.cohort, result.achievers) == (int_or_none(fact.cohort), int_or_none(fact.achievers))
        assert result.points == decimal_or_none(fact.points)
        assert result.value == decimal_or_none(fact.value)
        assert (result.value_code, result.status, result.batch_id) == (fact.value_code, fact.status, batch.pk)
    assert any(isinstance(r.value, Decimal) for r in stored.values())


def test_a_small_file_rolls_back_to_nothing_with_its_pooled_figures_checked():
    plan, batch = import_file(data=SMALL_KS2.read_bytes(), file_name=SMALL_KS2.name, format="dfe-ks2")
    assert not plan.errors and Result.objects.count() == len(plan.diff.results.created) > 0
    assert aggregate_checks.differences()[0] == 0
    rollback_batch(batch=batch)
    assert not Result.objects.exists() and not School.objects.exists()
    assert aggregate_checks.differences()[0] == 0


def test_a_demo_of_schools_without_measures_writes_schools_and_no_results():
    # The import bench builds its 500 schools this way (``measure_codes=[]``): no result rows to insert, which
    # the bulk insert must take as nothing to do rather than fail on an empty column list.
    from schools.demo import generate

    generate(schools=12, years=1, seed=3, measure_codes=[], with_users=False)
    assert School.objects.count() == 12
    assert Result.objects.count() == 0
