"""The LA row of a DfE file kept as the LA's published figure (with its cohort) and shown beside the pooled one.

tests/data/dfe/ks2_2018-19_997_testshire.csv is a small file in the 2016–2019 KS2 layout (the real header, 318
columns) for an LA "Testshire" (997), results year 2019:

    school          TELIG  disadvantaged (TFSM6CLA1A)   other (TNotFSM6CLA1A)   all
    Alpha 990001     30    10 pupils, 40% → 4           20 pupils, 70% → 14     60% → 18
    Beta  990002     50    20 pupils, 50% → 10          30 pupils, 80% → 24     68% → 34
    Gamma 990003     12     3 pupils, SUPP               9 pupils, SUPP         50% → 6
    LA row (997)     92    33 pupils, 42%               59 pupils, 73%          63%
    England (5)            51%                          71%

Pooled disadvantaged = (4 + 10) ÷ (10 + 20) = 14/30 = 46.67% over 30 pupils (Gamma's 3 have no value);
pooled other = (14 + 24) ÷ (20 + 30) = 38/50 = 76.00%; pooled gap = 76.00 − 46.67 = 29.33.
Published gap = 73 − 42 = 31; published cohort 33 − pooled cohort 30 = 3 pupils in suppressed school rows.
"""

import csv
import io
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings

from schools.imports.committing import import_file
from schools.models import Benchmark, LocalAuthority, Profile, School
from schools.roles import Role

DATA = Path(__file__).resolve().parent / "data" / "dfe"
FILE = DATA / "ks2_2018-19_997_testshire.csv"


@pytest.fixture
def testshire(db):
    plan, batch = import_file(data=FILE.read_bytes(), file_name=FILE.name, format="dfe-ks2", results_year=2019)
    assert not plan.errors, plan.errors
    la = LocalAuthority.objects.get(code="997")
    # A fourth open primary school with no results: the 2019 figures cover 3 of 4 open primary schools.
    School.objects.create(urn=990004, la=la, name="Delta Primary", phase=School.Phase.PRIMARY)
    return la


def officer_client(la):
    user = User.objects.create_user("officer997", password="x")
    user.groups.add(Group.objects.get_or_create(name=Role.LA_OFFICER)[0])
    Profile.objects.create(user=user, la=la)
    client = Client()
    client.force_login(user)
    return client


