"""The benchmark databases get the planner statistics production's autovacuum keeps (``bench.datasets.tidy``):
after it, the reference tables have statistics on either database."""

import pytest
from django.db import connection

from bench.datasets import tidy

# VACUUM cannot run inside a transaction; the reference data the migrations wrote is restored afterwards.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_tidy_gives_the_planner_statistics():
    tidy()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'schools_measure'")
        else:
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'schools_measure'")
        assert cursor.fetchone()[0] > 0
