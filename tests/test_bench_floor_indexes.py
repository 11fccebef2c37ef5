"""The raw-SQL floors run with indexes of their own (``bench.floors.own_indexes``), which exist only while the
floors are timed: the application's schema, and so every page the bench times, never has them."""

import pytest
from django.db import connection

from bench.floors import OWN_INDEXES, Grouping, own_indexes, run_sql
from schools.demo import generate

pytestmark = pytest.mark.django_db


def _result_indexes() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, "schools_result"))


def test_the_floor_indexes_exist_only_inside_the_block():
    generate(schools=3, years=1, seed=1, headline_only=True, measure_codes=["ks2_rwm_exp"])
    if connection.vendor == "postgresql":  # the test's transaction: check the deferred keys now, as a commit would
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    before = _result_indexes()
    assert not before & set(OWN_INDEXES)
    floor = [Grouping("id", None, ("ks2_rwm_exp",), ("all", "disadvantaged"), (2025,))]
    outside = run_sql(floor)
    with own_indexes():
        assert _result_indexes() == before | set(OWN_INDEXES)
        assert run_sql(floor) == outside  # the same rows, fetched through the floors' indexes
    assert _result_indexes() == before
    assert outside > 0