def report(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("gap_report", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_la_row_stored_as_published_figure_with_its_cohort(testshire):
    published = {
        b.pupil_group.code: b
        for b in Benchmark.objects.filter(geography_code="997", results_year=2019, measure__code="ks2_rwm_exp")
    }
    assert published["disadvantaged"].kind == "la"
    assert published["disadvantaged"].cohort == 33 and float(published["disadvantaged"].value) == 42.0
    assert published["not_disadvantaged"].cohort == 59 and float(published["not_disadvantaged"].value) == 73.0
    assert published["all"].cohort == 92 and float(published["all"].value) == 63.0


def test_gap_report_la_json_shows_published_beside_pooled(testshire):
    # The officers' view: by default the pooled LA figure is hidden here, as Delta's small group could be worked
    # out from it minus the schools' figures (schools.disclosure); the published figure is public either way.
    rows = json.loads(
        report(
            "--level",
            "la",
            "--measure",
            "ks2_rwm_exp",
            "--group",
            "disadvantaged",
            "--year",
            "2019",
            "--format",
            "json",
            "--unsuppressed",
        )
    )
    assert len(rows) == 1
    row = rows[0]
    # The cohort shown is the one the value is pooled over: 30, not the 33 pupils the school rows count.
    assert row["cohort"] == 30 and row["pooled_cohort"] == 30
    assert row["value"] == pytest.approx(46.67, abs=0.005)
    assert row["comparison_cohort"] == 50 and row["comparison_value"] == pytest.approx(76.0)
    assert row["gap"] == pytest.approx(29.33, abs=0.005)
    assert row["published_value"] == 42.0 and row["published_comparison_value"] == 73.0
    assert row["published_gap"] == 31.0 and row["published_cohort"] == 33
    assert row["published_difference"] == (
        "3 disadvantaged pupils in schools whose figures are suppressed in the school rows "
        "(published cohort 33, pooled over 30)."
    )
    # Alpha, Beta and Gamma have 2019 figures; Delta does not: 3 of 4 open primary schools.
    assert row["coverage"] == 0.75
    assert "figures for 3 of 4 open primary" in row["coverage_note"]


def test_gap_report_la_csv_has_the_published_columns(testshire):
    text = report(
        "--level", "la", "--measure", "ks2_rwm_exp", "--group", "disadvantaged", "--year", "2019", "--unsuppressed"
    )
    (record,) = list(csv.DictReader(io.StringIO(text)))
    assert record["published_value"] == "42.0" and record["published_gap"] == "31.0"
    assert record["pooled_cohort"] == "30" and record["coverage"] == "0.75"


def test_overview_shows_published_figure_and_says_so(testshire):
    response = officer_client(testshire).get("/overview/detail/")
    assert response.status_code == 200
    page = response.content.decode()
    # The headline uses the published figure and says so.
    assert "the headline uses the DfE's published LA figure" in page
    assert "KS2 RWM expected" in page
    headline = response.context["headline"]
    first = next(r for r in headline.data.data if r["measure"].code == "ks2_rwm_exp")
    assert first["focus"].value == 42.0 and first["within"] == pytest.approx(31.0)
    assert first["cohort"] == 33
    # Published and pooled side by side, with the difference in words.
    published = {r["measure"]: r for r in response.context["published"]}["KS2 RWM expected"]
    assert published["source"] == "Published"
    assert published["published_focus"] == "42.0%" and published["pooled_focus"] == "46.7%"
    assert published["published_gap"] == pytest.approx(31.0)
    assert published["pooled_gap"] == pytest.approx(29.33, abs=0.005)
    assert published["pooled_cohort"] == 30 and published["published_cohort"] == 33
    assert "3 disadvantaged pupils in schools whose figures are suppressed in the school rows" in page
    # The benchmark table agrees: pooled 46.7% (gap 29.3) beside the published 42.0% (gap 31.0).
    benchmarks = response.context["benchmarks"]
    assert benchmarks["headers"][:2] == ["Testshire (pooled)", "Testshire (published)"]
    (cells,) = [r["cells"] for r in benchmarks["rows"] if r["measure"] == "KS2 RWM expected"]
    assert cells[0][0] == "46.7% (14 of 30)" and cells[1][0].startswith("42.0%") and cells[1][1] == "behind 31.0"


def test_overview_notes_a_year_under_the_coverage_share(testshire):
    client = officer_client(testshire)
    page = client.get("/overview/detail/").content.decode()
    assert "KS2 RWM expected, 2018/19: figures for 3 of 4 open primary schools (75%)" in page
    assert "under the 90% needed" in page
    with override_settings(GAPMONITOR_COVERAGE_SHARE=0.75):
        page = client.get("/overview/detail/").content.decode()
    assert "figures for 3 of 4 open primary schools" not in page


def test_published_first_never_mixes_sources_within_a_measure():
    from schools.gaps import Figure
    from schools.published import POOLED, PUBLISHED, published_first

    def fig(value, cohort=20):
        return Figure(cohort=cohort, numerator=None, value=value)

    pooled = {
        (2023, "m", "f"): fig(40),
        (2023, "m", "c"): fig(70),
        (2024, "m", "f"): fig(45),
        (2024, "m", "c"): fig(72),
    }
    # Published figures for 2024 only: a trend 2023→2024 would mix the two, so the measure stays pooled.
    published = {(2024, "m", "f"): fig(41), (2024, "m", "c"): fig(74)}
    merged, sources = published_first(pooled, published, measures=["m"], years=[2023, 2024], required=("f", "c"))
    assert sources == {"m": POOLED} and merged[(2024, "m", "f")].value == 45
    published.update({(2023, "m", "f"): fig(38), (2023, "m", "c"): fig(71)})
    merged, sources = published_first(pooled, published, measures=["m"], years=[2023, 2024], required=("f", "c"))
    assert sources == {"m": PUBLISHED}
    assert [merged[(y, "m", g)].value for y in (2023, 2024) for g in ("f", "c")] == [38, 71, 41, 74]


def test_tables_with_rows_from_different_years_say_so(testshire):
    from schools.models import Cluster, Measure, PupilGroup, Result

    measure = Measure.objects.get(code="ks2_rwm_exp")
    north = Cluster.objects.create(la=testshire, name="North")
    south = Cluster.objects.create(la=testshire, name="South")
    for school in School.objects.filter(urn__in=[990001, 990002]):
        school.cluster = north
        school.save()  # as the admin moves a school: its figures are re-pooled (schools.aggregates)
    # Epsilon (South) has figures for 2018 only: 12 of 20 disadvantaged, 30 of 40 other pupils.
    epsilon = School.objects.create(urn=990005, la=testshire, name="Epsilon Primary", cluster=south)
    for code, cohort, achievers in (("disadvantaged", 20, 12), ("not_disadvantaged", 40, 30), ("all", 60, 42)):
        Result.objects.create(
            school=epsilon,
            results_year=2018,
            measure=measure,
            pupil_group=PupilGroup.objects.get(code=code),
            cohort=cohort,
            achievers=achievers,
        )
    response = officer_client(testshire).get("/overview/detail/")
    clusters = response.context["cluster_table"]
    assert "rows from different results years: see the Year column" in clusters.caption
    assert "year" in [column.name for column in clusters.columns]
    assert {r["name"]: r["year"] for r in clusters.data.data} == {"North": 2019, "South": 2018}
    page = response.content.decode()
    # 2018: Epsilon is 1 of the 5 open primary schools (Alpha, Beta, Gamma, Delta, Epsilon).
    assert "KS2 RWM expected, 2017/18: figures for 1 of 5 open primary schools (20%)" in page
    # One year only: no Year column and no note in the caption.
    areas = response.context["area_table"]
    assert "year" not in [column.name for column in areas.columns]


def test_real_ks4_file_published_beside_pooled(db):
    """Surrey's KS4 2018/19 file as published (tests/data/dfe/ks4_2018-2019_936_surrey.csv): the LA row
    (RECTYPE 4) gives disadvantaged Attainment 8 35.5 over 1,580 pupils and 53.0 for the other 8,808. The school
    rows pool over fewer disadvantaged pupils: those of schools whose figure is suppressed give a count but no
    value. Independent schools are not in the DfE's LA figure and are skipped."""
    path = DATA / "ks4_2018-2019_936_surrey.csv"
    plan, _batch = import_file(data=path.read_bytes(), file_name=path.name, format="dfe-ks4")
    assert not plan.errors, plan.errors[:3]
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = [
            r for r in csv.DictReader(handle) if r["RECTYPE"] in ("1", "2") and r["NFTYPE"] not in ("IND", "INDSPEC")
        ]

    def number(text):
        try:
            return float((text or "").rstrip("%"))
        except ValueError:
            return None

    with_value = [r for r in rows if number(r["ATT8SCR_FSM6CLA1A"]) is not None and number(r["TFSM6CLA1A"])]
    pooled_cohort = sum(int(r["TFSM6CLA1A"]) for r in with_value)
    pooled_value = sum(float(r["ATT8SCR_FSM6CLA1A"]) * int(r["TFSM6CLA1A"]) for r in with_value) / pooled_cohort
    (row,) = json.loads(
        report(
            "--level", "la", "--measure", "ks4_att8", "--group", "disadvantaged", "--year", "2019", "--format", "json"
        )
    )
    assert row["published_value"] == 35.5 and row["published_comparison_value"] == 53.0
    assert row["published_gap"] == 17.5 and row["published_cohort"] == 1580
    assert row["pooled_cohort"] == row["cohort"] == pooled_cohort
    # Points are stored to 2 decimals (average × pupils), so the pooled value agrees to 0.01.
    assert row["value"] == pytest.approx(pooled_value, abs=0.01)
    assert row["published_difference"].startswith(
        f"{1580 - pooled_cohort} disadvantaged pupils in schools whose figures are suppressed"
    )
    # 57 open mainstream secondaries (the register here is the file itself); three new free schools (Hoe Valley,
    # Merstham Park, Chertsey High) had no pupils at the end of KS4 yet, so no figure: 54/57 = 0.9474, over 90%.
    assert row["coverage"] == 0.9474 and row["coverage_note"] == ""


def test_published_table_exports_as_csv(testshire):
    response = officer_client(testshire).get("/overview/export/published.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    (record,) = [r for r in csv.reader(io.StringIO(text)) if r and r[0] == "KS2 RWM expected"]
    assert record[1:4] == ["2019", "Published", "42.0%"]
    assert "31.0" in record and "29.33" in record and "30" in record and "33" in record


def test_cluster_page_is_pooled_and_says_how_many_pupils(testshire):
    from schools.models import Cluster

    north = Cluster.objects.create(la=testshire, name="North")
    for school in School.objects.filter(urn__in=[990001, 990002, 990003]):
        school.cluster = north
        school.save()  # as the admin moves a school: its figures are re-pooled (schools.aggregates)
    page = officer_client(testshire).get(f"/clusters/{north.pk}/").content.decode()
    # Alpha 10 + Beta 20 disadvantaged pupils with figures (Gamma's 3 are suppressed in the school rows);
    # other pupils 20 + 30 = 50; three schools' rows pooled.
    assert (
        "KS2 RWM expected (2019): pooled over 30 disadvantaged pupils and 50 not disadvantaged "
        "(other pupils), from 3 schools."
    ) in page
    # The LA's coverage of 2019 (3 of 4 open primary schools) is noted here too.
    assert "figures for 3 of 4 open primary schools (75%)" in page
