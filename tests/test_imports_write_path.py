"""The import's write path: PostgreSQL's COPY lines built a column at a time say what ``write_row`` would have
sent (escapes, NULLs, decimals), the tables an import writes keep only the indexes something reads through, and
the re-pooling's settings are put back afterwards."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from schools.imports.bulk import SQLITE_CACHE_KIB, copy_text, insert_columns, planned_columns, pooling_memory
from schools.models import ImportBatch, Measure, PooledFigure, PupilGroup, Result, School


def test_copy_lines_escape_text_and_write_none_as_null():
    columns = [[1, 22, None], ["a\tb", "back\\slash", "two\nlines\r"], [Decimal("1.50"), None, Decimal("-2")]]
    assert copy_text(columns) == "1\ta\\tb\t1.50\n22\tback\\\\slash\t\\N\n\\N\ttwo\\nlines\\r\t-2\n"


@pytest.mark.parametrize("odd", [date(2024, 9, 1), 1.5, True, Decimal("NaN")])
def test_copy_lines_leave_other_types_to_write_row(odd):
    assert copy_text([[1, 2], ["x", odd]]) is None


@pytest.mark.django_db
def test_inserted_columns_read_back_as_given_whatever_the_text():
    la_school = _school()
    measure, group = Measure.objects.first(), PupilGroup.objects.first()
    batch = ImportBatch.objects.create(file_name="odd.csv")
    codes = ["a\tb", "c\\d", "e\nf", "", "g\rh"]
    insert_columns(
        Result,
        {
            "school_id": [la_school.pk] * 5,
            "results_year": [2020, 2021, 2022, 2023, 2024],
            "measure_id": [measure.pk] * 5,
            "pupil_group_id": [group.pk] * 5,
            "cohort": [10, None, 0, 7, 3],
            "achievers": [None, 4, 0, 7, 1],
            "points": [None, None, "12.30", None, None],
            "value": ["50.00", None, None, "100.00", "33.33"],
            "value_code": codes,
            "status": ["final"] * 5,
            "batch_id": [batch.pk] * 5,
        },
        5,
    )
    rows = list(
        Result.objects.filter(batch=batch)
        .order_by("results_year")
        .values_list("cohort", "achievers", "points", "value", "value_code")
    )
    assert rows == [
        (10, None, None, Decimal("50.00"), codes[0]),
        (None, 4, None, None, codes[1]),
        (0, 0, Decimal("12.30"), None, codes[2]),
        (7, 7, None, Decimal("100.00"), codes[3]),
        (3, 1, None, Decimal("33.33"), codes[4]),
    ]


def _school():
    from schools.models import LocalAuthority

    la = LocalAuthority.objects.create(code="998", name="Odd LA")
    return School.objects.create(urn=999_001, name="Odd School", la=la)


def _indexed_columns(model) -> set[tuple[str, ...]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {tuple(c["columns"]) for c in found.values() if c["index"] or c["unique"] or c["primary_key"]}


@pytest.mark.django_db
def test_results_and_pooled_figures_keep_only_the_indexes_reads_go_through():
    """Each index is written for every fact an import inserts and every row it re-pools: the results keep
    their key, the unique fact (years last: a school's figures are read through it) and the batch; the pooled
    figures their key and the unique key."""
    assert _indexed_columns(Result) == {
        ("id",),
        ("school_id", "measure_id", "pupil_group_id", "results_year"),
        ("batch_id",),
    }
    assert _indexed_columns(PooledFigure) == {
        ("id",),
        ("level", "org_id", "measure_id", "pupil_group_id", "results_year"),
    }


@pytest.mark.django_db
def test_pooling_memory_is_put_back_after_the_block():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW work_mem")
            before = cursor.fetchone()[0]
            with pooling_memory():
                cursor.execute("SHOW work_mem")
                assert cursor.fetchone()[0] == "64MB"
            cursor.execute("SHOW work_mem")
            assert cursor.fetchone()[0] == before
        else:
            cursor.execute("PRAGMA cache_size")
            before = cursor.fetchone()[0]
            with pooling_memory():
                cursor.execute("PRAGMA cache_size")
                assert cursor.fetchone()[0] == -SQLITE_CACHE_KIB
            cursor.execute("PRAGMA cache_size")
            assert cursor.fetchone()[0] == before


def test_statistics_after_a_bulk_write_cover_the_columns_the_re_pooling_plans_on():
    assert planned_columns(Result) == ["batch_id", "measure_id", "pupil_group_id", "results_year", "school_id"]
